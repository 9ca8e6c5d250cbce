import { describe, expect, it } from 'vitest';
import { computeSchedules } from '../compute-schedules';
import { RevenueInputError } from '../core/errors';
import { previewSchedules } from '../schedule-preview';
import { amendment, g1Contract, g2Expansion, seatsLine, usd } from '../testing/fixtures';
import type { RevenueContract } from './contract-input';
import type { RevenueAmendment } from '../modifications/amendment-input';

function fieldOf(run: () => unknown): { field: string; problem: string } {
  try {
    run();
  } catch (e) {
    if (e instanceof RevenueInputError) {
      return { field: e.field, problem: e.problem };
    }
    throw e;
  }
  throw new Error('expected a RevenueInputError');
}

describe('invalid input raises RevenueInputError naming the field', () => {
  const cases: [string, RevenueContract, RevenueAmendment[], string][] = [
    ['end before start', g1Contract({ termEnd: '2025-12-31' }), [], 'contract.termEnd'],
    [
      'negative quantity',
      g1Contract({ lines: [seatsLine({ quantity: '-1' })] }),
      [],
      'contract.lines[0].quantity',
    ],
    ['unknown currency', g1Contract({ currency: 'XYZ' as 'USD' }), [], 'contract.currency'],
    [
      'line currency differs',
      g1Contract({ lines: [seatsLine({ netAmount: { amountMinor: '100', currency: 'EUR' } })] }),
      [],
      'contract.lines[0].netAmount.currency',
    ],
    [
      'overflowing amount',
      g1Contract({ lines: [seatsLine({ netAmount: usd(10n ** 15n + 1n) })] }),
      [],
      'contract.lines[0].netAmount.amountMinor',
    ],
    ['not a date', g1Contract({ termStart: '2026-02-30' }), [], 'contract.termStart'],
    [
      'service outside term',
      g1Contract({ lines: [seatsLine({ serviceEnd: '2027-01-31' })] }),
      [],
      'contract.lines[0].serviceStart',
    ],
    [
      'amendment outside the term',
      g1Contract(),
      [{ ...g2Expansion, effectiveDate: '2027-03-15' }],
      'amendments[0].effectiveDate',
    ],
    [
      'amendment of another contract',
      g1Contract(),
      [{ ...g2Expansion, amendsContractId: 'C-OTHER' }],
      'amendments[0].amendsContractId',
    ],
    [
      'prior quantity that does not match',
      g1Contract(),
      [
        amendment({
          amendmentId: 'A',
          effectiveDate: '2026-03-15',
          lineDeltas: [
            {
              lineId: 'seats',
              priorQuantity: '12',
              newQuantity: '15',
              priorUnitPrice: '100',
              newUnitPrice: '100',
            },
          ],
        }),
      ],
      'amendments[0].lineDeltas[0].priorQuantity',
    ],
    [
      'unknown line',
      g1Contract(),
      [
        amendment({
          amendmentId: 'A',
          effectiveDate: '2026-03-15',
          lineDeltas: [
            { lineId: 'nope', priorQuantity: '1', newQuantity: '2', priorUnitPrice: '1', newUnitPrice: '1' },
          ],
        }),
      ],
      'amendments[0].lineDeltas[0].lineId',
    ],
    [
      'duplicate amendment',
      g1Contract(),
      [g2Expansion, { ...g2Expansion, effectiveDate: '2026-04-01' }],
      'amendments[1].amendmentId',
    ],
  ];

  it.each(cases)('%s', (_name, contract, amendments, field) => {
    const error = fieldOf(() => computeSchedules(contract, amendments));
    expect(error.field).toBe(field);
    expect(error.problem.length).toBeGreaterThan(5);
  });
});

describe('previewSchedules validates a raw request body', () => {
  it('rejects unknown fields and bad shapes with the field path', () => {
    expect(
      fieldOf(() =>
        previewSchedules({ contract: { ...g1Contract(), customer: { customerId: 'X' }, extra: 1 } }),
      ).field,
    ).toBe('contract.extra');
    expect(
      fieldOf(() =>
        previewSchedules({
          contract: {
            ...g1Contract(),
            customer: { customerId: 'X' },
            lines: [{ ...seatsLine(), quantity: 10 }],
          },
        }),
      ).field,
    ).toBe('contract.lines[0].quantity');
  });

  it('returns JSON-safe amounts as strings', () => {
    const dto = previewSchedules({ contract: { ...g1Contract(), customer: { customerId: 'X' } } });
    expect(dto.obligations[0]?.periods[0]).toEqual({
      period: '2026-01',
      amountMinor: '101918',
      cumulativeMinor: '101918',
    });
    expect(() => JSON.stringify(dto)).not.toThrow();
  });
});
