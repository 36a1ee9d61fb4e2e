import type { Context, MiddlewareHandler } from 'hono';
import type { ConsoleEnv } from '../../deps';
import type { List } from '../../db/types';
import { ApiError } from '../../errors';
import { readBody } from '../../http/request';
import { requireList } from '../../middleware/list';
import type { ConsoleView } from '../../pages/admin/layout';
import { mailHealth } from '../../services/health';

/** What a console page needs to know of the request; `here` is the page the language switch reloads. */
export async function view(c: Context<ConsoleEnv>, here = c.req.path): Promise<ConsoleView> {
  const session = c.get('session');
  return { lang: c.get('lang'), here, session, mail: session ? await mailHealth(c.get('deps')) : undefined };
}

/** A console form's fields as trimmed-free strings (the services validate them); files are ignored. */
export async function formFields(c: Context<ConsoleEnv>): Promise<Record<string, string>> {
  const body = await readBody(c, { allowEmpty: true });
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The signed-in operator's key id: what every audit entry names. */
export const actor = (c: Context<ConsoleEnv>) => c.get('session')!.principal.id;

/** Pages that span lists (keys, suppressions, erasure, test mail) need a key that is not limited to lists. */
export function requireUnlimited(c: Context<ConsoleEnv>): void {
  if (c.get('session')?.principal.lists) throw new ApiError('forbidden', 'This page spans lists and needs a key that is not limited to lists.');
}

/** requireUnlimited for a whole router. */
export const unlimitedOnly: MiddlewareHandler<ConsoleEnv> = async function unlimitedOnly(c, next) {
  requireUnlimited(c);
  await next();
};

/** The list the path names, when the signed-in key may see it (403 otherwise, before 404 as in the API). */
export async function consoleList(c: Context<ConsoleEnv>): Promise<List> {
  const allowed = c.get('session')?.principal.lists;
  if (allowed && !allowed.includes(c.req.param('list') ?? '')) throw new ApiError('forbidden', 'The key is not allowed on this list.');
  return requireList(c as unknown as Parameters<typeof requireList>[0]);
}

/** Whether the signed-in key may see list `slug`. */
export const maySee = (c: Context<ConsoleEnv>, slug: string) => {
  const allowed = c.get('session')?.principal.lists;
  return !allowed || allowed.includes(slug);
};
