import { describe, expect, it } from 'vitest';
import type { ObligationToDate, PostedToDate, RunInput } from './revenue-run.plan';
import { CONTRACT_ASSET, contractKey, MAX_JOURNAL_LINES, planRun } from './revenue-run.plan';

const obligation = (
  contractId: string,
  obligationId: string,
  recognisedMinor: bigint,
  productClass = 'subscription',
  currency = 'USD',
): ObligationToDate => ({
  contractId,
  obligationId,
  subsidiary: 'US',
  currency,
  productClass,
  recognisedMinor,
});

const input = (over: Partial<RunInput>): RunInput => ({
  period: '2026-03',
  sequence: 1,
  mode: 'summary',
  obligations: [],
  billed: new Map(),
  posted: new Map(),
  ...over,
});

const sum = (
  lines: ReadonlyArray<{ debitMinor?: string; creditMinor?: string }>,
  side: 'debitMinor' | 'creditMinor',
) => lines.reduce((s, l) => s + BigInt(l[side] ?? '0'), 0n);

describe('planRun', () => {
  it('posts each class’s revenue from deferred revenue, and revenue ahead of billing to the unbilled receivable', () => {
    const plan = planRun(
      input({
        obligations: [
          obligation('C1', 'POB-SEATS', 305_753n),
          obligation('C1', 'POB-SUPPORT', 20_000n, 'services'),
          obligation('C2', 'POB-SEATS', 101_918n),
        ],
        // C1 billed a year up front; C2 billed nothing yet (in arrears).
        billed: new Map([[contractKey('C1', 'USD'), 1_200_000n]]),
      }),
    );
    expect(plan.lines.map((l) => [l.contractId, l.obligationId, l.revenueMinor, l.unbilledMinor])).toEqual([
      ['C1', 'POB-SEATS', 305_753n, 0n],
      ['C1', 'POB-SUPPORT', 20_000n, 0n],
      ['C2', 'POB-SEATS', 101_918n, 0n],
      ['C2', CONTRACT_ASSET, 0n, 101_918n],
    ]);
    expect(plan.journals).toHaveLength(1);
    const [journal] = plan.journals;
    expect(journal.payload()).toMatchObject({
      externalId: 'rr:2026-03:US:USD:1:1',
      period: '2026-03',
      subsidiary: 'US',
      currency: 'USD',
    });
    expect(journal.payload().lines).toEqual([
      { account: 'deferred_revenue', debitMinor: '20000' },
      { account: 'revenue', productClass: 'services', creditMinor: '20000' },
      { account: 'deferred_revenue', debitMinor: '407671' },
      { account: 'revenue', productClass: 'subscription', creditMinor: '407671' },
      { account: 'unbilled_receivable', debitMinor: '101918' },
      { account: 'deferred_revenue', creditMinor: '101918' },
    ]);
    expect(journal.debitMinor).toBe(529_589n);
    expect(plan.lines.every((l) => l.journalExternalId === 'rr:2026-03:US:USD:1:1')).toBe(true);
  });

  it('posts nothing when earlier runs posted everything (a re-run)', () => {
    const posted = new Map<string, PostedToDate>([
      [contractKey('C1', 'POB-SEATS'), { revenueMinor: 305_753n, unbilledMinor: 0n }],
    ]);
    const plan = planRun(
      input({
        sequence: 2,
        obligations: [obligation('C1', 'POB-SEATS', 305_753n)],
        billed: new Map([[contractKey('C1', 'USD'), 1_200_000n]]),
        posted,
      }),
    );
    expect(plan).toEqual({ lines: [], journals: [] });
  });

  it('posts only the difference after a late change, reversing when revenue went down, under the run’s own id', () => {
    const posted = new Map<string, PostedToDate>([
      [contractKey('C1', 'POB-SEATS'), { revenueMinor: 305_753n, unbilledMinor: 0n }],
      [contractKey('C2', 'POB-SEATS'), { revenueMinor: 101_918n, unbilledMinor: 0n }],
      [contractKey('C2', CONTRACT_ASSET), { revenueMinor: 0n, unbilledMinor: 101_918n }],
    ]);
    const plan = planRun(
      input({
        sequence: 2,
        // C1 expanded back in February (a catch-up of 4,000); C2 was reduced (1,918 less) and billed in full.
        obligations: [obligation('C1', 'POB-SEATS', 309_753n), obligation('C2', 'POB-SEATS', 100_000n)],
        billed: new Map([
          [contractKey('C1', 'USD'), 1_200_000n],
          [contractKey('C2', 'USD'), 100_000n],
        ]),
        posted,
      }),
    );
    expect(plan.lines.map((l) => [l.contractId, l.obligationId, l.revenueMinor, l.unbilledMinor])).toEqual([
      ['C1', 'POB-SEATS', 4_000n, 0n],
      ['C2', 'POB-SEATS', -1_918n, 0n],
      ['C2', CONTRACT_ASSET, 0n, -101_918n],
    ]);
    expect(plan.journals.map((j) => j.externalId)).toEqual(['rr:2026-03:US:USD:2:1']);
    expect(plan.journals[0]?.payload().memo).toContain('adjustment 1');
    expect(plan.journals[0]?.payload().lines).toEqual([
      { account: 'deferred_revenue', debitMinor: '2082' },
      { account: 'revenue', productClass: 'subscription', creditMinor: '2082' },
      { account: 'deferred_revenue', debitMinor: '101918' },
      { account: 'unbilled_receivable', creditMinor: '101918' },
    ]);
  });

  it('posts a journal per subsidiary and currency', () => {
    const plan = planRun(
      input({
        obligations: [
          obligation('C1', 'POB-A', 100n),
          obligation('C2', 'POB-A', 200n, 'subscription', 'EUR'),
        ],
        billed: new Map([
          [contractKey('C1', 'USD'), 100n],
          [contractKey('C2', 'EUR'), 200n],
        ]),
      }),
    );
    expect(plan.journals.map((j) => j.externalId).sort()).toEqual([
      'rr:2026-03:US:EUR:1:1',
      'rr:2026-03:US:USD:1:1',
    ]);
  });

  it('detail mode: a line pair per contract line, in balanced journals of at most 1,000 lines', () => {
    const obligations = Array.from({ length: 600 }, (_, i) =>
      obligation(`C${String(i).padStart(4, '0')}`, 'POB-SEATS', BigInt(i + 1)),
    );
    const billed = new Map(obligations.map((o) => [contractKey(o.contractId, 'USD'), 1_000_000n]));
    const plan = planRun(input({ mode: 'detail', obligations, billed }));
    expect(plan.lines).toHaveLength(600);
    expect(plan.journals.map((j) => [j.externalId, j.payload().lines.length])).toEqual([
      ['rr:2026-03:US:USD:1:1', MAX_JOURNAL_LINES],
      ['rr:2026-03:US:USD:1:2', 200],
    ]);
    for (const j of plan.journals) {
      const { lines } = j.payload();
      expect(sum(lines, 'debitMinor')).toBe(sum(lines, 'creditMinor'));
      expect(sum(lines, 'debitMinor')).toBe(j.debitMinor);
      expect(lines).toHaveLength(j.lines);
    }
    expect(plan.journals[0]?.payload().lines.slice(0, 2)).toEqual([
      { account: 'deferred_revenue', contractId: 'C0000', obligationId: 'POB-SEATS', debitMinor: '1' },
      {
        account: 'revenue',
        productClass: 'subscription',
        contractId: 'C0000',
        obligationId: 'POB-SEATS',
        creditMinor: '1',
      },
    ]);
    const total = plan.journals.reduce((s, j) => s + j.debitMinor, 0n);
    expect(total).toBe((600n * 601n) / 2n);
  });
});
