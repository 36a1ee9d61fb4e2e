
/**
 * Import requests as an operator sends them, runtime-neutral (the workerd suite uses them too);
 * the Node suites' helpers are in imports-node.ts.
 */
export type ImportQuery = { mode: 'confirmed' | 'reconfirm' | 'suppress'; consent_source?: string; dry_run?: '1'; notify?: '1' };

export const importPath = (list: string, q: ImportQuery) => `/v1/lists/${list}/imports?${new URLSearchParams(q as Record<string, string>)}`;

export function importInit(key: string | null, body: BodyInit, type = 'text/csv'): RequestInit {
  return { method: 'POST', headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': type }, body };
}

/** A CSV of `n` rows `prefix{i}@{domain}` with names, header `email,name`. */
export function csvOf(n: number, prefix = 'row', domain = 'example.com'): string {
  const lines = ['email,name'];
  for (let i = 0; i < n; i++) lines.push(`${prefix}${i}@${domain},Person ${i}`);
  return `${lines.join('\n')}\n`;
}

