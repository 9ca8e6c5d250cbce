import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The previous hash of the first row. */
export const AUDIT_GENESIS = '0'.repeat(64);

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
}

/**
 * Where the chain stops holding. `content`: the row's hash is not its content's (the row was changed). `link`: its
 * `prevHash` is not the hash of `previousId` (that row was removed or rewritten with a new hash, or rows reordered).
 */
export interface ChainBreak {
  id: string;
  problem: 'content' | 'link';
  previousId: string | null;
}

/** The row a run follows on, or none at the start of the chain. */
export interface ChainPosition {
  id: string | null;
  hash: string;
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

/**
 * The first row of a run (oldest first, following `prevHash`) that breaks the chain: its `prevHash` is not the hash
 * before it (a row removed, inserted or reordered) or its hash is not its content's (a row changed).
 */
export function firstBreak(rows: readonly ChainedAuditRow[], start: ChainPosition): ChainBreak | null {
  let previous = start;
  for (const row of rows) {
    if (row.prevHash !== previous.hash) return { id: row.id, problem: 'link', previousId: previous.id };
    if (auditRowHash(previous.hash, row) !== row.hash)
      return { id: row.id, problem: 'content', previousId: previous.id };
    previous = { id: row.id, hash: row.hash };
  }
  return null;
}
