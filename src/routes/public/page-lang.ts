import type { Context } from 'hono';
import type { AppEnv } from '../../deps';
import type { List } from '../../db/types';
import { findList, findListById } from '../../db/queries/lists';
import { type Lang, pickLang } from '../../i18n/messages';

/**
 * The list a page is about (by slug from a token, or by id from a subscription) and the page's
 * language: the list's, else the browser's. An unknown list still gets a page, in the browser's language.
 */
export async function pageContext(c: Context<AppEnv>, which: { slug: string } | { id: number | undefined }): Promise<{ list: List | undefined; lang: Lang }> {
  const { db } = c.get('deps');
  const list = 'slug' in which ? await findList(db, which.slug) : which.id === undefined ? undefined : await findListById(db, which.id);
  return { list, lang: pickLang(list?.language, c.req.header('accept-language')) };
}
