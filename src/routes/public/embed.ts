import { Hono } from 'hono';
import type { AppEnv } from '../../deps';
import { embedScript } from '../../pages/embed-script';

/** A cheap, stable validator for the script text (FNV-1a), computed once: no async crypto at import. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

const etag = `"embed-${fnv1a(embedScript)}"`;

export const embedRoutes = new Hono<AppEnv>();

// Public and the same for everyone: any site may load it (CORS and CORP open), caches may keep it a
// day and revalidate with the ETag; the URL carries no version, so a longer max-age would pin old code.
embedRoutes.get('/', (c) => {
  const headers = {
    'Content-Type': 'text/javascript; charset=utf-8',
    'Cache-Control': 'public, max-age=86400, stale-while-revalidate=604800',
    ETag: etag,
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
  return c.body(embedScript, 200, headers);
});
