import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { computeSchedules } from '@revline/revenue';
import type { RevenuePolicy } from '@revline/revenue';
import type { FiscalPeriods } from '../../shared/fiscal-periods';
import { USAGE_INVOICES_BOOKED, USAGE_REVENUE } from '../../usage/usage-revenue.sql';
import { Readable } from 'node:stream';
import { copyFrom } from '../staging/copy-in';
import { openExport, stageCsv, withExports } from '../staging/stage';
import type { Checkpoint, RunContext } from './checkpoint';
import { CONTRACT_CORRELATION, select } from './checkpoint';

interface EventRow {
  contract_id: string;
  payload: ContractBooked | ContractAmended;
}

/** Tab-separated COPY text: ids and decimal strings never hold tabs, newlines or backslashes, but be safe. */
const field = (value: string): string => value.replace(/[\\\t\n\r]/g, ' ');

/** system-erp's contract-balances CSV export, column for column. */
const BALANCE_COLUMNS = [
  ['contractId', 'text'],
  ['currency', 'text'],
  ['balance', 'text'],
  ['amountMinor', 'bigint'],
] as const;

/**
 * Contract ↔ revenue for a period of the tenant's calendar (a month, or a fiscal period FYyyyy-Pnn, over its own
 * days): for each contract and obligation, the revenue the ERP recognised in the period against the engine's
 * expected schedule (computed from the stored booking and amendments on the tenant's calendar, as the sagas do) plus
 * the usage revenue booked in its period of use; and for each contract, at the period end, the ERP's recognised
 * revenue to date against the same cumulated, and both sides of billed to date less tax (invoices less credit
 * notes the sagas took in, a usage invoice as each contract's share of it, dated on or before the period end; a
 * voided invoice taken back once its ERP reversal is dated on or before it)
 * against the expected recognised to date: billed ahead is deferred revenue, recognised ahead an unbilled
 * receivable (contract asset), each compared with the ERP's balance of that account — never a negative deferral.
 *
 * Categories: `revenue_mismatch` (posted ≠ expected), `revenue_not_posted` (expected, nothing posted),
 * `unexpected_revenue` (posted, nothing expected) — objectType `RevenueSchedule`; `recognised_to_date_mismatch`
 * (field `recognisedToDate`), `deferred_mismatch` (field `deferredRevenue`) and `unbilled_mismatch` (field
 * `unbilledReceivable`) — objectType `Contract`, objectId `<contractId>:<currency>`.
 */
export class ContractRevenueCheckpoint implements Checkpoint {
  readonly name = 'contract-revenue' as const;
  readonly periodBound = true;

  /**
   * `fiscal`: the tenant's periods (months or fiscal periods), the engine's schedules computed on them and the ERP's
   * revenue read for them; `period_close`: revenue reaches the ERP in the revenue runs' journals (see compareRuns).
   */
  constructor(
    private readonly fiscal: FiscalPeriods,
    private readonly posting: 'at_booking' | 'period_close' = 'at_booking',
  ) {}

  async compare(ctx: RunContext): Promise<number> {
    await ctx.runner.query(`CREATE TEMP TABLE "expected_schedule" (
      "contract_id" text NOT NULL, "obligation_id" text NOT NULL, "currency" text NOT NULL,
      "amount" bigint, "to_date" bigint NOT NULL)`);
    // Read before the COPY starts: the connection carries one statement at a time.
    const events = await select<EventRow[]>(
      ctx.runner,
      `SELECT "contract_id", "payload" FROM "q2c"."canonical_events"
        WHERE "event_type" IN ('ContractBooked', 'ContractAmended')
        ORDER BY "contract_id", "recorded_at", "event_id"`,
    );
    await copyFrom(
      ctx.client,
      `COPY "expected_schedule" FROM STDIN`,
      Readable.from(expectedRows(events, ctx.period, this.fiscal.policy)),
    );
    // Usage revenue is not in the engine's schedules (a usage obligation is at nothing a period): it is what Revline
    // booked in the period of use from the usage invoices.
    const period = ctx.period.replace(/'/g, '');
    await ctx.runner
      .query(`INSERT INTO "expected_schedule" ("contract_id", "obligation_id", "currency", "amount", "to_date")
      SELECT contract_id, obligation_id, currency, sum(amount) FILTER (WHERE period = '${period}'), sum(amount)
        FROM (${USAGE_REVENUE}) usage
       WHERE period <= '${period}'
       GROUP BY 1, 2, 3`);
    if (this.posting === 'period_close') return this.compareRuns(ctx, period);
    await ctx.runner.query(`CREATE TEMP TABLE "expected_revenue" AS
      SELECT "contract_id", "obligation_id", "currency", sum("amount") AS "amount" FROM "expected_schedule"
       WHERE "amount" IS NOT NULL GROUP BY 1, 2, 3`);
    const postings = await ctx.systems.json<{
      items: Array<{
        contractId: string | null;
        obligationId: string | null;
        amount: { amountMinor: string; currency: string };
      }>;
    }>('erp', '/v1/revenue-postings', this.fiscal.erpQuery(ctx.period));
    await ctx.runner.query(
      `CREATE TEMP TABLE "posted_revenue" AS
       SELECT coalesce(p."contractId", '') AS contract_id, coalesce(p."obligationId", '') AS obligation_id,
              upper(p."amount"->>'currency') AS currency, sum((p."amount"->>'amountMinor')::bigint) AS amount
         FROM jsonb_to_recordset($1::jsonb) AS p("contractId" text, "obligationId" text, "amount" jsonb)
        GROUP BY 1, 2, 3`,
      [JSON.stringify(postings.items)],
    );
    await ctx.runner.query(`INSERT INTO "found"
      ("checkpoint", "category", "period", "contract_id", "object_type", "object_id", "field", "expected",
       "actual", "difference", "correlation_id", "currency", "expected_source_id")
      SELECT 'contract-revenue',
             CASE WHEN p.contract_id IS NULL THEN 'revenue_not_posted'
                  WHEN e.contract_id IS NULL THEN 'unexpected_revenue'
                  ELSE 'revenue_mismatch' END,
             '${period}', coalesce(e.contract_id, nullif(p.contract_id, '')), 'RevenueSchedule',
             coalesce(e.contract_id, p.contract_id) || ':' || coalesce(e.obligation_id, p.obligation_id) || ':${period}',
             'recognisedInPeriod', e.amount::text, p.amount::text,
             (coalesce(p.amount, 0) - coalesce(e.amount, 0))::text, c."correlation_id",
             coalesce(upper(e.currency), p.currency), coalesce(e.contract_id, p.contract_id)
        FROM "expected_revenue" e
        FULL JOIN "posted_revenue" p
          ON p.contract_id = e.contract_id AND p.obligation_id = e.obligation_id AND p.currency = e.currency
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = coalesce(e.contract_id, p.contract_id)
       WHERE coalesce(p.amount, 0) <> coalesce(e.amount, 0)`);
    await this.compareBalances(ctx, period);
    const row = (
      await select<Array<{ n: number }>>(
        ctx.runner,
        `SELECT (SELECT count(*) FROM "expected_revenue")::int AS n`,
      )
    ).at(0);
    return row?.n ?? 0;
  }

  /**
   * Under period close, revenue is in the ERP as the revenue runs posted it, summarised: so Revline's runs are
   * measured against the engine per contract obligation — once the period's run is the latest, revenue recognised to
   * the period end against what the runs posted to date (`revenue_not_posted`, `revenue_mismatch`,
   * `unexpected_revenue`; field `recognisedToDate`) — and the ERP against the runs per currency: the period's revenue
   * the ERP holds against what the period's runs posted (`revenue_mismatch`, objectType `RevenueRun`, objectId
   * `<period>:<currency>`). Compares the contract obligations and currencies.
   */
  private async compareRuns(ctx: RunContext, period: string): Promise<number> {
    const latest = (
      await select<Array<{ period: string | null }>>(
        ctx.runner,
        `SELECT max("period") AS period FROM "q2c"."revenue_runs" WHERE "state" = 'posted'`,
      )
    ).at(0);
    await ctx.runner.query(`CREATE TEMP TABLE "posted_to_date" AS
      SELECT l."contract_id", l."obligation_id", upper(l."currency") AS currency, sum(l."revenue_minor") AS amount
        FROM "q2c"."revenue_run_lines" l JOIN "q2c"."revenue_runs" r ON r."run_id" = l."run_id"
        LEFT JOIN "q2c"."revenue_run_journals" j ON j."external_id" = l."journal_external_id"
       WHERE r."period" <= '${period}' AND j."status" IS DISTINCT FROM 'rejected' AND l."obligation_id" <> 'contract-asset'
       GROUP BY 1, 2, 3`);
    if (latest?.period === period)
      await ctx.runner.query(`INSERT INTO "found"
        ("checkpoint", "category", "period", "contract_id", "object_type", "object_id", "field", "expected",
         "actual", "difference", "correlation_id", "currency", "expected_source_id")
        SELECT 'contract-revenue',
               CASE WHEN p.contract_id IS NULL THEN 'revenue_not_posted'
                    WHEN e.contract_id IS NULL THEN 'unexpected_revenue'
                    ELSE 'revenue_mismatch' END,
               '${period}', coalesce(e.contract_id, p.contract_id), 'RevenueSchedule',
               coalesce(e.contract_id, p.contract_id) || ':' || coalesce(e.obligation_id, p.obligation_id) || ':${period}',
               'recognisedToDate', e.amount::text, p.amount::text,
               (coalesce(p.amount, 0) - coalesce(e.amount, 0))::text, c."correlation_id",
               coalesce(upper(e.currency), p.currency), coalesce(e.contract_id, p.contract_id)
          FROM (SELECT "contract_id", "obligation_id", upper("currency") AS currency, sum("to_date") AS amount
                  FROM "expected_schedule" GROUP BY 1, 2, 3) e
          FULL JOIN "posted_to_date" p
            ON p.contract_id = e.contract_id AND p.obligation_id = e.obligation_id AND p.currency = e.currency
          LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = coalesce(e.contract_id, p.contract_id)
         WHERE coalesce(p.amount, 0) <> coalesce(e.amount, 0)`);
    const postings = await ctx.systems.json<{
      items: Array<{ amount: { amountMinor: string; currency: string } }>;
    }>('erp', '/v1/revenue-postings', this.fiscal.erpQuery(ctx.period));
    await ctx.runner.query(
      `INSERT INTO "found"
        ("checkpoint", "category", "period", "contract_id", "object_type", "object_id", "field", "expected",
         "actual", "difference", "correlation_id", "currency", "expected_source_id")
       SELECT 'contract-revenue', 'revenue_mismatch', '${period}', NULL, 'RevenueRun',
              '${period}:' || coalesce(e.currency, p.currency), 'recognisedInPeriod', coalesce(e.amount, 0)::text,
              coalesce(p.amount, 0)::text, (coalesce(p.amount, 0) - coalesce(e.amount, 0))::text, NULL,
              coalesce(e.currency, p.currency), '${period}'
         FROM (SELECT upper(l."currency") AS currency, sum(l."revenue_minor") AS amount
                 FROM "q2c"."revenue_run_lines" l JOIN "q2c"."revenue_runs" r ON r."run_id" = l."run_id"
                 JOIN "q2c"."revenue_run_journals" j ON j."external_id" = l."journal_external_id"
                WHERE r."period" = '${period}' AND j."status" = 'posted' GROUP BY 1) e
         FULL JOIN (SELECT upper(p."amount"->>'currency') AS currency, sum((p."amount"->>'amountMinor')::bigint) AS amount
                      FROM jsonb_to_recordset($1::jsonb) AS p("amount" jsonb) GROUP BY 1) p ON p.currency = e.currency
        WHERE coalesce(p.amount, 0) <> coalesce(e.amount, 0)`,
      [JSON.stringify(postings.items)],
    );
    const counted = await select<Array<{ n: number }>>(
      ctx.runner,
      `SELECT ((SELECT count(*) FROM "expected_schedule") + (SELECT count(DISTINCT currency) FROM "posted_to_date"))::int AS n`,
    );
    return counted.at(0)?.n ?? 0;
  }

  /** Recognised to date, deferred revenue and unbilled receivable per contract at the period end, against the ERP. */
  private async compareBalances(ctx: RunContext, period: string): Promise<void> {
    const balances = openExport(ctx, 'erp', '/v1/exports/contract-balances', { asOf: ctx.period });
    await withExports([balances], () => stageCsv(ctx, 'stage_erp_balances', BALANCE_COLUMNS, balances));
    const to = ctx.to.replace(/'/g, '');
    await ctx.runner.query(`CREATE TEMP TABLE "contract_balances" AS
      WITH usage_invoices AS (${USAGE_INVOICES_BOOKED}),
      expected AS (
        SELECT "contract_id", upper("currency") AS currency, sum("to_date") AS recognised
          FROM "expected_schedule" GROUP BY 1, 2),
      billed AS (
        SELECT contract_id, currency, sum(amount) AS billed FROM (
          SELECT s."contract_id", upper(bd."payload"->'total'->>'currency') AS currency,
                 CASE bd."kind" WHEN 'credit_note' THEN -1 ELSE 1 END
                   * ((bd."payload"->'total'->>'amountMinor')::bigint
                      - coalesce((bd."payload"->'tax'->>'amountMinor')::bigint, 0)) AS amount
            FROM "q2c"."billing_documents" bd
            JOIN "q2c"."sagas" s ON s."saga_id" = bd."saga_id"
           WHERE bd."kind" IN ('invoice', 'credit_note') AND bd."payload"->>'issuedOn' <= '${to}'
             AND bd."document_id" NOT IN (SELECT document_id FROM usage_invoices)
          UNION ALL
          SELECT s."contract_id", upper(bd."payload"->'total'->>'currency'),
                 -((bd."payload"->'total'->>'amountMinor')::bigint
                   - coalesce((bd."payload"->'tax'->>'amountMinor')::bigint, 0))
            FROM "q2c"."billing_documents" bd
            JOIN "q2c"."sagas" s ON s."saga_id" = bd."saga_id"
            JOIN "q2c"."voided_invoices" v ON v."invoice_id" = bd."document_id"
           WHERE bd."kind" = 'invoice' AND bd."payload"->>'issuedOn' <= '${to}' AND v."reversal_on" <= '${to}'
             AND bd."document_id" NOT IN (SELECT document_id FROM usage_invoices)
          UNION ALL
          SELECT contract_id, currency, amount FROM usage_invoices WHERE tran_date <= '${to}'
        ) docs GROUP BY 1, 2),
      erp AS (
        SELECT "contractId" AS contract_id, upper("currency") AS currency,
               sum("amountMinor") FILTER (WHERE "balance" = 'recognised') AS recognised,
               sum("amountMinor") FILTER (WHERE "balance" = 'deferred') AS deferred,
               sum("amountMinor") FILTER (WHERE "balance" = 'unbilled') AS unbilled
          FROM "stage_erp_balances" GROUP BY 1, 2),
      keys AS (SELECT contract_id, currency FROM expected UNION SELECT contract_id, currency FROM billed
               UNION SELECT contract_id, currency FROM erp)
      SELECT k.contract_id, k.currency, coalesce(e.recognised, 0) AS expected_recognised,
             greatest(coalesce(b.billed, 0) - coalesce(e.recognised, 0), 0) AS expected_deferred,
             greatest(coalesce(e.recognised, 0) - coalesce(b.billed, 0), 0) AS expected_unbilled,
             coalesce(r.recognised, 0) AS erp_recognised, coalesce(r.deferred, 0) AS erp_deferred,
             coalesce(r.unbilled, 0) AS erp_unbilled
        FROM keys k
        LEFT JOIN expected e ON e.contract_id = k.contract_id AND e.currency = k.currency
        LEFT JOIN billed b ON b.contract_id = k.contract_id AND b.currency = k.currency
        LEFT JOIN erp r ON r.contract_id = k.contract_id AND r.currency = k.currency`);
    await ctx.runner.query(`INSERT INTO "found"
      ("checkpoint", "category", "period", "contract_id", "object_type", "object_id", "field", "expected",
       "actual", "difference", "correlation_id", "currency", "expected_source_id")
      SELECT 'contract-revenue', x.category, '${period}', b.contract_id, 'Contract',
             b.contract_id || ':' || b.currency, x.field, x.expected::text, x.actual::text,
             (x.actual - x.expected)::text, c."correlation_id", b.currency, b.contract_id
        FROM "contract_balances" b
        CROSS JOIN LATERAL (VALUES
          ('recognised_to_date_mismatch', 'recognisedToDate', b.expected_recognised, b.erp_recognised),
          ('deferred_mismatch', 'deferredRevenue', b.expected_deferred, b.erp_deferred),
          ('unbilled_mismatch', 'unbilledReceivable', b.expected_unbilled, b.erp_unbilled)
        ) AS x(category, field, expected, actual)
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = b.contract_id
       WHERE x.actual <> x.expected`);
  }
}

/** The engine's amounts for the period and to its end, one COPY row per contract and obligation. */
function* expectedRows(rows: readonly EventRow[], period: string, policy: RevenuePolicy): Generator<string> {
  let chunk = '';
  for (let i = 0; i < rows.length;) {
    const contractId = rows[i]?.contract_id ?? '';
    let booking: ContractBooked | undefined;
    const amendments: ContractAmended[] = [];
    for (let row = rows.at(i); row !== undefined && row.contract_id === contractId; row = rows.at(++i)) {
      if (row.payload.eventType === 'ContractBooked') booking = row.payload;
      else amendments.push(row.payload);
    }
    if (!booking) continue;
    const result = computeSchedules(booking, amendments, policy);
    for (const o of result.obligations) {
      const amount = o.periods.find((p) => p.period === period)?.amountMinor;
      const due = o.periods.filter((p) => p.period <= period);
      if (amount === undefined && due.length === 0) continue;
      const toDate = due.reduce((sum, p) => sum + p.amountMinor, 0n);
      chunk += `${field(contractId)}\t${field(o.pobId)}\t${field(result.currency)}\t${
        amount === undefined ? '\\N' : amount.toString()
      }\t${toDate.toString()}\n`;
    }
    if (chunk.length > 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
