import { stageCsv } from '../staging/stage';
import type { Checkpoint, RunContext } from './checkpoint';
import { CONTRACT_CORRELATION, select } from './checkpoint';

/** system-billing's invoice-lines CSV export, column for column (its header row is checked against these). */
const INVOICE_LINE_COLUMNS = [
  ['invoiceId', 'text'],
  ['lineId', 'text'],
  ['customerId', 'text'],
  ['description', 'text'],
  ['amountMinor', 'bigint'],
  ['currency', 'text'],
  ['proration', 'boolean'],
  ['priceId', 'text'],
  ['quantity', 'numeric'],
  ['periodStart', 'text'],
  ['periodEnd', 'text'],
  ['issuedOn', 'text'],
] as const;

/** system-erp's documents CSV export, column for column. */
const DOCUMENT_COLUMNS = [
  ['kind', 'text'],
  ['erpId', 'text'],
  ['externalId', 'text'],
  ['tranDate', 'text'],
  ['period', 'text'],
  ['customerErpId', 'text'],
  ['contractId', 'text'],
  ['totalMinor', 'bigint'],
  ['currency', 'text'],
] as const;

const COLUMNS = `("checkpoint", "category", "period", "contract_id", "object_type", "object_id", "field", "expected",
  "actual", "difference", "correlation_id")`;

/**
 * Billing ↔ ERP for a period (a break is filed under the correlation id of the saga that took the invoice in): every invoice the billing platform issued in it (its lines summed) exists once in the
 * ERP (external id `INV-<invoice id>`) with the same total, currency and date, and the ERP holds no invoice of the
 * period that billing does not know.
 *
 * Categories: `missing_in_erp`, `duplicate_in_erp`, `amount_mismatch`, `currency_mismatch`, `date_mismatch`,
 * `unknown_in_erp`.
 */
export class BillingErpCheckpoint implements Checkpoint {
  readonly name = 'billing-erp' as const;
  readonly periodBound = true;

  async compare(ctx: RunContext): Promise<number> {
    await stageCsv(ctx, 'stage_invoice_lines', INVOICE_LINE_COLUMNS, 'billing', '/v1/invoice-lines/export', {
      from: ctx.from,
      to: ctx.to,
      pageSize: '10000',
    });
    await stageCsv(ctx, 'stage_erp_invoices', DOCUMENT_COLUMNS, 'erp', '/v1/exports/documents', {
      period: ctx.period,
      kind: 'invoice',
    });
    await ctx.runner.query(`CREATE TEMP TABLE "billing_invoices" AS
      SELECT "invoiceId" AS invoice_id, sum("amountMinor") AS total, max(upper("currency")) AS currency,
             max("issuedOn") AS issued_on
        FROM "stage_invoice_lines" GROUP BY 1`);
    await ctx.runner.query(`ANALYZE "billing_invoices"`);
    await ctx.runner.query(`CREATE TEMP TABLE "erp_invoices" AS
      SELECT "externalId" AS external_id, "erpId" AS erp_id, "totalMinor" AS total, upper("currency") AS currency,
             "tranDate" AS tran_date, "contractId" AS contract_id
        FROM "stage_erp_invoices"`);
    await ctx.runner.query(`ANALYZE "erp_invoices"`);
    await ctx.runner.query(`CREATE INDEX ON "erp_invoices" (external_id)`);
    await ctx.runner.query(`CREATE TEMP TABLE "invoice_pairs" AS
      SELECT b.invoice_id, b.total AS billed, b.currency AS billed_currency, b.issued_on,
             count(e.erp_id)::int AS copies, min(e.total) AS erp_total, min(e.currency) AS erp_currency,
             min(e.tran_date) AS tran_date, min(e.contract_id) AS erp_contract,
             coalesce(min(s."contract_id"), min(e.contract_id)) AS contract_id,
             min(s."correlation_id") AS correlation_id
        FROM "billing_invoices" b
        LEFT JOIN "erp_invoices" e ON e.external_id = 'INV-' || b.invoice_id
        LEFT JOIN "q2c"."billing_documents" bd ON bd."document_id" = b.invoice_id
        LEFT JOIN "q2c"."sagas" s ON s."saga_id" = bd."saga_id"
       GROUP BY b.invoice_id, b.total, b.currency, b.issued_on`);
    await ctx.runner.query(`ANALYZE "invoice_pairs"`);
    const period = ctx.period.replace(/'/g, '');
    await ctx.runner.query(
      `INSERT INTO "found" ${COLUMNS}
      SELECT 'billing-erp', x.category, '${period}', p.contract_id, 'Invoice', p.invoice_id, x.field,
             x.expected, x.actual, x.difference, coalesce(p.correlation_id, c."correlation_id")
        FROM "invoice_pairs" p
        CROSS JOIN LATERAL (VALUES
          ('missing_in_erp', 'erpDocument', p.billed::text, NULL, (-p.billed)::text, p.copies = 0),
          ('duplicate_in_erp', 'copies', '1', p.copies::text, (p.copies - 1)::text, p.copies > 1),
          ('amount_mismatch', 'total', p.billed::text, p.erp_total::text, (p.erp_total - p.billed)::text,
             p.copies > 0 AND p.erp_total <> p.billed),
          ('currency_mismatch', 'currency', p.billed_currency, p.erp_currency, NULL,
             p.copies > 0 AND p.erp_currency IS DISTINCT FROM p.billed_currency),
          ('date_mismatch', 'date', p.issued_on, p.tran_date,
             (p.tran_date::date - p.issued_on::date)::text || ' days',
             p.copies > 0 AND p.tran_date IS DISTINCT FROM p.issued_on)
        ) AS x(category, field, expected, actual, difference, broken)
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = p.contract_id
       WHERE x.broken`,
    );
    await ctx.runner.query(
      `INSERT INTO "found" ${COLUMNS}
      SELECT 'billing-erp', 'unknown_in_erp', '${period}', e.contract_id, 'ErpInvoice', e.erp_id, 'billingDocument',
             NULL, e.total::text, e.total::text, c."correlation_id"
        FROM "erp_invoices" e
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = e.contract_id
       WHERE NOT EXISTS (SELECT 1 FROM "billing_invoices" b WHERE 'INV-' || b.invoice_id = e.external_id)`,
    );
    const row = (
      await select<Array<{ n: number }>>(
        ctx.runner,
        `SELECT ((SELECT count(*) FROM "billing_invoices") + (SELECT count(*) FROM "erp_invoices"))::int AS n`,
      )
    ).at(0);
    return row?.n ?? 0;
  }
}
