/**
 * What a bearer key is, for the auth middleware and for ADMIN_TOKEN in the configuration alike: up
 * to 200 visible ASCII characters, no spaces (what an `Authorization: Bearer` header carries).
 */
export const BEARER_KEY = /^[\x21-\x7e]{1,200}$/;

/** ADMIN_TOKEN's shortest length: it opens every scope on every list (the contract: 32 in production). */
export const ADMIN_TOKEN_MIN = { production: 32, development: 16 } as const;

/** The key in an `Authorization: Bearer <key>` header, or undefined when there is none of that shape. */
export function bearerKey(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match && BEARER_KEY.test(match[1]) ? match[1] : undefined;
}
