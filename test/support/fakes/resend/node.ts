import { serveImitation } from '../serve';
import { createResendFake } from './core';
import type { ResendFake, ResendFakeOptions } from './types';

export type { Fault, RecordedRequest, ResendFake, SentMail } from './types';

export type ResendImitationOptions = ResendFakeOptions & {
  /** Port to listen on (127.0.0.1). Default 0 = ephemeral. */
  port?: number;
};

export type ResendImitation = Omit<ResendFake, 'close'> & {
  /** `http://127.0.0.1:<port>` (no trailing slash, the SDK appends `/emails`). */
  baseUrl: string;
  /** Same as baseUrl. */
  url: string;
  port: number;
  /** Closes the server and every open socket. Idempotent. */
  close(): Promise<void>;
};

/**
 * The Resend imitation served over HTTP on 127.0.0.1 (an ephemeral port unless told), for the
 * real resend SDK in this process or in a spawned server. A dropped request destroys its socket.
 *
 *   const api = await startResendImitation();
 *   const resend = new Resend('re_test', { baseUrl: api.baseUrl });
 */
export async function startResendImitation(opts: ResendImitationOptions = {}): Promise<ResendImitation> {
  const fake = createResendFake(opts);
  const stopFake = fake.close;
  const served = await serveImitation(
    ({ method, url, headers, body }, gone) => fake.handle({ method, path: url.pathname, query: url.search, headers, body }, gone),
    {
      port: opts.port,
      bug: (err) => ({
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ statusCode: 500, message: `imitation bug: ${String(err)}`, name: 'internal_server_error' }),
      }),
    },
  );
  let closing: Promise<void> | null = null;
  return Object.assign(fake, {
    baseUrl: served.url,
    url: served.url,
    port: served.port,
    close() {
      closing ??= (async () => {
        stopFake();
        await served.close();
      })();
      return closing;
    },
  });
}
