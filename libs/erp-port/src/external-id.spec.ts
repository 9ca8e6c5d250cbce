import { describe, expect, it } from 'vitest';
import { ERP_EXTERNAL_ID, revenueJournalExternalId, toErpExternalId } from './external-id';

describe('ERP external ids', () => {
  it('keeps a key made of letters, digits, _ and -', () => {
    expect(toErpExternalId('in_1PqR-2026')).toBe('in_1PqR-2026');
  });

  it('turns any other key into an allowed, deterministic and distinct id', () => {
    const a = toErpExternalId('C-1/seats:2026-01');
    const b = toErpExternalId('C-1/seats/2026-01');
    expect(a).toMatch(ERP_EXTERNAL_ID);
    expect(b).toMatch(ERP_EXTERNAL_ID);
    expect(a).not.toBe(b);
    expect(toErpExternalId('C-1/seats:2026-01')).toBe(a);
    expect(toErpExternalId('x'.repeat(500))).toMatch(ERP_EXTERNAL_ID);
  });

  it('names a revenue journal by contract, obligation, period and schedule version', () => {
    expect(revenueJournalExternalId('C-G1', 'seats', '2026-01', 1)).toMatch(
      /^rlrj-C-G1-seats-2026-01-v1-[0-9a-f]{12}$/,
    );
    expect(revenueJournalExternalId('A-B', 'C', '2026-01', 1)).not.toBe(
      revenueJournalExternalId('A', 'B-C', '2026-01', 1),
    );
    expect(revenueJournalExternalId('C-G1', 'seats', '2026-01', 2)).not.toBe(
      revenueJournalExternalId('C-G1', 'seats', '2026-01', 1),
    );
  });
});
