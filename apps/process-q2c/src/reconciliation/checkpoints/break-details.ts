import type { BreakUnit } from '@revline/finance-api';
import type { RunContext } from './checkpoint';
import { customerOf } from './checkpoint';

/** The unit of each compared field; every other field of the checkpoints is money in minor units. */
const FIELD_UNITS: Record<string, BreakUnit> = {
  quantity: 'quantity',
  copies: 'count',
  date: 'date',
  startDate: 'date',
  currency: 'currency',
  openMinutes: 'minutes',
  customer: 'reference',
};

/**
 * The side that changed since both sides last agreed, per category: `expected` (Salesforce for salesforce-billing,
 * billing for billing-erp), `actual` (billing, the ERP), or `sent` when the actual side lost a record Revline had
 * sent it (the actual side if Revline recorded the record it created there, else they never agreed). A category not
 * listed never agreed (a record never sent, an overdue saga).
 */
const CHANGED_SIDES: Record<string, 'expected' | 'actual' | 'sent'> = {
  amendment_not_billed: 'expected',
  date_mismatch: 'actual',
  quantity_mismatch: 'actual',
  currency_mismatch: 'actual',
  price_mismatch: 'actual',
  unknown_in_billing: 'actual',
  unknown_customer_in_billing: 'actual',
  subscription_missing: 'sent',
  missing_in_erp: 'sent',
  voided_in_billing_open_in_erp: 'expected',
  duplicate_in_erp: 'actual',
  amount_mismatch: 'actual',
  tax_mismatch: 'actual',
  unknown_in_erp: 'actual',
  revenue_mismatch: 'actual',
  unexpected_revenue: 'actual',
  recognised_to_date_mismatch: 'actual',
  deferred_mismatch: 'actual',
  unbilled_mismatch: 'actual',
};

/** Salesforce dates are edited in Salesforce (an activated order's start date), not in billing. */
const CHANGED_SIDE_OVERRIDES: Array<{ checkpoint: string; category: string; side: 'expected' | 'actual' }> = [
  { checkpoint: 'salesforce-billing', category: 'date_mismatch', side: 'expected' },
];

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;
const rows = (entries: Array<[string, string]>): string =>
  entries.map(([k, v]) => `(${quote(k)}, ${quote(v)})`).join(', ');

/**
 * Completes what a checkpoint found: each break's unit, which side changed, and the customer (the newest saga's
 * billing customer of its contract) where the checkpoint did not know it; then drops what falls outside the run's
 * contract or customer.
 */
export async function completeFound(ctx: RunContext): Promise<void> {
  const overrides = CHANGED_SIDE_OVERRIDES.map(
    (o) => `(${quote(o.checkpoint)}, ${quote(o.category)}, ${quote(o.side)})`,
  ).join(', ');
  await ctx.runner.query(`UPDATE "found" f
      SET "unit" = coalesce(f."unit",
            (SELECT u.unit FROM (VALUES ${rows(Object.entries(FIELD_UNITS))}) AS u(field, unit)
              WHERE u.field = f."field"), 'money'),
          "changed_side" = coalesce(
            (SELECT o.side FROM (VALUES ${overrides}) AS o(checkpoint, category, side)
              WHERE o.checkpoint = f."checkpoint" AND o.category = f."category"),
            (SELECT CASE WHEN s.side <> 'sent' THEN s.side WHEN f."actual_source_id" IS NOT NULL THEN 'actual' END
               FROM (VALUES ${rows(Object.entries(CHANGED_SIDES))}) AS s(category, side)
              WHERE s.category = f."category")),
          "customer_id" = coalesce(f."customer_id", ${customerOf('f."contract_id"')})`);
  // A run limited to a contract or a customer keeps only what is theirs.
  await ctx.runner.query(
    `DELETE FROM "found" WHERE NOT (($1::text IS NULL OR "contract_id" = $1) AND ($2::text IS NULL OR "customer_id" = $2))`,
    [ctx.subject.contractId, ctx.subject.customerId],
  );
}
