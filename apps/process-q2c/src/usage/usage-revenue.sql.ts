/**
 * Usage (overage) revenue as Revline booked it, by contract, obligation and period of use (with the fiscal calendar
 * the period is of), for reads that add it to the engine's schedules (which hold a usage obligation at nothing a
 * period: usage is recognised in the period of use, as it is billed): the sum of the usage invoices' revenue
 * BookUsageInvoice recorded (`usage_revenue`).
 */
export const USAGE_REVENUE = `
  SELECT "contract_id" AS contract_id, "obligation_id" AS obligation_id, "period" AS period,
         upper("currency") AS currency, "fiscal_calendar" AS fiscal_calendar, sum("amount_minor")::bigint AS amount
    FROM "q2c"."usage_revenue"
   GROUP BY 1, 2, 3, 4, 5`;

/**
 * The usage invoices Revline booked in the ERP, per billing document and contract (a usage invoice of a customer
 * charges each of its contracts its share): the amount less tax, the currency, the ERP date.
 */
export const USAGE_INVOICES_BOOKED = `
  SELECT split_part("idempotency_key", ':', 2) AS document_id, "payload"->>'contractId' AS contract_id,
         upper("payload"->>'currency') AS currency,
         "payload"->>'tranDate' AS tran_date,
         (SELECT coalesce(sum((l->>'amountMinor')::bigint), 0) FROM jsonb_array_elements("payload"->'lines') l)
           AS amount
    FROM "q2c"."saga_commands"
   WHERE "step" = 'usage_invoice' AND "job" = 'erp.post-invoice'`;
