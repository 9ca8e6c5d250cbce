import type { Envelope } from '@revline/messaging';
import { describe, expect, it } from 'vitest';
import { toContractChange } from './billing-commands.handler';

const envelope = (firstCycleDate?: string): Envelope<'billing.apply-contract-change'> => ({
  job: 'billing.apply-contract-change',
  messageId: 'm-1',
  correlationId: 'c-1',
  causationId: null,
  idempotencyKey: 'k-1',
  schemaVersion: '1',
  occurredAt: '2026-01-01T00:00:00.000Z',
  tenantId: 'default',
  payload: {
    contractId: 'C-1',
    changeKind: 'create',
    customer: { name: 'Acme', crmAccountId: '001000000000001AAA' },
    currency: 'USD',
    effectiveDate: '2026-01-01',
    items: [{ lineId: 'L1', priceId: 'price_seat', quantity: '10' }],
    prorationBehavior: 'always_invoice',
    ...(firstCycleDate === undefined ? {} : { firstCycleDate }),
  },
});

describe('the billing command → port change: first cycle date', () => {
  it('carries the first cycle date of a bill-cycle day, and none without one', () => {
    expect(toContractChange(envelope('2026-01-15')).firstCycleDate).toBe('2026-01-15');
    expect('firstCycleDate' in toContractChange(envelope())).toBe(false);
  });

  it('refuses a first cycle date on or before the effective date, more than a year after it, or not a date', () => {
    for (const bad of ['2026-01-01', '2025-12-31', '2027-01-03', '15']) {
      expect(() => toContractChange(envelope(bad))).toThrow(
        /firstCycleDate must be a date after effectiveDate/,
      );
    }
  });
});
