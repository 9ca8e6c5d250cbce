import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { computeSchedules } from '@revline/revenue';
import type { RevenueRunListDto } from '@revline/finance-api';
import { bearer, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { MappingDefinition } from '../../apps/process-q2c/src/mappings/mapping-definition';
import type { Q2cEnv, SagaRow } from './q2c-env';
import { netsuitePlans } from './netsuite-plans';
import { startQ2cEnv } from './q2c-env';
import { G1_MONTHS } from '../support/golden';

/**
 * The booking scenario in full: the G2 expansion to 15 seats from 2026-03-15 adds the premium analytics module, a
 * performance obligation of its own with the catalogue's revenue treatment (monthly_prorated), billed on its own
 * Stripe price (3,000.00 a year). Revenue is posted at period close (the default): the saga stores the module's plan
 * beside the seats', and March's revenue run posts the three.
 */
describe('expansion with the premium analytics module through the sandbox', () => {
  let env: Q2cEnv;
  let orderId: string;
  let sfContractId: string;
  let seatLineId: string;
  let booking: SagaRow;
  let modulePriceId: string;

  beforeAll(async () => {
    env = await startQ2cEnv();
    const product = await env.stripe.products.create({ name: 'Premium analytics' });
    modulePriceId = (
      await env.stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 300_000,
        recurring: { interval: 'year' },
      })
    ).id;
    const active = await request(env.q2c.url).get('/v1/mappings/active').set(bearer(env.admin)).expect(200);
    const { definition: current, version: baseVersion } = active.body as {
      definition: MappingDefinition;
      version: number;
    };
    const proposal: MappingDefinition = {
      ...current,
      productCatalogue: [
        ...current.productCatalogue,
        {
          productCode: 'ANALYTICS',
          billingPriceId: modulePriceId,
          erpItemId: 'ITEM-ANALYTICS',
          revenueTreatment: 'monthly_prorated',
          ssp: '3000',
          unitPricePeriod: 'year',
          pobId: 'POB-ANALYTICS',
          productClass: 'subscription',
          chargeType: 'recurring',
        },
      ],
    };
    const proposed = await request(env.q2c.url)
      .post('/v1/mappings/versions')
      .set(bearer(env.admin))
      .send({ summary: 'Map the premium analytics module', baseVersion, definition: proposal })
      .expect(201);
    const checker = await seedApiKey(env.db.dataSource, ['integration.admin']);
    await request(env.q2c.url)
      .post(`/v1/mappings/versions/${String((proposed.body as { version: number }).version)}/approve`)
      .set(bearer(checker))
      .send({ reason: 'Module price and ERP item checked' })
      .expect(200);

    ({ orderId, saga: booking, sfContractId, seatLineId } = await env.bookAndContractG1());
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('adds the module beside 15 seats: its Stripe item and proration, its treatment, its own NetSuite schedule', async () => {
    const amended = await request(env.sfSandbox.url)
      .post('/sandbox/cpq/amendments')
      .send({
        contractId: sfContractId,
        effectiveDate: '2026-03-15',
        changes: [{ orderItemId: seatLineId, quantity: 15 }],
        additions: [{ pricebookEntryId: env.catalogue.analyticsEntryId, quantity: 1, unitPrice: 3000 }],
      })
      .expect(201);
    const amendmentOrderId = (amended.body as { orderId: string }).orderId;
    await activateOrders(env.sales, [amendmentOrderId]);
    const expansion = (await env.completed(orderId, 2)).at(1);
    expect(expansion).toMatchObject({ kind: 'expansion', step: 'done', last_error: null });
    // Seats 6,000 × 292/365 = 4,800.00; the module 3,000 × 292/365 = 2,400.00.
    expect(expansion?.data).toMatchObject({
      expectedProrationMinor: '720000',
      billedProrationMinor: '720000',
    });

    // Stripe: the subscription carries the module as a second item; the proration invoice includes it.
    const subscription = await env.stripe.subscriptions.retrieve(booking.data.subscriptionId ?? '');
    const seatPriceId = subscription.items.data.find((i) => i.price.id !== modulePriceId)?.price.id;
    expect(subscription.items.data.map((i) => [i.price.id, i.quantity]).sort()).toEqual(
      [
        [seatPriceId, 15],
        [modulePriceId, 1],
      ].sort(),
    );
    const invoices = await env.stripe.invoices.list({ subscription: subscription.id });
    const proration = invoices.data.find((i) => i.total === 720_000);
    expect(proration, JSON.stringify(invoices.data.map((i) => i.total))).toBeDefined();
    const moduleLines = proration?.lines.data.filter(
      (l) => l.pricing?.price_details?.price === modulePriceId,
    );
    expect(moduleLines?.map((l) => l.amount)).toEqual([240_000]);

    // The engine's treatment, with its reason, per the stored events: the same computeSchedules the saga ran.
    const events = await env.db.dataSource.query<Array<{ payload: ContractBooked | ContractAmended }>>(
      `SELECT "payload" FROM "q2c"."canonical_events" WHERE "contract_id" = $1 ORDER BY "recorded_at", "event_id"`,
      [orderId],
    );
    const first = events.at(0)?.payload;
    if (first?.eventType !== 'ContractBooked') throw new Error('no booking');
    const amendments = events
      .map((e) => e.payload)
      .filter((e): e is ContractAmended => e.eventType === 'ContractAmended');
    const expected = computeSchedules(first, amendments);
    const modification = expected.modifications.at(-1);
    expect(modification?.treatment).toBe('separate_contract');
    expect(expansion?.data.treatment).toBe(modification?.treatment);
    expect((expansion?.data as { treatmentReason?: string } | undefined)?.treatmentReason).toBe(
      modification?.reason,
    );
    const moduleObligation = expected.obligations.find((o) => o.productCode === 'ANALYTICS');
    if (!moduleObligation) throw new Error('the engine has no obligation for the module');
    expect(moduleObligation.method).toBe('monthly_prorated');
    const seatObligations = expected.obligations.filter((o) => o.productCode === 'SEAT');
    expect(seatObligations.map((o) => o.pobId)).not.toContain(moduleObligation.pobId);

    // The module's own revenue plan, exactly the engine's, apart from the seats'; no journal posted by the saga.
    const version = expansion?.data.scheduleVersion ?? 0;
    const stored = await env.db.dataSource.query<
      Array<{
        obligation_id: string;
        version: number;
        periods: Array<{ period: string; amountMinor: string }>;
      }>
    >(
      `SELECT "obligation_id", "schedule_version" AS version, "periods" FROM "q2c"."revenue_schedules"
        WHERE "contract_id" = $1 ORDER BY "obligation_id"`,
      [orderId],
    );
    const plan = (obligation: string | undefined) =>
      (stored.find((r) => r.obligation_id === obligation)?.periods ?? [])
        .filter((p) => BigInt(p.amountMinor) !== 0n)
        .map((p) => [p.period, p.amountMinor]);
    const postings = plan(moduleObligation.pobId);
    expect(postings).toEqual(
      moduleObligation.periods
        .filter((p) => p.amountMinor !== 0n)
        .map((p) => [p.period, p.amountMinor.toString()]),
    );
    expect(await env.netsuite.suiteql(`SELECT externalid FROM transaction WHERE type = 'Journal'`)).toEqual(
      [],
    );
    // Both lines are priced at their standalone selling price: the module keeps its own 2,400.00, the seats their
    // 4,800.00 (G2), together the 7,200.00 Stripe invoiced.
    const moduleTotal = postings.reduce((s, [, amount]) => s + BigInt(amount), 0n);
    expect(moduleTotal).toBe(moduleObligation.allocatedMinor);
    expect(moduleTotal).toBe(240_000n);
    const major = (minor: bigint): string => (Number(minor) / 100).toFixed(2);
    // Period close: each plan rides on the line of the invoice that bills it (no schedule record of its own).
    const schedules = await netsuitePlans(env.netsuite);
    expect(schedules.every((r) => r.on === 'invoice')).toBe(true);
    const moduleSchedule = schedules.find(
      (r) => r.obligation === moduleObligation.pobId && r.version === String(version),
    );
    expect(moduleSchedule?.total).toBe(major(moduleObligation.allocatedMinor));
    expect(JSON.parse(moduleSchedule?.periods ?? '[]')).toEqual(
      moduleObligation.periods.map((p) => ({ period: p.period, amount: major(p.amountMinor) })),
    );
    // The seats' expansion is a schedule of its own, not merged with the module's.
    const seatSchedules = schedules.filter((r) => r.obligation !== moduleObligation.pobId);
    expect(seatSchedules.map((r) => r.version).sort()).toEqual(['1', String(version)]);
    const expansionSeats = stored.filter(
      (r) => r.obligation_id !== moduleObligation.pobId && r.obligation_id !== 'POB-SEATS',
    );
    expect(expansionSeats.map((r) => r.version)).toEqual([version]);
    const seatExpansion = plan(expansionSeats[0]?.obligation_id);
    expect(seatExpansion.reduce((s, [, amount]) => s + BigInt(amount), 0n)).toBe(480_000n);
    expect(seatExpansion[0]).toEqual(['2026-03', '27945']);

    // March's revenue run, the first, posts the revenue to March's end: G1's January..March, G2's 279.45 and the
    // module's March; the module's own line in the run's contract detail is its March.
    const operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    await request(env.q2c.url)
      .post('/v1/close/2026-03/revenue-runs')
      .set(bearer(operator))
      .send({})
      .expect(200);
    await env.settle();
    const runs = await request(env.q2c.url)
      .get('/v1/close/2026-03/revenue-runs')
      .set(bearer(operator))
      .expect(200);
    const march = (runs.body as RevenueRunListDto).items.at(0);
    expect(march?.state).toBe('posted');
    const moduleMarch = BigInt(postings.find(([period]) => period === '2026-03')?.[1] ?? '0');
    expect(moduleMarch).toBeGreaterThan(0n);
    const lines = await request(env.q2c.url)
      .get(`/v1/close/2026-03/revenue-runs/${march?.runId ?? ''}/lines`)
      .set(bearer(operator))
      .expect(200);
    const moduleLine = lines.text
      .split('\n')
      .find((l) => l.startsWith(`${orderId},${moduleObligation.pobId},`));
    expect(moduleLine?.split(',')[7]).toBe(moduleMarch.toString());
    const revenue = (
      await env.netsuite.suiteql(`SELECT SUM(amount) AS b FROM transactionaccountingline WHERE account = '5'`)
    ).at(0);
    expect(-BigInt((revenue?.b ?? '0.00').replace('.', ''))).toBe(
      G1_MONTHS.slice(0, 3).reduce((s, m) => s + BigInt(m), 0n) + 27_945n + moduleMarch,
    );
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
  }, 90_000);
});
