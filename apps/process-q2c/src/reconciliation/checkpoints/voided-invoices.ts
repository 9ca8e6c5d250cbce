import { openExport, stageCsv, withExports } from '../staging/stage';
import type { RunContext } from './checkpoint';
import { select } from './checkpoint';

/**
 * The voided (and uncollectible) billing invoices of a billing ↔ ERP comparison, staged beside its `billing_docs`
 * and `erp_docs`: for each, the ERP credit memo that reverses it (Revline's `VOID-` + the invoice's external id)
 * and whether the ERP holds it. The reversal may fall in another period than the invoice (ERP_INVOICE_VOID_AS
 * `credit`): the ERP's credit memos of those periods are read too, so a reversal is found wherever it was posted.
 *
 * Leaves two temp tables: `void_reversals` (every void Revline knows: invoice_id, reversal_id), which tells a
 * reversal credit memo from one billing does not know, and `voided` (invoice_id, reversed) for this run's invoices.
 */
export async function stageVoids(
  ctx: RunContext,
  invoicePrefix: string,
  columns: ReadonlyArray<readonly [name: string, type: string]>,
): Promise<void> {
  const reversalPrefix = `VOID-${invoicePrefix}`.replace(/'/g, '');
  await ctx.runner.query(`CREATE TEMP TABLE "void_reversals" AS
    SELECT v."invoice_id", coalesce(v."reversal_external_id", '${reversalPrefix}' || v."invoice_id") AS reversal_id,
           to_char(v."reversal_on", 'YYYY-MM') AS reversal_period
      FROM "q2c"."voided_invoices" v`);
  await ctx.runner.query(`CREATE INDEX ON "void_reversals" (reversal_id)`);
  const elsewhere = await select<Array<{ period: string }>>(
    ctx.runner,
    `SELECT DISTINCT r.reversal_period AS period FROM "void_reversals" r
       JOIN "billing_docs" b ON b.object_type = 'Invoice' AND b.document_id = r.invoice_id
      WHERE r.reversal_period IS NOT NULL AND r.reversal_period <> $1 ORDER BY 1`,
    [ctx.period],
  );
  const exports = elsewhere.map(({ period }) =>
    openExport(ctx, 'erp', '/v1/exports/documents', { period, kind: 'creditMemo' }),
  );
  await withExports(exports, async () => {
    for (const [i, opened] of exports.entries())
      await stageCsv(ctx, `stage_erp_reversals_${String(i)}`, columns, opened);
  });
  const reversals = [
    `SELECT external_id FROM "erp_docs" WHERE object_type = 'ErpCreditMemo'`,
    ...exports.map((_, i) => `SELECT "externalId" FROM "stage_erp_reversals_${String(i)}"`),
  ].join(' UNION ALL ');
  await ctx.runner.query(`CREATE TEMP TABLE "voided" AS
    SELECT DISTINCT r.invoice_id, r.reversal_id IN (${reversals}) AS reversed
      FROM "void_reversals" r
      JOIN "billing_docs" b ON b.object_type = 'Invoice' AND b.document_id = r.invoice_id`);
  await ctx.runner.query(`ANALYZE "voided"`);
}
