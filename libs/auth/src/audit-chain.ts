import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The previous hash of the first row. */
export const AUDIT_GENESIS = '0'.repeat(64);

/**
 * How a row was hashed. `rfc8785-sha256`: as `auditRowHash` says. `legacy`: rows written before canonical hashing,
 * over the JavaScript object's own member order, which jsonb does not keep: only their links can be checked, and
 * they may only open the chain.
 */
export const AUDIT_HASH_SCHEMES = ['rfc8785-sha256', 'legacy'] as const;
export type AuditHashScheme = (typeof AUDIT_HASH_SCHEMES)[number];

/** What one audit row says, as Postgres stores it (jsonb members in any order, `at` to the millisecond). */
export interface AuditRowContent {
  at: Date;
  actor: string;
  action: string;
  target: string;
  before: object | null;
  after: object | null;
  correlationId: string | null;
}

export interface ChainedAuditRow extends AuditRowContent {
  id: string;
  prevHash: string;
  hash: string;
  hashScheme: string;
}

/**
 * Where the chain stops holding. `content`: the row's hash is not its content's (the row was changed, or marked
 * legacy after canonical rows). `link`: its
 * `prevHash` is not the hash of `previousId` (that row was removed or rewritten with a new hash, or rows reordered).
 */
export interface ChainBreak {
  id: string;
  problem: 'content' | 'link';
  previousId: string | null;
}

/** The row a run follows on (none at the start of the chain), and whether a canonical row came before. */
export interface ChainPosition {
  id: string | null;
  hash: string;
  canonical: boolean;
}

/** The value jsonb gives back for what was written: what was written, without undefined members or Dates. */
export function asStoredJson(value: object | null | undefined): object | null {
  return value == null ? null : (JSON.parse(JSON.stringify(value)) as object);
}

/**
 * SHA-256 (hex) of the RFC 8785 canonical JSON of the row's content and the previous row's hash:
 * `{"action","actor","after","at","before","correlationId","prevHash","target"}` with `at` as an ISO 8601 UTC
 * string with milliseconds. Member order never matters, so a row read back from jsonb hashes as it was written.
 */
export function auditRowHash(prevHash: string, row: AuditRowContent): string {
  const document = {
    prevHash,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    before: row.before,
    after: row.after,
    correlationId: row.correlationId,
  };
  return createHash('sha256').update(canonicalJson(document), 'utf8').digest('hex');
}

/** Whether a row's content is what its hash says; a legacy row only where no canonical row came before. */
function contentHolds(row: ChainedAuditRow, previous: ChainPosition): boolean {
  if (row.hashScheme === 'legacy') return !previous.canonical;
  return row.hashScheme === 'rfc8785-sha256' && auditRowHash(previous.hash, row) === row.hash;
}

/**
 * The first row of a run (oldest first, following `prevHash`) that breaks the chain: its `prevHash` is not the hash
 * before it (a row removed, inserted or reordered) or its hash is not its content's (a row changed).
 */
export function firstBreak(rows: readonly ChainedAuditRow[], start: ChainPosition): ChainBreak | null {
  let previous = start;
  for (const row of rows) {
    if (row.prevHash !== previous.hash) return { id: row.id, problem: 'link', previousId: previous.id };
    if (!contentHolds(row, previous)) return { id: row.id, problem: 'content', previousId: previous.id };
    previous = { id: row.id, hash: row.hash, canonical: previous.canonical || row.hashScheme !== 'legacy' };
  }
  return null;
}
