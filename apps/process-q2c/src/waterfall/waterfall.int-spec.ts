import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import { APP } from '../app.info';
import { DATABASE } from '../database';

interface Month {
  period: string;
  openingDeferredMinor: string;
  openingUnbilledMinor: string;
  billedMinor: string;
  recognisedMinor: string;
  closingDeferredMinor: string;
  closingUnbilledMinor: string;
}

const SEATS = {
  lineId: 'seats',
  productCode: 'SEAT',
  pobId: 'seats',
  chargeType: 'recurring',
  quantity: '10',
  unitPrice: '100',
  unitPricePeriod: 'month',
  netAmount: { amountMinor: '1200000', currency: 'USD' },
  serviceStart: '2026-01-01',
  serviceEnd: '2026-12-31',
  revenueTreatment: 'ratable_daily',
};
/** The golden examples (domain/golden-examples.md) as normalisation stores them. */
const G1 = {
  contractId: 'W1',
  currency: 'USD',
  termStart: '2026-01-01',
  termEnd: '2026-12-31',
  billingFrequency: 'annual',
  billingTiming: 'advance',
  lines: [SEATS],
};
const amendment = (
  amendmentId: string,
  amendmentType: string,
  effectiveDate: string,
  from: string,
  to: string,
) => ({
  amendmentId,
  amendsContractId: 'W1',
  amendmentType,
  effectiveDate,
  coTerminated: true,
  lineDeltas: [
    { lineId: 'seats', priorQuantity: from, newQuantity: to, priorUnitPrice: '100', newUnitPrice: '100' },
  ],
});

/**
 * The waterfall of G1 amended by G2 (5 seats from 2026-03-15, a separate contract) and G5 (those 5 seats removed
 * from 2026-10-01, credited): events stored as normalisation stores them, the invoices and the credit note as the
 * billing platform announced them (the credit note not yet taken by a saga, found by its subscription).
 */
describe('revenue waterfall (process-q2c)', () => {
  let db: TestDatabase;
  let q2c: TestApp;
  let viewer: string;

  const event = async (payload: object, type: string, at: string, contractId = 'W1'): Promise<void> => {
    await db.dataSource.query(
      `INSERT INTO "q2c"."canonical_events" ("event_id", "source_key", "event_type", "schema_version", "contract_id", "mapping_version", "correlation_id", "occurred_at", "recorded_at", "payload")
       VALUES ($1, $2, $3, '1.0', $6, 1, 'c', $4, $4, $5)`,
      [randomUUID(), randomUUID(), type, at, JSON.stringify({ eventType: type, ...payload }), contractId],
    );
  };
  const bookingSaga = async (contractId: string, subscriptionId: string): Promise<string> => {
    const sagaId = randomUUID();
    await db.dataSource.query(
      `INSERT INTO "q2c"."sagas" ("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id", "committed_at", "data")
       VALUES ($1, $2, 'booking', $3, 'completed', 'done', 'c', now(), $4)`,
      [
        sagaId,
        randomUUID(),
        contractId,
        JSON.stringify({ subscriptionId, invoices: [], creditNotes: [], pending: [] }),
      ],
    );
    return sagaId;
  };
  const document = async (
    kind: string,
    minor: number,
    issuedOn: string,
    sagaId: string | null,
  ): Promise<void> => {
    const id = `${kind}_${randomUUID()}`;
    await db.dataSource.query(
      `INSERT INTO "q2c"."billing_documents" ("document_id", "kind", "customer_id", "subscription_id", "saga_id", "payload")
       VALUES ($1, $2, 'cus_W1', 'sub_W1', $3, $4)`,
      [
        id,
        kind,
        sagaId,
        JSON.stringify({
          documentId: id,
          customerId: 'cus_W1',
          subscriptionId: 'sub_W1',
          total: { amountMinor: String(minor), currency: 'USD' },
          tax: { amountMinor: '0', currency: 'USD' },
          issuedOn,
          lines: [],
          eventCreatedAt: `${issuedOn}T00:00:00Z`,
        }),
      ],
    );
  };

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    q2c = await createTestApp(AppModule, APP, { RECONCILIATION_CRON: 'off' });
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    await event(G1, 'ContractBooked', '2026-01-01T00:00:00Z');
    await event(
      amendment('A-G2', 'expansion', '2026-03-15', '10', '15'),
      'ContractAmended',
      '2026-03-15T00:00:00Z',
    );
    await event(
      amendment('A-G5', 'reduction', '2026-10-01', '15', '10'),
      'ContractAmended',
      '2026-10-01T00:00:00Z',
    );
    const sagaId = await bookingSaga('W1', 'sub_W1');
    await document('invoice', 1_200_000, '2026-01-01', sagaId);
    await document('invoice', 480_000, '2026-03-15', sagaId);
    await document('credit_note', 151_233, '2026-10-01', null);
    // W2: G1's terms booked back-dated on 2026-04-01, its 12,000.00 invoiced that day.
    await event({ ...G1, contractId: 'W2' }, 'ContractBooked', '2026-04-01T00:00:00Z', 'W2');
    await document('invoice', 1_200_000, '2026-04-01', await bookingSaga('W2', 'sub_W2'));
  }, 120_000);

  afterAll(async () => {
    await q2c.close();
    await db.drop();
  });

  const months = async (
    query: string,
  ): Promise<{
    currencies: Array<{ months: Month[]; closingDeferredMinor: string; closingUnbilledMinor: string }>;
  }> => {
    const res = await request(q2c.url).get(`/v1/revenue/waterfall?${query}`).set(bearer(viewer)).expect(200);
    return res.body as {
      currencies: Array<{ months: Month[]; closingDeferredMinor: string; closingUnbilledMinor: string }>;
    };
  };

  it('recognises G1, G2 and G5 by month and rolls the deferred revenue forward to nothing at year end', async () => {
    const body = await months('from=2026-01&to=2026-12&contractId=W1');
    const usd = body.currencies.at(0);
    const byPeriod = new Map((usd?.months ?? []).map((m) => [m.period, m]));
    expect(byPeriod.get('2026-01')).toEqual({
      period: '2026-01',
      openingDeferredMinor: '0',
      openingUnbilledMinor: '0',
      billedMinor: '1200000',
      recognisedMinor: '101918',
      closingDeferredMinor: '1098082',
      closingUnbilledMinor: '0',
    });
    // March: 1,019.17 of G1 + 279.45 of G2; 4,800.00 invoiced for the 5 seats.
    expect(byPeriod.get('2026-03')).toMatchObject({ billedMinor: '480000', recognisedMinor: '129862' });
    // Q4 after G5: the 10 remaining seats, 3,024.66 in all; the credit note of 1,512.33 in October.
    const q4 = ['2026-10', '2026-11', '2026-12'].map((p) => BigInt(byPeriod.get(p)?.recognisedMinor ?? '0'));
    expect(q4.reduce((a, b) => a + b, 0n)).toBe(302_466n);
    expect(byPeriod.get('2026-10')?.billedMinor).toBe('-151233');
    expect(usd?.closingDeferredMinor).toBe('0');
    for (const m of usd?.months ?? [])
      expect(BigInt(m.openingDeferredMinor) + BigInt(m.billedMinor) - BigInt(m.recognisedMinor)).toBe(
        BigInt(m.closingDeferredMinor),
      );
  });

  it('opens a later window with the deferred balance of the months before it', async () => {
    const body = await months('from=2026-02&to=2026-02&contractId=W1');
    expect(body.currencies.at(0)?.months).toEqual([
      {
        period: '2026-02',
        openingDeferredMinor: '1098082',
        openingUnbilledMinor: '0',
        billedMinor: '0',
        recognisedMinor: '92055',
        closingDeferredMinor: '1006027',
        closingUnbilledMinor: '0',
      },
    ]);
    expect((await months('from=2026-01&to=2026-12&contractId=OTHER')).currencies).toEqual([]);
    expect((await months('from=2026-01&to=2026-12&currency=EUR')).currencies).toEqual([]);
  });

  it('answers CSV with decimal amounts', async () => {
    const res = await request(q2c.url)
      .get('/v1/revenue/waterfall?from=2026-01&to=2026-01')
      .set(bearer(viewer))
      .set('accept', 'text/csv')
      .expect(200);
    expect(res.headers['content-type']).toContain('text/csv');
    // W1 billed 12,000.00 ahead of January's revenue; W2's January revenue unbilled yet.
    expect(res.text.split('\r\n')).toEqual([
      '\uFEFFcurrency,period,opening_deferred,opening_unbilled,billed,recognised,closing_deferred,closing_unbilled,opening_deferred_minor,opening_unbilled_minor,billed_minor,recognised_minor,closing_deferred_minor,closing_unbilled_minor,posted_to_erp,posted_to_erp_minor',
      'USD,"=""2026-01""",0.00,0.00,12000.00,2038.36,10980.82,1019.18,0,0,1200000,203836,1098082,101918,,',
      '',
    ]);
  });

  it('shows a back-dated booking as unbilled receivable until it is invoiced, never as negative deferred revenue', async () => {
    const body = await months('from=2026-01&to=2026-12&contractId=W2');
    const usd = body.currencies.at(0);
    expect(usd?.months.slice(0, 4)).toEqual([
      {
        period: '2026-01',
        openingDeferredMinor: '0',
        openingUnbilledMinor: '0',
        billedMinor: '0',
        recognisedMinor: '101918',
        closingDeferredMinor: '0',
        closingUnbilledMinor: '101918',
      },
      expect.objectContaining({
        period: '2026-02',
        closingDeferredMinor: '0',
        closingUnbilledMinor: '193973',
      }),
      expect.objectContaining({
        period: '2026-03',
        closingDeferredMinor: '0',
        closingUnbilledMinor: '295890',
      }),
      {
        period: '2026-04',
        openingDeferredMinor: '0',
        openingUnbilledMinor: '295890',
        billedMinor: '1200000',
        recognisedMinor: '98631',
        closingDeferredMinor: '805479',
        closingUnbilledMinor: '0',
      },
    ]);
    for (const m of usd?.months ?? []) {
      expect(BigInt(m.closingDeferredMinor)).toBeGreaterThanOrEqual(0n);
      expect(BigInt(m.closingUnbilledMinor)).toBeGreaterThanOrEqual(0n);
    }
    expect(usd).toMatchObject({ closingDeferredMinor: '0', closingUnbilledMinor: '0' });
  });
});
