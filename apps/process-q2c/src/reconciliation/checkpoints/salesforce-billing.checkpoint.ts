import { CURRENCY_EXPONENTS } from '@revline/canonical';
import { openExport, stageCsv, withExports } from '../staging/stage';
import type { Checkpoint, RunContext } from './checkpoint';
import { CONTRACT_CORRELATION, select } from './checkpoint';

/** system-salesforce's order-lines CSV export, column for column. */
const ORDER_LINE_COLUMNS = [
  ['orderId', 'text'],
  ['orderKind', 'text'],
  ['contractId', 'text'],
  ['activatedAt', 'timestamptz'],
  ['effectiveDate', 'text'],
  ['endDate', 'text'],
  ['currency', 'text'],
  ['lineId', 'text'],
  ['revisesLineId', 'text'],
  ['productCode', 'text'],
  ['quantity', 'numeric'],
  ['unitPrice', 'numeric'],
] as const;

/** system-billing's subscription-items CSV export, column for column. */
const ITEM_COLUMNS = [
  ['subscriptionId', 'text'],
  ['customerId', 'text'],
  ['status', 'text'],
  ['contractId', 'text'],
  ['itemId', 'text'],
  ['lineId', 'text'],
  ['priceId', 'text'],
  ['quantity', 'numeric'],
  ['unitAmountMinor', 'bigint'],
  ['currency', 'text'],
  ['interval', 'text'],
  ['currentPeriodStart', 'text'],
  ['currentPeriodEnd', 'text'],
  ['startDate', 'text'],
] as const;

/** Currencies' minor-unit exponents as SQL rows (a currency not listed counts 2 decimals). */
const EXPONENTS = Object.entries(CURRENCY_EXPONENTS)
  .map(([code, exponent]) => `('${code}', ${String(exponent)})`)
  .join(', ');

/** The billing customers Revline knows: mapped from a Salesforce account, or billed by one of its sagas. */
const KNOWN_CUSTOMERS = `(SELECT "billing_customer_id" AS customer_id FROM "q2c"."customers"
   WHERE "billing_customer_id" IS NOT NULL
  UNION SELECT "data"->>'billingCustomerId' FROM "q2c"."sagas" WHERE "data" ? 'billingCustomerId')`;

/** Months per catalogue price period and per billing interval (day, week and term do not convert). */
const MONTHS = `(VALUES ('month', 1), ('year', 12)) AS m(unit, months)`;

/**
 * Salesforce ↔ billing: what every contract line should be billed for now (the booking's quantity plus every
 * activated amendment's change, as Salesforce records them) against the billing platform's subscription items.
 *
 * - `subscription_missing`: a contract line with no subscription item (the booking never reached billing);
 * - `amendment_not_billed`: the item still carries the quantity from before the newest amendment, whose
 *   subscription change never happened;
 * - `quantity_mismatch`: any other difference in quantity (an edit made in the billing platform by hand);
 * - `currency_mismatch`: the order's currency differs from the price's;
 * - `unknown_in_billing`: an item for a contract line Salesforce does not have;
 * - `price_mismatch` (objectType `SubscriptionItem`, field `unitAmountMinor`): the item's price per billing
 *   interval differs from the line's newest Salesforce unit price, read per the catalogue's `unitPricePeriod` of
 *   the active mapping and converted to the price's interval (month ↔ year; a `term` price period, a tiered price
 *   or a day/week interval is not compared); expected and actual in minor units per interval;
 * - `date_mismatch` (objectType `Subscription`, field `startDate`): the subscription's start date differs from the
 *   booking's effective date; difference in days;
 * - `unknown_customer_in_billing` (objectType `Subscription`, field `customer`, actual the customer id): a live
 *   subscription billing a customer Revline never saw (no Salesforce account maps to it, no saga billed it).
 */
export class SalesforceBillingCheckpoint implements Checkpoint {
  readonly name = 'salesforce-billing' as const;
  readonly periodBound = false;

  async compare(ctx: RunContext): Promise<number> {
    // Both exports start at once; each is staged in turn on the run's connection.
    const orderLines = openExport(ctx, 'salesforce', '/v1/exports/order-lines', {});
    const items = openExport(ctx, 'billing', '/v1/exports/subscription-items', {});
    await withExports([orderLines, items], async () => {
      await stageCsv(ctx, 'stage_sf_lines', ORDER_LINE_COLUMNS, orderLines);
      await stageCsv(ctx, 'stage_billing_items', ITEM_COLUMNS, items);
    });
    await ctx.runner.query(`CREATE TEMP TABLE "sf_expected" AS
      WITH owned AS (
        SELECT l."orderId" AS order_id, l."orderKind" AS kind, l."activatedAt" AS activated_at,
               upper(l."currency") AS currency, coalesce(l."revisesLineId", l."lineId") AS line_id,
               l."quantity" AS qty, l."unitPrice" AS unit_price, l."productCode" AS product_code,
               CASE WHEN l."orderKind" = 'new' THEN l."effectiveDate" END AS start_date,
               CASE WHEN l."orderKind" = 'amendment' THEN coalesce(r."contract_id", l."contractId")
                    ELSE l."orderId" END AS contract_id
          FROM "stage_sf_lines" l
          LEFT JOIN "q2c"."contract_refs" r ON r."salesforce_contract_id" = l."contractId")
      SELECT contract_id, line_id, sum(qty) AS qty, max(currency) AS currency,
             (array_agg(order_id ORDER BY activated_at DESC NULLS LAST, order_id DESC))[1] AS last_order,
             (array_agg(kind ORDER BY activated_at DESC NULLS LAST, order_id DESC))[1] AS last_kind,
             (array_agg(qty ORDER BY activated_at DESC NULLS LAST, order_id DESC))[1] AS last_delta,
             (array_agg(unit_price ORDER BY activated_at DESC NULLS LAST, order_id DESC))[1] AS unit_price,
             max(product_code) AS product_code, min(start_date) AS start_date
        FROM owned GROUP BY contract_id, line_id`);
    await ctx.runner.query(`ANALYZE "sf_expected"`);
    await ctx.runner.query(`CREATE TEMP TABLE "billing_items" AS
      SELECT "contractId" AS contract_id, "lineId" AS line_id, "itemId" AS item_id,
             "subscriptionId" AS subscription_id, "customerId" AS customer_id, "quantity" AS qty, upper("currency") AS currency,
             "unitAmountMinor" AS unit_amount, "interval" AS price_interval, "startDate" AS start_date
        FROM "stage_billing_items"
       WHERE "status" NOT IN ('canceled', 'incomplete_expired') AND "contractId" IS NOT NULL`);
    await ctx.runner.query(`ANALYZE "billing_items"`);
    await ctx.runner.query(`CREATE INDEX ON "billing_items" (contract_id, line_id)`);
    await ctx.runner.query(`INSERT INTO "found"
      ("checkpoint", "category", "contract_id", "object_type", "object_id", "field", "expected", "actual",
       "difference", "correlation_id", "currency", "customer_id", "expected_source_id", "actual_source_id")
      SELECT 'salesforce-billing',
             CASE WHEN b.item_id IS NULL THEN 'subscription_missing'
                  WHEN e.currency IS DISTINCT FROM b.currency AND e.qty = b.qty THEN 'currency_mismatch'
                  WHEN e.last_kind = 'amendment' AND b.qty = e.qty - e.last_delta THEN 'amendment_not_billed'
                  ELSE 'quantity_mismatch' END,
             e.contract_id,
             CASE WHEN b.item_id IS NULL OR (e.last_kind = 'amendment' AND b.qty = e.qty - e.last_delta)
                  THEN 'Order' ELSE 'SubscriptionItem' END,
             CASE WHEN b.item_id IS NULL THEN e.contract_id
                  WHEN e.last_kind = 'amendment' AND b.qty = e.qty - e.last_delta THEN e.last_order
                  ELSE b.item_id END,
             CASE WHEN e.currency IS DISTINCT FROM b.currency AND e.qty = b.qty THEN 'currency'
                  ELSE 'quantity' END,
             CASE WHEN e.currency IS DISTINCT FROM b.currency AND e.qty = b.qty THEN e.currency
                  ELSE trim_scale(e.qty)::text END,
             CASE WHEN b.item_id IS NULL THEN NULL
                  WHEN e.currency IS DISTINCT FROM b.currency AND e.qty = b.qty THEN b.currency
                  ELSE trim_scale(b.qty)::text END,
             CASE WHEN b.item_id IS NULL THEN trim_scale(-e.qty)::text
                  WHEN e.qty = b.qty THEN NULL
                  ELSE trim_scale(b.qty - e.qty)::text END,
             c."correlation_id", NULL, b.customer_id, e.last_order, b.item_id
        FROM "sf_expected" e
        LEFT JOIN "billing_items" b ON b.contract_id = e.contract_id AND b.line_id = e.line_id
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = e.contract_id
       WHERE e.qty <> 0 AND (b.item_id IS NULL OR b.qty <> e.qty OR e.currency IS DISTINCT FROM b.currency)`);
    await ctx.runner.query(`INSERT INTO "found"
      ("checkpoint", "category", "contract_id", "object_type", "object_id", "field", "expected", "actual",
       "difference", "correlation_id", "currency", "customer_id", "expected_source_id", "actual_source_id")
      SELECT 'salesforce-billing', 'unknown_in_billing', b.contract_id, 'SubscriptionItem', b.item_id, 'quantity',
             NULL, trim_scale(b.qty)::text, trim_scale(b.qty)::text, c."correlation_id", NULL, b.customer_id, NULL,
             b.item_id
        FROM "billing_items" b
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = b.contract_id
       WHERE NOT EXISTS (SELECT 1 FROM "sf_expected" e WHERE e.contract_id = b.contract_id
                          AND e.line_id = b.line_id AND e.qty <> 0)
         AND b.qty <> 0`);
    await ctx.runner.query(`INSERT INTO "found"
      ("checkpoint", "category", "contract_id", "object_type", "object_id", "field", "expected", "actual",
       "difference", "correlation_id", "currency", "customer_id", "expected_source_id", "actual_source_id")
      WITH periods AS (
        SELECT p->>'productCode' AS product_code, p->>'unitPricePeriod' AS unit_period
          FROM "q2c"."mapping_versions" v, jsonb_array_elements(v."definition"->'productCatalogue') p
         WHERE v."status" = 'active'),
      priced AS (
        SELECT e.contract_id, b.item_id, b.unit_amount AS actual, b.currency, b.customer_id, e.last_order,
               round(e.unit_price * mi.months / mp.months * power(10, coalesce(x.exponent, 2)))::bigint AS expected
          FROM "sf_expected" e
          JOIN "billing_items" b ON b.contract_id = e.contract_id AND b.line_id = e.line_id
          JOIN periods pp ON pp.product_code = e.product_code
          JOIN ${MONTHS.replace('AS m(', 'AS mp(')} ON mp.unit = pp.unit_period
          JOIN ${MONTHS.replace('AS m(', 'AS mi(')} ON mi.unit = b.price_interval
          LEFT JOIN (VALUES ${EXPONENTS}) AS x(code, exponent) ON x.code = b.currency
         WHERE e.qty <> 0 AND b.unit_amount IS NOT NULL AND e.unit_price IS NOT NULL)
      SELECT 'salesforce-billing', 'price_mismatch', p.contract_id, 'SubscriptionItem', p.item_id,
             'unitAmountMinor', p.expected::text, p.actual::text, (p.actual - p.expected)::text, c."correlation_id",
             p.currency, p.customer_id, p.last_order, p.item_id
        FROM priced p
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = p.contract_id
       WHERE p.actual <> p.expected`);
    await ctx.runner.query(`INSERT INTO "found"
      ("checkpoint", "category", "contract_id", "object_type", "object_id", "field", "expected", "actual",
       "difference", "correlation_id", "currency", "customer_id", "expected_source_id", "actual_source_id")
      WITH starts AS (
        SELECT b.contract_id, b.subscription_id, min(b.customer_id) AS customer_id, min(e.start_date) AS expected,
               min(b.start_date) AS actual
          FROM "sf_expected" e
          JOIN "billing_items" b ON b.contract_id = e.contract_id AND b.line_id = e.line_id
         WHERE e.start_date IS NOT NULL AND b.start_date IS NOT NULL
         GROUP BY b.contract_id, b.subscription_id)
      SELECT 'salesforce-billing', 'date_mismatch', s.contract_id, 'Subscription', s.subscription_id, 'startDate',
             s.expected, s.actual, (s.actual::date - s.expected::date)::text || ' days', c."correlation_id", NULL,
             s.customer_id, s.contract_id, s.subscription_id
        FROM starts s
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = s.contract_id
       WHERE s.actual IS DISTINCT FROM s.expected`);
    await ctx.runner.query(`INSERT INTO "found"
      ("checkpoint", "category", "contract_id", "object_type", "object_id", "field", "expected", "actual",
       "difference", "customer_id", "actual_source_id")
      SELECT 'salesforce-billing', 'unknown_customer_in_billing', max(i."contractId"), 'Subscription',
             i."subscriptionId", 'customer', NULL, i."customerId", NULL, i."customerId", i."subscriptionId"
        FROM "stage_billing_items" i
       WHERE i."status" NOT IN ('canceled', 'incomplete_expired') AND i."customerId" IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM ${KNOWN_CUSTOMERS} k WHERE k.customer_id = i."customerId")
       GROUP BY i."subscriptionId", i."customerId"`);
    const row = (
      await select<Array<{ n: number }>>(ctx.runner, `SELECT count(*)::int AS n FROM "sf_expected"`)
    ).at(0);
    return row?.n ?? 0;
  }
}
