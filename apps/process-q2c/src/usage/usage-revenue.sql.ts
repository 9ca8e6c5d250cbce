/**
 * Usage (overage) revenue as Revline booked it, for reads that add it to the engine's schedules (which hold a usage
 * obligation at nothing a month: usage is recognised in the month of use, as it is billed). BookUsageInvoice sends,
 * per usage invoice and contract, an ERP invoice (`usage-invoice:<document>:<contract>`, step `usage_invoice`) and a
 * revenue journal per obligation and month of use, each version carrying the cumulative amount of that month's
 * usage invoices; the newest version of each contract, obligation and period is the month's usage revenue.
 */
export const USAGE_REVENUE_JOURNALS = `
  SELECT DISTINCT ON ("payload"->>'contractId', "payload"->>'obligationId', "payload"->>'period')
         "payload"->>'contractId' AS contract_id, "payload"->>'obligationId' AS obligation_id,
         "payload"->>'period' AS period, upper("payload"->'amount'->>'currency') AS currency,
         ("payload"->'amount'->>'amountMinor')::bigint AS amount
    FROM "q2c"."saga_commands"
   WHERE "step" = 'usage_invoice' AND "job" = 'erp.post-revenue-journal'
   ORDER BY "payload"->>'contractId', "payload"->>'obligationId', "payload"->>'period',
            ("payload"->>'scheduleVersion')::int DESC`;

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
