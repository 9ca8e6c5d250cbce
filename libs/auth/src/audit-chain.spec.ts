import { describe, expect, it } from 'vitest';
import type { ChainedAuditRow } from './audit-chain';
import { AUDIT_GENESIS, auditRowHash, firstBreak } from './audit-chain';

const START = { id: null, hash: AUDIT_GENESIS, canonical: false };

/** A chain of rows: each canonical one hashed as the apps hash it, each legacy one with a made-up hash. */
function chain(schemes: Array<'rfc8785-sha256' | 'legacy'>): ChainedAuditRow[] {
  const rows: ChainedAuditRow[] = [];
  let prevHash = AUDIT_GENESIS;
  schemes.forEach((hashScheme, i) => {
    const content = {
      at: new Date(Date.UTC(2026, 2, 1 + i)),
      actor: 'api-key:aaaa (alice)',
      action: 'exception.resolve',
      target: `exception:${String(i)}`,
      before: { status: 'open' },
      after: { status: 'resolved', reason: 'fixed' },
      correlationId: null,
    };
    const hash =
      hashScheme === 'legacy' ? `legacy-${String(i)}`.padEnd(64, '0') : auditRowHash(prevHash, content);
    rows.push({ ...content, id: String(i + 1), prevHash, hash, hashScheme });
    prevHash = hash;
  });
  return rows;
}

describe('the audit chain', () => {
  it('holds over legacy rows that open it, checking their links only, then canonical rows', () => {
    expect(firstBreak(chain(['legacy', 'legacy', 'rfc8785-sha256', 'rfc8785-sha256']), START)).toBeNull();
  });

  it('hashes the same content to the same hash whatever the member order', () => {
    const [row] = chain(['rfc8785-sha256']);
    const reordered = { ...row, after: { reason: 'fixed', status: 'resolved' } };
    expect(auditRowHash(AUDIT_GENESIS, reordered)).toBe(row.hash);
  });

  it('refuses a row marked legacy after a canonical one, and a scheme it does not know', () => {
    const rows = chain(['rfc8785-sha256', 'rfc8785-sha256', 'rfc8785-sha256']);
    const relabelled = rows.map((r) => (r.id === '2' ? { ...r, hashScheme: 'legacy' } : r));
    expect(firstBreak(relabelled, START)).toEqual({ id: '2', problem: 'content', previousId: '1' });
    const unknown = rows.map((r) => (r.id === '3' ? { ...r, hashScheme: 'md5' } : r));
    expect(firstBreak(unknown, START)).toEqual({ id: '3', problem: 'content', previousId: '2' });
  });

  it('names the row whose content changed, and the row after a removed one', () => {
    const rows = chain(['rfc8785-sha256', 'rfc8785-sha256', 'rfc8785-sha256']);
    const changed = rows.map((r) => (r.id === '2' ? { ...r, actor: 'api-key:bbbb (bob)' } : r));
    expect(firstBreak(changed, START)).toEqual({ id: '2', problem: 'content', previousId: '1' });
    expect(
      firstBreak(
        rows.filter((r) => r.id !== '2'),
        START,
      ),
    ).toEqual({ id: '3', problem: 'link', previousId: '1' });
  });
});
