import type { Deps } from '../deps';
import type { ImportMode } from '../db/types';
import { type ChunkCounts, type ChunkFacts, type ChunkRow, chunkFacts } from '../db/queries/imports';
import { addressOnRecord } from '../domain/address';
import { funnelProviderOf } from '../domain/funnel';
import { isDisposableDomain } from '../domain/disposable';
import { base64url } from '../domain/ids';
import { providerOf } from '../domain/providers';
import { nameProblem } from '../domain/spreadsheet';
import type { SourceRecord } from './import-source';
import { mailboxHashesMany } from './mailbox';
import { checkAddress } from './signup';

export type SkipReason = 'suppressed' | 'erased' | 'unsubscribed' | 'already' | 'invalid' | 'duplicate';
export type RowError = { line: number; email: string; code: string; suggestion?: string };

/** What an import remembers between chunks: which import it is, and (dry runs only) what it would have imported. */
export type ImportContext = {
  mode: ImportMode;
  listId: number;
  /** The list refuses addresses of disposable mail services (its block_disposable). */
  blockDisposable: boolean;
  /** The import's row id and public id; null on a dry run. */
  importId: number | null;
  importPublicId: string | null;
  /** Dry runs write nothing, so the mailboxes they would import are remembered here (8 bytes each) to find later duplicates. */
  wouldImport: Set<number> | null;
  /** reconfirm: the next free slot of the paced mail, and the gap between slots. */
  nextMailAt: number;
  mailGapMs: number;
};

export type DecidedChunk = { rows: ChunkRow[]; counts: ChunkCounts; errors: RowError[] };

type Candidate = { line: number; email: string; key: string; domain: string; name: string | null; optInAt: number | null };

const MAX_NAME = 200;
const shown = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v)).slice(0, 320);

/**
 * Decides a chunk of rows (the read phase): each row is refused as a signup would be (invalid
 * address, likely typo, formula or control characters), skipped when the source marks it gone, its
 * mailbox is erased or suppressed, or the list already holds it (unsubscribed, pending, confirmed,
 * or imported by this very import earlier in the file: duplicate), and otherwise becomes a row to
 * write. Suppress mode takes typo'd addresses too: mail may have reached them, so they must be
 * stoppable. Nothing is written here.
 */
export async function decideChunk(deps: Pick<Deps, 'db' | 'hashKey'>, ctx: ImportContext, records: SourceRecord[]): Promise<DecidedChunk> {
  const counts: ChunkCounts = { rows: records.length, imported: 0, suppressed: 0, erased: 0, unsubscribed: 0, already: 0, invalid: 0, duplicate: 0 };
  const errors: RowError[] = [];
  const refuse = (line: number, email: unknown, code: string, suggestion?: string) => {
    counts.invalid++;
    errors.push({ line, email: shown(email), code, ...(suggestion ? { suggestion } : {}) });
  };
  const candidates: Candidate[] = [];
  for (const { line, row } of records) {
    if (!row) {
      refuse(line, '', 'unreadable_row');
      continue;
    }
    const address = ctx.mode === 'suppress' ? suppressible(row.email) : checkAddress(row.email);
    if (!address.ok) {
      refuse(line, row.email, address.code, address.suggestion);
      continue;
    }
    // The list's own signup rule: a list that refuses disposable domains refuses them here too.
    if (ctx.blockDisposable && ctx.mode !== 'suppress' && isDisposableDomain(address.domain)) {
      refuse(line, row.email, 'disposable');
      continue;
    }
    // The signup's rules for names: at most 200 characters, no controls, nothing a spreadsheet runs.
    if (row.name !== null && (row.name.length > MAX_NAME || nameProblem(row.name))) {
      refuse(line, row.email, 'invalid_name');
      continue;
    }
    if (ctx.mode !== 'suppress' && row.markedGone) {
      counts.unsubscribed++;
      continue;
    }
    candidates.push({ line, email: address.email, key: address.key, domain: address.domain, name: row.name, optInAt: row.optInAt });
  }

  const hashes = await mailboxHashesMany(deps, candidates.map((c) => c.key));
  const facts = candidates.length
    ? await chunkFacts(deps.db, ctx.listId, [...new Set(hashes.map((h) => h.mailboxHash))], [...new Set(hashes.flatMap((h) => [h.mailboxHash, h.legacyHash]))])
    : { suppressed: [], onList: [] };
  const verdict = judge(ctx, facts);
  const inChunk = new Set<string>();
  const rows: ChunkRow[] = [];
  // The chunk's ids and tokens share a random prefix: each lands in one region of its index (one
  // page written per few rows at commit, not one per row), while each token keeps its own random part.
  const random = randomBytes(candidates.length * 48 + 6);
  const prefix = base64url(random.subarray(0, 6));
  candidates.forEach((c, i) => {
    const { mailboxHash, legacyHash } = hashes[i];
    const reason = verdict(mailboxHash, legacyHash) ?? (inChunk.has(mailboxHash) || seenBefore(ctx, mailboxHash) ? 'duplicate' : null);
    if (reason) {
      counts[reason]++;
      if (reason === 'duplicate') errors.push({ line: c.line, email: c.email, code: 'duplicate' });
      return;
    }
    inChunk.add(mailboxHash);
    counts.imported++;
    const bytes = (from: number, n: number) => base64url(random.subarray(6 + i * 48 + from, 6 + i * 48 + from + n));
    rows.push({
      p: `sub_${prefix}${bytes(0, 6)}`,
      e: c.email,
      k: c.key,
      h: mailboxHash,
      l: legacyHash,
      n: c.name,
      o: c.optInAt,
      u: `u_${prefix}${bytes(6, 24)}`,
      s: `${prefix}${bytes(30, 9)}`,
      v: funnelProviderOf(providerOf(c.domain)?.id),
      ...(ctx.mode === 'reconfirm' ? { at: takeMailSlot(ctx), c: bytes(39, 9) } : {}),
    });
  });
  return { rows, counts, errors };
}

/** Random bytes in the slices getRandomValues allows (64 KiB per call). */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}

/** The reason a mailbox cannot be imported now, from the read phase's facts, or null. */
function judge(ctx: ImportContext, facts: ChunkFacts) {
  const suppression = new Map(facts.suppressed.map((s) => [s.hash, s]));
  const onList = new Map<string, ChunkFacts['onList']>();
  for (const r of facts.onList) onList.set(r.hash, [...(onList.get(r.hash) ?? []), r]);
  const ownSource = ctx.importPublicId ? `import:${ctx.importPublicId}` : null;
  return (mailboxHash: string, legacyHash: string): SkipReason | null => {
    const s = suppression.get(mailboxHash) ?? suppression.get(legacyHash);
    if (s?.reason === 'erased') return 'erased';
    if (ctx.mode === 'suppress') return !s ? null : s.source === ownSource ? 'duplicate' : 'suppressed';
    if (s) return 'suppressed';
    const rows = onList.get(mailboxHash) ?? [];
    if (rows.some((r) => ctx.importId !== null && r.importId === ctx.importId)) return 'duplicate';
    if (rows.some((r) => r.state === 'suppressed')) return 'suppressed';
    if (rows.some((r) => r.state === 'unsubscribed')) return 'unsubscribed';
    return rows.length ? 'already' : null;
  };
}

/** Dry runs: whether an earlier chunk would have imported this mailbox (its first 52 bits). */
function seenBefore(ctx: ImportContext, mailboxHash: string): boolean {
  if (!ctx.wouldImport) return false;
  const short = parseInt(mailboxHash.slice(0, 13), 16);
  if (ctx.wouldImport.has(short)) return true;
  ctx.wouldImport.add(short);
  return false;
}

function takeMailSlot(ctx: ImportContext): number {
  const at = Math.round(ctx.nextMailAt);
  ctx.nextMailAt += ctx.mailGapMs;
  return at;
}

/** Suppress mode: a likely typo is still an address someone may have mailed (as bounces are read). */
function suppressible(email: unknown) {
  const checked = checkAddress(email);
  if (checked.ok || checked.code !== 'typo' || typeof email !== 'string') return checked;
  const onRecord = addressOnRecord(email);
  return onRecord ? { ok: true as const, ...onRecord, domain: onRecord.key.slice(onRecord.key.lastIndexOf('@') + 1) } : checked;
}
