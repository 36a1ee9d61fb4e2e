import { serveImitation } from '../serve';
import { createSesFake, type SesFake } from './core';
import type { SesFakeOptions } from './types';

export type SesImitation = SesFake & { endpoint: string; close(): Promise<void> };

/**
 * The SES imitation over HTTP on 127.0.0.1 (an ephemeral port), for the SES mailer in this process
 * or in a spawned server (`SES_ENDPOINT=<endpoint>`). A dropped request destroys its socket.
 */
export async function startSesImitation(opts: SesFakeOptions = {}): Promise<SesImitation> {
  const fake = createSesFake(opts);
  const served = await serveImitation(({ method, url, headers, body }, gone) => fake.handle({ method, url: url.href, headers, body }, gone), {
    bug: (err) => ({ status: 500, headers: { 'content-type': 'text/plain' }, body: `imitation bug: ${String(err)}` }),
  });
  return Object.assign(fake, {
    endpoint: served.url,
    close: served.close,
  });
}
