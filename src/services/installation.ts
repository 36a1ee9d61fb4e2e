import type { Clock, Db, Logger } from '../deps';
import type { Config } from '../config';
import { ensureDefaultList } from '../db/queries/lists';
import { getOrCreateSetting, getSetting, putSetting } from '../db/queries/settings';
import { capRowsInClear, rekeyCapRow, setMailboxHashes, subscriptionsWithoutMailbox } from '../db/queries/upgrade';
import { hex, importHmacKey, type HashKey } from '../domain/ids';
import { createTokens, type Tokens } from '../domain/tokens';
import { mailboxHashes } from './mailbox';

const randomHex = (bytes: number) => hex(crypto.getRandomValues(new Uint8Array(bytes)));

/**
 * What both entries need from the database before serving: the token keys (a dev secret kept
 * in the database when TOKEN_SECRET is unset), the per-installation hash key, the default list.
 */
export async function prepareInstallation(
  db: Db,
  config: Config,
  clock: Clock,
  logger: Logger,
): Promise<{ tokens: Tokens; hashKey: HashKey }> {
  let secret = config.TOKEN_SECRET;
  if (!secret) {
    // loadConfig has already refused production without TOKEN_SECRET.
    secret = (await getOrCreateSetting(db, 'dev_token_secret', () => randomHex(32))).value;
    logger.warn('TOKEN_SECRET is not set: using a development secret kept in the database. Set TOKEN_SECRET in production.');
  }
  if (config.mailTransport !== 'log' && !/@[^@\s>]+\.[^@\s>]+>?\s*$/.test(config.MAIL_FROM)) {
    // The zero-configuration sender (onboarding@localhost) is refused by Resend and most SMTP relays.
    logger.warn('MAIL_FROM has no real domain: the provider will refuse these mails. Set MAIL_FROM to an address on your verified domain.', {
      mailFrom: config.MAIL_FROM,
    });
  }
  const hashKey = await installationHashKey(db);
  await ensureDefaultList(db, clock.now());
  const tokens = await createTokens({ secret, previous: config.TOKEN_SECRET_PREVIOUS, now: () => clock.now() });
  await hashStoredMailboxes(db, hashKey, logger);
  return { tokens, hashKey };
}

/** The per-installation key of the keyed address hashes (made once, kept in the database, never rotated). */
export async function installationHashKey(db: Db): Promise<HashKey> {
  return importHmacKey((await getOrCreateSetting(db, 'address_hash_key', () => randomHex(32))).value);
}

/**
 * Data stored before mailboxes were folded: subscriptions get their mailbox hash, and the mail-cap
 * rows (keyed by the address in clear) are re-keyed by it. Runs before the first request, once;
 * afterwards each query finds nothing to do.
 */
async function hashStoredMailboxes(db: Db, hashKey: HashKey, logger: Logger): Promise<void> {
  let done = 0;
  for (let rows = await subscriptionsWithoutMailbox(db); rows.length; rows = await subscriptionsWithoutMailbox(db)) {
    await setMailboxHashes(db, await Promise.all(rows.map(async (r) => ({ id: r.id, hash: (await mailboxHashes({ hashKey }, r.key)).mailboxHash }))));
    done += rows.length;
  }
  for (let rows = await capRowsInClear(db); rows.length; rows = await capRowsInClear(db)) {
    for (const r of rows) await rekeyCapRow(db, r.key, (await mailboxHashes({ hashKey }, r.key)).mailboxHash);
  }
  if (done) logger.info('subscriptions stored before mailboxes were folded now carry their mailbox hash', { count: done });
}

const PUBLIC_URL_SETTING = 'public_url';

/** The server notes the origin its links use, so the CLI on the same database writes the same links. */
export async function recordPublicUrl(db: Db, publicUrl: string): Promise<void> {
  await putSetting(db, PUBLIC_URL_SETTING, publicUrl);
}

/** The PUBLIC_URL the server last ran with on this database, if one has run. */
export async function recordedPublicUrl(db: Db): Promise<string | undefined> {
  return getSetting(db, PUBLIC_URL_SETTING);
}
