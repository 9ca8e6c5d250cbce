import type { Connection } from 'jsforce';
import type Stripe from 'stripe';
import { expect } from 'vitest';
import { G1_MONTHS } from './golden';

/** What the end-state checks read: the database (all schemas), Salesforce, Stripe and NetSuite's SuiteQL. */
export interface Q2cSystems {
  query<T>(sql: string, params?: unknown[]): Promise<T>;
  sales: Connection;
  stripe: Stripe;
  suiteql(q: string): Promise<Array<Record<string, string>>>;
}

interface SagaSummary {
  kind: string;
  status: string;
  step: string;
  last_error: string | null;
  data: { subscriptionId?: string };
}

/** G2's journals (golden examples): the expansion's own schedule from 2026-03-15, by period, in minor units. */
export const G2_JOURNALS = [
  ['2026-03', '27945'],
  ['2026-04', '49315'],
  ['2026-05', '50959'],
  ['2026-06', '49315'],
  ['2026-07', '50959'],
  ['2026-08', '50959'],
  ['2026-09', '49315'],
  ['2026-10', '50959'],
  ['2026-11', '49315'],
  ['2026-12', '50959'],
];

/** NetSuite transactions whose external id is there more than once (each must be there once). */
export async function erpDuplicates(systems: Q2cSystems): Promise<string[]> {
  const rows = await systems.suiteql('SELECT externalid FROM transaction');
  const seen = new Map<string, number>();
  for (const r of rows) {
    const id = r.externalid;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${String(n)}`);
}

/**
 * What a booked and expanded contract left in Stripe, NetSuite and Salesforce, in terms that do not depend on
 * ids or timing: an undisturbed run and a disturbed one must give the same.
 */
export async function contractEndState(systems: Q2cSystems, orderId: string, amendmentOrderId: string) {
  const sagas = await systems.query<SagaSummary[]>(
    `SELECT "kind", "status", "step", "last_error", "data" FROM "q2c"."sagas" WHERE "contract_id" = $1
      ORDER BY "saga_id"`,
    [orderId],
  );
  const subscriptionId = sagas[0]?.data.subscriptionId ?? '';
  const subscription = await systems.stripe.subscriptions.retrieve(subscriptionId);
  // Every subscription of the customer, of every status, that carries this contract's id.
  const subscriptions = await systems.stripe.subscriptions.list({
    customer: typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id,
    status: 'all',
    limit: 100,
  });
  const ofContract = subscriptions.data.filter((s) => s.metadata.revline_contract_id === orderId);
  const invoices = await systems.stripe.invoices.list({ subscription: subscriptionId });
  const erpInvoices = await Promise.all(
    invoices.data.map(async (i) => {
      const rows = await systems.suiteql(
        `SELECT externalid, foreigntotal FROM transaction WHERE externalid = 'INV-${i.id}'`,
      );
      return rows.map((r) => r.foreigntotal).join('+');
    }),
  );
  const postings = await systems.query<
    Array<{ version: number; period: string; posted: string; external_id: string; obligation_id: string }>
  >(
    `SELECT "schedule_version" AS version, "period", "posted_amount_minor" AS posted, "external_id", "obligation_id"
       FROM "erp"."revenue_postings" WHERE "contract_id" = $1 AND "outcome" = 'posted'
      ORDER BY "schedule_version", "period", "external_id"`,
    [orderId],
  );
  const journalIds = postings.map((p) => p.external_id);
  const recognition = postings.filter((p) => p.obligation_id !== 'contract-asset');
  const inErp =
    journalIds.length > 0
      ? await systems.suiteql(
          `SELECT externalid FROM transaction WHERE externalid IN (${journalIds.map((id) => `'${id}'`).join(', ')})`,
        )
      : [];
  // The stored revenue plan (each obligation's latest version), summed by period: what a period close posts.
  const schedules = await systems.query<Array<{ periods: Array<{ period: string; amountMinor: string }> }>>(
    `SELECT "periods" FROM "q2c"."revenue_schedules" WHERE "contract_id" = $1`,
    [orderId],
  );
  const plan = new Map<string, bigint>();
  for (const { periods } of schedules)
    for (const m of periods) plan.set(m.period, (plan.get(m.period) ?? 0n) + BigInt(m.amountMinor));
  const statusOf = async (id: string): Promise<unknown> =>
    ((await systems.sales.sobject('Order').retrieve(id)) as Record<string, unknown>)
      .Revline_Integration_Status__c;
  return {
    sagas: sagas.map((s) => [s.kind, s.status, s.step, s.last_error]),
    subscriptionsOfContract: ofContract.length,
    quantities: subscription.items.data.map((i) => i.quantity),
    stripeInvoiceTotals: invoices.data.map((i) => i.total).sort((a, b) => a - b),
    erpInvoiceTotals: erpInvoices.sort(),
    // Recognition journals by version; contract-asset ones (obligation `contract-asset`) depend on the day G1 is
    // booked (after its term start, its revenue runs ahead of billing until then) and are left out here.
    journalsByVersion: [...new Set(recognition.map((p) => p.version))].map((v) =>
      recognition.filter((p) => p.version === v).map((p) => [p.period, p.posted]),
    ),
    journalsInErpOnce: inErp.length === journalIds.length && new Set(journalIds).size === journalIds.length,
    planByPeriod: [...plan]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([period, amount]) => [period, amount.toString()]),
    writeBack: [await statusOf(orderId), await statusOf(amendmentOrderId)],
  };
}

export type ContractEndState = Awaited<ReturnType<typeof contractEndState>>;

/** G1 booked (12,000.00 invoice, January 1,019.18) and expanded as G2 (4,800.00 invoice, its journals). */
export function expectG1G2EndState(state: ContractEndState): void {
  expect(state.sagas).toEqual([
    ['booking', 'completed', 'done', null],
    ['expansion', 'completed', 'done', null],
  ]);
  expect(state.subscriptionsOfContract).toBe(1);
  expect(state.quantities).toEqual([15]);
  expect(state.stripeInvoiceTotals).toEqual([480_000, 1_200_000]);
  expect(state.erpInvoiceTotals).toEqual(['12000.00', '4800.00']);
  expect(state.journalsByVersion[0]?.[0]).toEqual(['2026-01', '101918']);
  expect(state.journalsByVersion[0]?.reduce((s, [, p]) => s + BigInt(p), 0n)).toBe(1_200_000n);
  expect(state.journalsByVersion.at(-1)).toEqual(G2_JOURNALS);
  expect(state.journalsInErpOnce).toBe(true);
  expect(state.writeBack).toEqual(['Synced', 'Synced']);
}

/**
 * G1 booked and expanded as G2 with revenue posted at period close (the default): the same documents, no journal
 * posted by the sagas, and the stored plan G1's months plus, from March, G2's.
 */
export function expectG1G2PlanEndState(state: ContractEndState): void {
  expect(state.sagas).toEqual([
    ['booking', 'completed', 'done', null],
    ['expansion', 'completed', 'done', null],
  ]);
  expect(state.subscriptionsOfContract).toBe(1);
  expect(state.quantities).toEqual([15]);
  expect(state.stripeInvoiceTotals).toEqual([480_000, 1_200_000]);
  expect(state.erpInvoiceTotals).toEqual(['12000.00', '4800.00']);
  expect(state.journalsByVersion).toEqual([]);
  const g2 = new Map(G2_JOURNALS.map(([period, amount]) => [period, BigInt(amount)]));
  expect(state.planByPeriod).toEqual(
    G1_MONTHS.map((amount, i) => {
      const period = `2026-${String(i + 1).padStart(2, '0')}`;
      return [period, (BigInt(amount) + (g2.get(period) ?? 0n)).toString()];
    }),
  );
  expect(state.writeBack).toEqual(['Synced', 'Synced']);
}
