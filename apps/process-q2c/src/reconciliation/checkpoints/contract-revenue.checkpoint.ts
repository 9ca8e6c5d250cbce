import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { computeSchedules } from '@revline/revenue';
import { Readable } from 'node:stream';
import { copyFrom } from '../staging/copy-in';
import type { Checkpoint, RunContext } from './checkpoint';
import { CONTRACT_CORRELATION, select } from './checkpoint';

interface EventRow {
  contract_id: string;
  payload: ContractBooked | ContractAmended;
}

/** Tab-separated COPY text: ids and decimal strings never hold tabs, newlines or backslashes, but be safe. */
const field = (value: string): string => value.replace(/[\\\t\n\r]/g, ' ');

/**
 * Contract ↔ revenue for a period: for each contract and obligation, the revenue the ERP recognised in the period
 * against the engine's expected schedule (computed from the stored booking and amendments, as the sagas do).
 *
 * Categories: `revenue_mismatch` (posted ≠ expected), `revenue_not_posted` (expected, nothing posted),
 * `unexpected_revenue` (posted, nothing expected).
 */
export class ContractRevenueCheckpoint implements Checkpoint {
  readonly name = 'contract-revenue' as const;
  readonly periodBound = true;

  async compare(ctx: RunContext): Promise<number> {
    await ctx.runner.query(`CREATE TEMP TABLE "expected_revenue" (
      "contract_id" text NOT NULL, "obligation_id" text NOT NULL, "currency" text NOT NULL,
      "amount" bigint NOT NULL)`);
    // Read before the COPY starts: the connection carries one statement at a time.
    const events = await select<EventRow[]>(
      ctx.runner,
      `SELECT "contract_id", "payload" FROM "q2c"."canonical_events"
        WHERE "event_type" IN ('ContractBooked', 'ContractAmended')
        ORDER BY "contract_id", "recorded_at", "event_id"`,
    );
    await copyFrom(
      ctx.client,
      `COPY "expected_revenue" FROM STDIN`,
      Readable.from(expectedRows(events, ctx.period)),
    );
    const postings = await ctx.systems.json<{
      items: Array<{
        contractId: string | null;
        obligationId: string | null;
        amount: { amountMinor: string; currency: string };
      }>;
    }>('erp', '/v1/revenue-postings', { period: ctx.period });
    await ctx.runner.query(
      `CREATE TEMP TABLE "posted_revenue" AS
       SELECT coalesce(p."contractId", '') AS contract_id, coalesce(p."obligationId", '') AS obligation_id,
              upper(p."amount"->>'currency') AS currency, sum((p."amount"->>'amountMinor')::bigint) AS amount
         FROM jsonb_to_recordset($1::jsonb) AS p("contractId" text, "obligationId" text, "amount" jsonb)
        GROUP BY 1, 2, 3`,
      [JSON.stringify(postings.items)],
    );
    const period = ctx.period.replace(/'/g, '');
    await ctx.runner.query(`INSERT INTO "found"
      ("checkpoint", "category", "period", "contract_id", "object_type", "object_id", "field", "expected",
       "actual", "difference", "correlation_id")
      SELECT 'contract-revenue',
             CASE WHEN p.contract_id IS NULL THEN 'revenue_not_posted'
                  WHEN e.contract_id IS NULL THEN 'unexpected_revenue'
                  ELSE 'revenue_mismatch' END,
             '${period}', coalesce(e.contract_id, nullif(p.contract_id, '')), 'RevenueSchedule',
             coalesce(e.contract_id, p.contract_id) || ':' || coalesce(e.obligation_id, p.obligation_id) || ':${period}',
             'recognisedInPeriod', e.amount::text, p.amount::text,
             (coalesce(p.amount, 0) - coalesce(e.amount, 0))::text, c."correlation_id"
        FROM "expected_revenue" e
        FULL JOIN "posted_revenue" p
          ON p.contract_id = e.contract_id AND p.obligation_id = e.obligation_id AND p.currency = e.currency
        LEFT JOIN ${CONTRACT_CORRELATION} c ON c."contract_id" = coalesce(e.contract_id, p.contract_id)
       WHERE coalesce(p.amount, 0) <> coalesce(e.amount, 0)`);
    const row = (
      await select<Array<{ n: number }>>(
        ctx.runner,
        `SELECT (SELECT count(*) FROM "expected_revenue")::int AS n`,
      )
    ).at(0);
    return row?.n ?? 0;
  }
}

/** The engine's amounts for the period, one COPY row per contract and obligation, a contract at a time. */
function* expectedRows(rows: readonly EventRow[], period: string): Generator<string> {
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
    const result = computeSchedules(booking, amendments);
    for (const o of result.obligations) {
      const amount = o.periods.find((p) => p.period === period)?.amountMinor;
      if (amount === undefined) continue;
      chunk += `${field(contractId)}\t${field(o.pobId)}\t${field(result.currency)}\t${amount.toString()}\n`;
    }
    if (chunk.length > 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
