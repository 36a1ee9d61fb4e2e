import type { Clock, Db, Logger } from '../deps';
import type { Config } from '../config';
import { ensureDefaultList } from '../db/queries/lists';
import { getOrCreateSetting, getSetting, putSetting } from '../db/queries/settings';
import { hex, importHmacKey } from '../domain/ids';
import { createTokens, type Tokens } from '../domain/tokens';

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
): Promise<{ tokens: Tokens; hashKey: CryptoKey }> {
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
  const hashSetting = await getOrCreateSetting(db, 'address_hash_key', () => randomHex(32));
  await ensureDefaultList(db, clock.now());
  const tokens = await createTokens({ secret, previous: config.TOKEN_SECRET_PREVIOUS, now: () => clock.now() });
  return { tokens, hashKey: await importHmacKey(hashSetting.value) };
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
