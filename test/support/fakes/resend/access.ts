import { errorFor } from './errors';
import type { ResendErrorBody } from './types';

/** Resend's routes: 404 for an unknown path, 405 for a known path with the wrong method. */
export function routeError(method: string, path: string): ResendErrorBody | null {
  const isSend = path === '/emails';
  const isBatch = path === '/emails/batch';
  const isGet = /^\/emails\/[^/]+$/.test(path) && !isBatch;
  if (!isSend && !isBatch && !isGet) return errorFor(404);
  if (isSend && method !== 'POST' && method !== 'GET') return errorFor(405);
  if (isBatch && method !== 'POST') return errorFor(405);
  if (isGet && method !== 'GET') return errorFor(405);
  return null;
}

/** 401 without a bearer key; 403 for a key that is not Resend's shape or not among `apiKeys`. */
export function authError(authorization: string | undefined, apiKeys?: string[]): ResendErrorBody | null {
  const token = authorization?.match(/^Bearer\s+(.*)$/i)?.[1]?.trim();
  if (!authorization?.trim() || token === '' || token === 'undefined') return errorFor(401);
  if (!token || !token.startsWith('re_') || (apiKeys && !apiKeys.includes(token))) return errorFor(403);
  return null;
}
