import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../deps';
import { ApiDocsPage } from '../pages/api-docs';
import type { Document } from '../pages/api-schema';
import { apiDocument, type ApiDocument } from './v1/document';

/**
 * GET /openapi.json and GET /docs for the API `v1` (as createApi builds it). The document is made
 * when first asked for and kept: it changes only with the code.
 */
export function apiDocs(v1: OpenAPIHono<AppEnv>) {
  let doc: ApiDocument | undefined;
  let page: string | undefined;
  const describe = () => (doc ??= apiDocument(v1));
  return {
    document: (c: Context<AppEnv>) => c.json(describe(), 200, { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'public, max-age=300' }),
    page: async (c: Context<AppEnv>) => {
      // The Layout starts the page with its doctype.
      page ??= (await (<ApiDocsPage doc={describe() as Document} documentUrl="/openapi.json" />)).toString();
      return c.html(page, 200, { 'Cache-Control': 'public, max-age=300' });
    },
  };
}
