import { openExport, stageCsv, withExports } from '../staging/stage';
import type { Checkpoint, RunContext } from './checkpoint';
import { CONTRACT_CORRELATION, select } from './checkpoint';
import { stageVoids } from './voided-invoices';

import type { FiscalPeriods } from '../../shared/fiscal-periods';
/** The columns of system-billing's invoice-line CSV export this checkpoint asks for (it compares invoice totals). */
const INVOICE_LINE_COLUMNS = [
  ['invoiceId', 'text'],
  ['amountMinor', 'bigint'],
  ['taxMinor', 'bigint'],
  ['currency', 'text'],
  ['issuedOn', 'text'],
] as const;

/** system-billing's documents CSV export (credit notes and payments), column for column. */
const BILLING_DOCUMENT_COLUMNS = [
  ['kind', 'text'],
  ['documentId', 'text'],
  ['invoiceId', 'text'],
  ['customerId', 'text'],
  ['totalMinor', 'bigint'],
  ['taxMinor', 'bigint'],
  ['currency', 'text'],
  ['date', 'text'],
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
  ['taxMinor', 'bigint'],
  ['currency', 'text'],
] as const;

/** The ERP document kinds compared, the external id prefix Revline posts each under and the objectTypes. */
const KINDS = [
  { erpKind: 'invoice', prefix: 'INV-', objectType: 'Invoice', erpObjectType: 'ErpInvoice' },
  { erpKind: 'creditMemo', prefix: 'CM-', objectType: 'CreditNote', erpObjectType: 'ErpCreditMemo' },
  { erpKind: 'payment', prefix: 'PAY-', objectType: 'Payment', erpObjectType: 'ErpPayment' },
] as const;

const COLUMNS = `("checkpoint", "category", "period", "contract_id", "object_type", "object_id", "field", "expected",
  "actual", "difference", "correlation_id", "currency", "customer_id", "expected_source_id", "actual_source_id")`;

/**
 * Billing ↔ ERP for a period (a break is filed under the correlation id of the saga that took the document in):
 * every invoice (its lines summed), credit note and payment the billing platform issued or received in it exists
 * once in the ERP (external ids `INV-`, `CM-`, `PAY-` + the billing id) with the same amount, tax, currency and
 * date, and the ERP holds no invoice, credit memo or payment of the period that billing does not know. The amount
 * is compared net of tax (the total less its tax on each side) and the tax on its own, so a tax edited in one
 * system is a `tax_mismatch` and not an `amount_mismatch` as well. Billing's tax is its invoice lines' `taxMinor`
 * summed, or a credit note's `taxMinor`; the ERP's is NetSuite's tax total of the invoice or credit memo. A payment
 * carries no tax on either side.
 *
 * A voided (or uncollectible) billing invoice expects nothing standing in the ERP: no ERP invoice, or one reversed
 * by its credit memo (`VOID-` + its external id, in any period; that credit memo is not `unknown_in_erp`). One whose
 * ERP invoice stands unreversed is `voided_in_billing_open_in_erp` (field `openInErp`, actual the billed total still
 * receivable in the ERP), never `missing_in_erp`.
 *
 * Categories: `missing_in_erp` (expected the billed total, tax included), `duplicate_in_erp`, `amount_mismatch`
 * (field `netTotal`), `tax_mismatch` (field `tax`), `currency_mismatch`, `date_mismatch` (objectType `Invoice`,
 * `CreditNote` or `Payment`, objectId the billing id), `unknown_in_erp` (objectType `ErpInvoice`, `ErpCreditMemo` or
 * `ErpPayment`, objectId the ERP id; actual its total, tax included).
 */
export class BillingErpCheckpoint implements Checkpoint {
  readonly name = 'billing-erp' as const;
  readonly periodBound = true;

  /** `fiscal`: how the ERP's documents of the tenant's period are read (a month's, or a fiscal period's days). */
  constructor(private readonly fiscal: FiscalPeriods) {}

  async compare(ctx: RunContext): Promise<number> {
    // Every export starts at once (the ERP's pages while billing's lines are staged); each is staged in turn.
    const billed = { from: ctx.from, to: ctx.to, pageSize: '1000' };
    const lines = openExport(ctx, 'billing', '/v1/invoice-lines/export', {
      ...billed,
      columns: INVOICE_LINE_COLUMNS.map(([name]) => name).join(','),
    });
    const documents = openExport(ctx, 'billing', '/v1/exports/documents', billed);
    const erp = KINDS.map((kind) =>
      openExport(ctx, 'erp', '/v1/exports/documents', {
        ...this.fiscal.erpQuery(ctx.period),
        kind: kind.erpKind,
      }),
    );
    await withExports([lines, documents, ...erp], async () => {
      await stageCsv(ctx, 'stage_invoice_lines', INVOICE_LINE_COLUMNS, lines);
      await stageCsv(ctx, 'stage_billing_documents', BILLING_DOCUMENT_COLUMNS, documents);
      for (const [i, kind] of KINDS.entries())
        await stageCsv(ctx, `stage_erp_${kind.erpKind}`, DOCUMENT_COLUMNS, erp[i]);
    });
    const prefix = (objectType: string) => KINDS.find((k) => k.objectType === objectType)?.prefix ?? '';
    await ctx.runner.query(`CREATE TEMP TABLE "billing_docs" AS
      SELECT 'Invoice'::text AS object_type, "invoiceId" AS document_id, "invoiceId" AS invoice_id,
             '${prefix('Invoice')}' || "invoiceId" AS external_id,
             sum("amountMinor") + coalesce(sum("taxMinor"), 0) AS total, coalesce(sum("taxMinor"), 0) AS tax,
             max(upper("currency")) AS currency, max("issuedOn") AS doc_date
        FROM "stage_invoice_lines" GROUP BY "invoiceId"
      UNION ALL
      SELECT CASE "kind" WHEN 'credit_note' THEN 'CreditNote' ELSE 'Payment' END, "documentId", "invoiceId",
             CASE "kind" WHEN 'credit_note' THEN '${prefix('CreditNote')}' ELSE '${prefix('Payment')}' END
               || "documentId",
             "totalMinor", "taxMinor", upper("currency"), "date"
        FROM "stage_billing_documents"`);
    await ctx.runner.query(`ANALYZE "billing_docs"`);
    await ctx.runner.query(`CREATE TEMP TABLE "erp_docs" AS
      ${KINDS.map(
        (
          k,
        ) => `SELECT '${k.erpObjectType}'::text AS object_type, "externalId" AS external_id, "erpId" AS erp_id,
             "totalMinor" AS total, "taxMinor" AS tax, upper("currency") AS currency, "tranDate" AS tran_date,
             "contractId" AS contract_id
        FROM "stage_erp_${k.erpKind}"`,
      ).join(' UNION ALL ')}`);
    await ctx.runner.query(`ANALYZE "erp_docs"`);
    await ctx.runner.query(`CREATE INDEX ON "erp_docs" (external_id)`);
    await stageVoids(ctx, prefix('Invoice'), DOCUMENT_COLUMNS);
    await ctx.runner.query(`CREATE TEMP TABLE "doc_pairs" AS
      SELECT b.object_type, b.document_id, b.total AS billed, b.total - coalesce(b.tax, 0) AS billed_net,
             b.tax AS billed_tax, b.currency AS billed_currency, b.doc_date,
             count(e.erp_id)::int AS copies, min(e.total - coalesce(e.tax, 0)) AS erp_net, min(e.tax) AS erp_tax,
             min(e.currency) AS erp_currency, min(e.tran_date) AS tran_date,
             coalesce(min(s."contract_id"), min(e.contract_id)) AS contract_id,
             min(s."correlation_id") AS correlation_id, coalesce(min(e.erp_id), min(sent.erp_id)) AS erp_id,
             coalesce(min(bd."customer_id"), min(bi."customer_id")) AS customer_id,
             bool_or(v.invoice_id IS NOT NULL) AS voided, coalesce(bool_or(v.reversed), false) AS reversed
        FROM "billing_docs" b
        LEFT JOIN "erp_docs" e ON e.external_id = b.external_id
        LEFT JOIN "voided" v ON b.object_type = 'Invoice' AND v.invoice_id = b.document_id
        LEFT JOIN "q2c"."billing_documents" bd ON bd."document_id" = b.document_id
        LEFT JOIN "q2c"."billing_documents" bi ON bi."document_id" = b.invoice_id
        LEFT JOIN "q2c"."sagas" s ON s."saga_id" = coalesce(bd."saga_id", bi."saga_id")
        LEFT JOIN LATERAL (SELECT d->>'erpId' AS erp_id
                             FROM jsonb_array_elements(coalesce(s."data"->'invoices', '[]'::jsonb)) d
                            WHERE d->>'documentId' = b.document_id LIMIT 1) sent ON true
       GROUP BY b.object_type, b.document_id, b.total, b.tax, b.currency, b.doc_date`);
    await ctx.runner.query(`ANALYZE "doc_pairs"`);
    const period = ctx.period.replace(/'/g, '');
    await ctx.runner.query(
      `INSERT INTO "found" ${COLUMNS}
      SELECT 'billing-erp', x.category, '${period}', p.contract_id, p.object_type, p.document_id, x.field,
             x.expected, x.actual, x.difference, coalesce(p.correlation_id, c."correlation_id"), p.billed_currency,
             p.customer_id, p.document_id, p.erp_id
        FROM "doc_pairs" p
        CROSS JOIN LATERAL (VALUES
          ('missing_in_erp', 'erpDocument', p.billed::text, NULL, (-p.billed)::text, p.copies = 0 AND NOT p.voided),
          ('voided_in_billing_open_in_erp', 'openInErp', '0', p.billed::text, p.billed::text,
             p.voided AND p.copies > 0 AND NOT p.reversed),
          ('duplicate_in_erp', 'copies', '1', p.copies::text, (p.copies - 1)::text, p.copies > 1),
          ('amount_mismatch', 'netTotal', p.billed_net::text, p.erp_net::text,
             (p.erp_net - p.billed_net)::text, p.copies > 0 AND p.erp_net <> p.billed_net),
          ('tax_mismatch', 'tax', p.billed_tax::text, p.erp_tax::text,
             (coalesce(p.erp_tax, 0) - coalesce(p.billed_tax, 0))::text,
             p.copies > 0 AND (p.billed_tax IS NOT NULL OR p.erp_tax IS NOT NULL)
               AND coalesce(p.erp_tax, 0) <> coalesce(p.billed_tax, 0)),
          ('currency_mismatch', 'currency', p.billed_currency, p.erp_currency, NULL,
             p.copies > 0 AND p.erp_currency IS DISTINCT FROM p.billed_currency),
          ('date_mismatch', 'date', p.doc_date, p.tran_date,
             (p.tran_date::date - p.doc_date::date)::text || ' days',
             p.copies > 0 AND p.tran_date IS DISTINCT FROM p.doc_date)
        ) AS x(category, field, expected, actual, difference, broken)
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = p.contract_id
       WHERE x.broken`,
    );
    await ctx.runner.query(
      `INSERT INTO "found" ${COLUMNS}
      SELECT 'billing-erp', 'unknown_in_erp', '${period}', e.contract_id, e.object_type, e.erp_id, 'billingDocument',
             NULL, e.total::text, e.total::text, c."correlation_id", e.currency, NULL, NULL, e.erp_id
        FROM "erp_docs" e
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = e.contract_id
       WHERE NOT EXISTS (SELECT 1 FROM "billing_docs" b WHERE b.external_id = e.external_id)
         AND NOT (e.object_type = 'ErpCreditMemo'
                  AND EXISTS (SELECT 1 FROM "void_reversals" r WHERE r.reversal_id = e.external_id))`,
    );
    const row = (
      await select<Array<{ n: number }>>(
        ctx.runner,
        `SELECT ((SELECT count(*) FROM "billing_docs") + (SELECT count(*) FROM "erp_docs"))::int AS n`,
      )
    ).at(0);
    return row?.n ?? 0;
  }
}
