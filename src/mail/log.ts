import type { Logger, Mailer } from '../deps';

/** The zero-configuration transport: prints each mail's recipient, subject and links. */
export function logMailer(logger: Logger, print: (line: string) => void = (l) => console.log(l)): Mailer {
  return {
    name: 'log',
    maxBatch: 100,
    async send(messages) {
      for (const m of messages) {
        const links = m.text.match(/https?:\/\/\S+/g) ?? [];
        print(`[mail] to ${m.to}: ${m.subject}\n${links.map((l) => `  ${l}`).join('\n')}`);
        logger.debug('mail written to log', { to: m.to });
      }
      return { ok: true, results: messages.map(() => ({ id: `log_${crypto.randomUUID()}` })) };
    },
  };
}
