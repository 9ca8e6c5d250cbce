import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetSuiteError } from '../errors/netsuite-error';
import { PrepareRecord } from '../records/prepare-record';
import type { RecordType } from '../records/record-schemas';
import { RecordStore } from '../records/record-store';
import { RecordsService } from '../records/records.service';
import { ReferenceResolver } from '../records/reference-resolver';
import { GeneralLedger } from './general-ledger';

const TYPES: RecordType[] = ['customer', 'invoice', 'creditMemo', 'customerPayment', 'journalEntry'];
const amount = fc.oneof(
  fc.integer({ min: 0, max: 5_000_000 }).map((c) => (c / 100).toFixed(2)),
  fc.constantFrom('1.005', '-3.00', 'abc', '0'),
);
const period = fc.constantFrom('2026-01', '2026-02', '2026-03');
const date = period.map((p) => `${p}-15`);
const eid = fc.constantFrom('A', 'B', 'C', 'D');

const command = fc.oneof(
  fc.record({
    op: fc.constant('invoice' as const),
    eid,
    date,
    amounts: fc.array(amount, { minLength: 1, maxLength: 3 }),
    tax: amount,
  }),
  fc.record({
    op: fc.constant('creditMemo' as const),
    eid,
    date,
    amounts: fc.array(amount, { minLength: 1, maxLength: 2 }),
    tax: amount,
  }),
  fc.record({ op: fc.constant('payment' as const), eid, date, amount, applyTo: eid }),
  fc.record({ op: fc.constant('journal' as const), eid, date, debit: amount, credit: amount }),
  fc.record({
    op: fc.constant('delete' as const),
    eid,
    type: fc.constantFrom<RecordType>('invoice', 'creditMemo', 'customerPayment', 'journalEntry'),
  }),
  fc.record({ op: fc.constant('close' as const), period }),
  fc.record({ op: fc.constant('reopen' as const), period }),
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

const header = (date: string) => ({ tranDate: date, subsidiary: { id: '1' }, currency: { id: '1' } });

function apply(svc: RecordsService, ledger: GeneralLedger, c: Command): void {
  switch (c.op) {
    case 'invoice':
    case 'creditMemo':
      svc.upsert(c.op, `eid:${c.op}-${c.eid}`, {
        ...header(c.date),
        entity: { externalId: 'CUS' },
        item: {
          items: c.amounts.map((a, i) => ({
            item: { id: '1' },
            amount: a,
            ...(i === 0 ? { taxDetailsReference: 'L1' } : {}),
          })),
        },
        taxDetailsOverride: true,
        taxDetails: {
          items: [
            {
              taxDetailsReference: 'L1',
              taxType: { id: '1' },
              taxCode: { id: '1' },
              taxBasis: c.amounts[0],
              taxRate: 0,
              taxAmount: c.tax,
            },
          ],
        },
      });
      return;
    case 'payment': {
      let doc = 'none';
      try {
        doc = svc.find('invoice', `eid:invoice-${c.applyTo}`).id;
      } catch {
        // No such invoice: the payment is refused for it.
      }
      svc.upsert('customerPayment', `eid:pay-${c.eid}`, {
        ...header(c.date),
        customer: { externalId: 'CUS' },
        payment: c.amount,
        apply: { items: [{ doc: { id: doc }, line: 0, apply: true, amount: c.amount }] },
      });
      return;
    }
    case 'journal':
      svc.upsert('journalEntry', `eid:je-${c.eid}`, {
        ...header(c.date),
        line: {
          items: [
            { account: { id: '4' }, debit: c.debit },
            { account: { id: '5' }, credit: c.credit },
          ],
        },
      });
      return;
    case 'delete':
      svc.delete(
        c.type,
        `eid:${c.type === 'customerPayment' ? 'pay' : c.type === 'journalEntry' ? 'je' : c.type}-${c.eid}`,
      );
      return;
    case 'close':
      ledger.closePeriod(c.period);
      return;
    case 'reopen':
      ledger.reopenPeriod(c.period);
      return;
  }
}

describe('the sandbox ledger', () => {
  it('always balances, and a refused write changes nothing', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const store = new RecordStore();
        const ledger = new GeneralLedger();
        const svc = new RecordsService(
          store,
          ledger,
          new PrepareRecord(new ReferenceResolver(store), store, ledger),
        );
        svc.create('customer', {
          externalId: 'CUS',
          companyName: 'Acme',
          subsidiary: { id: '1' },
          currency: { id: '1' },
        });
        const snapshot = () =>
          JSON.stringify(
            { lines: ledger.lines(), records: TYPES.flatMap((t) => store.all(t)) },
            (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
          );
        for (const c of commands) {
          const before = snapshot();
          try {
            apply(svc, ledger, c);
          } catch (error) {
            if (!(error instanceof NetSuiteError)) throw error;
            expect(snapshot()).toBe(before);
          }
          for (const value of Object.values(ledger.imbalance())) expect(value).toBe('0');
          for (const t of new Set(ledger.lines().map((l) => l.transaction))) {
            const own = ledger.lines().filter((l) => l.transaction === t);
            expect(own.reduce((s, l) => s + l.debitMinor - l.creditMinor, 0n)).toBe(0n);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
