import { Injectable } from '@nestjs/common';
import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { computeSchedules } from '@revline/revenue';
import { DataSource } from 'typeorm';
import { FiscalPeriods } from '../shared/fiscal-periods';
import { SystemApis } from '../reconciliation/system-apis';
import { ClosePeriod } from '../revenue-runs/close-period.usecase';
import { RevenueRunsConfig } from '../revenue-runs/revenue-runs.config';
import type { CloseReadinessDto, RevenueTotalDto } from './close-readiness.dto';
import { moneyOf } from '@revline/finance-api';

interface EventRow {
  contract_id: string;
  payload: ContractBooked | ContractAmended;
}

/** The first ten names, and how many more. */
function named(items: string[]): string {
  const shown = items.slice(0, 10).join(', ');
  return items.length > 10 ? `${shown} and ${String(items.length - 10)} more` : shown;
}

interface BreakGroupRow {
  checkpoint: string;
  category: string;
  n: number;
  contracts: string[];
  runs: string[];
}

/** One checkpoint and category of open breaks: how many, on which contracts, seen last by which runs. */
function breakGroupReason(b: BreakGroupRow): string {
  const contracts = b.contracts.length > 0 ? `contracts ${named(b.contracts)}; ` : '';
  return `${b.checkpoint} ${b.category} ${String(b.n)} (${contracts}run${b.runs.length > 1 ? 's' : ''} ${named(b.runs)})`;
}

/** A currency's posted revenue against the expected, both formatted, and the gap. */
function revenueReason(r: RevenueTotalDto): string {
  const gap = moneyOf((BigInt(r.postedMinor) - BigInt(r.expectedMinor)).toString(), r.currency);
  return `revenue ${r.currency}: ${r.posted.display} posted, ${r.expected.display} expected (${gap.display} difference)`;
}

/**
 * Whether a period of the tenant's calendar (REVENUE_FISCAL_CALENDAR: a month, or a fiscal period) can close, over
 * its own days: no open break of runs of the period, no open exception first seen by its end for a contract active
 * in it, no saga in flight whose change takes effect by its end, a completed reconciliation run of the period, and
 * the revenue the ERP posted in it equal to the engine's expected revenue, currency by currency.
 */
@Injectable()
export class CloseReadiness {
  constructor(
    private readonly dataSource: DataSource,
    private readonly systems: SystemApis,
    private readonly runs: ClosePeriod,
    private readonly posting: RevenueRunsConfig,
    private readonly fiscal: FiscalPeriods,
  ) {}

  async check(period: string): Promise<CloseReadinessDto> {
    // A period of the tenant's calendar (a month, or a fiscal period FYyyyy-Pnn), as period close takes it.
    const { from, to } = this.fiscal.period(period);
    const reasons: string[] = [];
    // Breaks of runs of the period: a period's own breaks, and present-state breaks (no period) that a run of the
    // period saw (first seen by a run of it or before, still seen by a run of it or after).
    const breaks = await this.dataSource.query<BreakGroupRow[]>(
      `SELECT b."checkpoint", b."category", count(*)::int AS n,
              coalesce(array_agg(DISTINCT b."contract_id") FILTER (WHERE b."contract_id" IS NOT NULL), '{}') AS contracts,
              array_agg(DISTINCT b."last_run_id"::text) AS runs
         FROM "q2c"."reconciliation_breaks" b
         JOIN "q2c"."reconciliation_runs" rf ON rf."run_id" = b."first_run_id"
         JOIN "q2c"."reconciliation_runs" rl ON rl."run_id" = b."last_run_id"
        WHERE b."status" = 'open'
          AND (b."period" = $1 OR (b."period" IS NULL AND rf."period" <= $1 AND rl."period" >= $1))
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [period],
    );
    const openBreaks = breaks.reduce((s, b) => s + b.n, 0);
    if (openBreaks > 0)
      reasons.push(
        `${String(openBreaks)} reconciliation break(s) open: ${breaks.map(breakGroupReason).join('; ')}`,
      );
    // Exceptions first seen by the period end, of a contract active in the period (its booked term overlaps it) or
    // of a contract Revline has no booking of (it cannot tell, so it counts them).
    const exceptions = await this.dataSource.query<
      Array<{ id: string; category: string; contract_id: string | null }>
    >(
      `WITH terms AS (
         SELECT DISTINCT ON ("contract_id") "contract_id", "payload"->>'termStart' AS term_start,
                "payload"->>'termEnd' AS term_end
           FROM "q2c"."canonical_events" WHERE "event_type" = 'ContractBooked'
          ORDER BY "contract_id", "recorded_at" DESC, "event_id" DESC),
       open AS (
         SELECT e."id"::text AS id, e."category",
                coalesce(e."details"->>'contractId', e."envelope"->'payload'->>'contractId',
                         e."envelope"->'payload'->>'recordId') AS contract_id
           FROM "q2c"."exceptions" e
          WHERE e."status" IN ('open', 'retrying') AND e."first_seen_at" < $2::date + 1)
       SELECT o.id, o.category, o.contract_id FROM open o
         LEFT JOIN terms t ON t."contract_id" = o.contract_id
        WHERE t."contract_id" IS NULL OR (t.term_start::date <= $2::date AND t.term_end::date >= $1::date)
        ORDER BY o.id`,
      [from, to],
    );
    // Sagas in flight whose change takes effect by the period end (the booking's term start or the amendment's
    // effective date; a saga whose event is not found counts from the day it started).
    const sagas = await this.dataSource.query<Array<{ saga_id: string; kind: string; contract_id: string }>>(
      `SELECT s."saga_id", s."kind", s."contract_id" FROM "q2c"."sagas" s
         LEFT JOIN "q2c"."canonical_events" ce ON ce."event_id" = s."event_id"
        WHERE s."completed_at" IS NULL
          AND coalesce(ce."payload"->>'effectiveDate', ce."payload"->>'termStart', s."started_at"::date::text) <= $1
        ORDER BY s."saga_id"`,
      [to],
    );
    const counts = (
      await this.dataSource.query<
        Array<{ runs: number; latest_id: string | null; latest_status: string | null }>
      >(
        `SELECT (SELECT count(*) FROM "q2c"."reconciliation_runs" WHERE "period" = $1 AND "status" = 'completed'
                  AND "scope" IN ('all', 'billing-erp', 'contract-revenue') AND "contract_id" IS NULL
                  AND "customer_id" IS NULL)::int AS runs, l."run_id"::text AS latest_id, l."status" AS latest_status
           FROM (SELECT 1) one
           LEFT JOIN LATERAL (SELECT "run_id", "status" FROM "q2c"."reconciliation_runs"
                               WHERE "period" = $1 AND "scope" IN ('all', 'billing-erp', 'contract-revenue')
                                 AND "contract_id" IS NULL AND "customer_id" IS NULL
                               ORDER BY "started_at" DESC LIMIT 1) l ON true`,
        [period],
      )
    ).at(0);
    const openExceptions = exceptions.length;
    const sagasInFlight = sagas.length;
    if (openExceptions > 0)
      reasons.push(
        `${String(openExceptions)} exception(s) open: ${named(exceptions.map((e) => `${e.id} ${e.category}${e.contract_id ? ` (${e.contract_id})` : ''}`))}`,
      );
    if (sagasInFlight > 0)
      reasons.push(
        `${String(sagasInFlight)} saga(s) still in flight: ${named(sagas.map((x) => `${x.saga_id} ${x.kind} (${x.contract_id})`))}`,
      );
    if ((counts?.runs ?? 0) === 0)
      reasons.push(
        `no reconciliation run of ${period} has completed${counts?.latest_id ? ` (run ${counts.latest_id} is ${counts.latest_status ?? ''})` : ''}`,
      );
    const atClose = this.posting.REVENUE_POSTING === 'period_close';
    const standing = atClose ? await this.runs.standing(period) : undefined;
    const run = standing?.latest;
    if (atClose && !run) reasons.push(`no revenue run of ${period} has been started`);
    if (run && run.state !== 'posted')
      reasons.push(
        `revenue run ${String(run.sequence)} of ${period} is ${run.state}${run.reason ? `: ${run.reason}` : ''}`,
      );
    if (standing && standing.pending > 0)
      reasons.push(
        `${String(standing.pending)} contract line(s) changed since revenue run ${String(run?.sequence ?? 0)} of ${period}: run it again to post the adjustment`,
      );
    const revenue = await this.revenue(period, standing?.revenueByCurrency);
    for (const r of revenue) if (r.expectedMinor !== r.postedMinor) reasons.push(revenueReason(r));
    return {
      ...(run ? { revenueRun: run } : {}),
      ...(standing ? { revenueRunPending: standing.pending } : {}),
      period,
      ready: reasons.length === 0,
      reasons,
      openExceptions,
      openBreaks,
      breaks: breaks.map((b) => ({
        checkpoint: b.checkpoint,
        category: b.category,
        count: b.n,
        contractIds: b.contracts,
        runIds: b.runs,
      })),
      sagasInFlight,
      revenue,
      checkedAt: new Date().toISOString(),
    };
  }

  /**
   * Per currency, the revenue the ERP holds for the period against what it should: the engine's schedules of the
   * period, or under period close what the period's revenue runs posted (the period's revenue and any catch-up).
   */
  private async revenue(
    period: string,
    runs?: ReadonlyMap<string, bigint>,
  ): Promise<CloseReadinessDto['revenue']> {
    const expected = runs ? new Map(runs) : await this.scheduled(period);
    const posted = new Map<string, bigint>();
    const postings = await this.systems.json<{
      items: Array<{ amount: { amountMinor: string; currency: string } }>;
    }>('erp', '/v1/revenue-postings', this.fiscal.erpQuery(period));
    for (const p of postings.items)
      posted.set(p.amount.currency, (posted.get(p.amount.currency) ?? 0n) + BigInt(p.amount.amountMinor));
    return [...new Set([...expected.keys(), ...posted.keys()])].sort().map((currency) => {
      const expectedMinor = (expected.get(currency) ?? 0n).toString();
      const postedMinor = (posted.get(currency) ?? 0n).toString();
      return {
        currency,
        expectedMinor,
        postedMinor,
        expected: moneyOf(expectedMinor, currency),
        posted: moneyOf(postedMinor, currency),
      };
    });
  }

  /** The engine's revenue of the period by currency, every stored contract and amendment. */
  private async scheduled(period: string): Promise<Map<string, bigint>> {
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT "contract_id", "payload" FROM "q2c"."canonical_events"
        WHERE "event_type" IN ('ContractBooked', 'ContractAmended') ORDER BY "contract_id", "recorded_at", "event_id"`,
    );
    const expected = new Map<string, bigint>();
    const byContract = new Map<string, EventRow[]>();
    for (const row of rows)
      byContract.set(row.contract_id, [...(byContract.get(row.contract_id) ?? []), row]);
    for (const events of byContract.values()) {
      const booking = events.find((e) => e.payload.eventType === 'ContractBooked')?.payload as
        ContractBooked | undefined;
      if (!booking) continue;
      const amendments = events
        .map((e) => e.payload)
        .filter((p): p is ContractAmended => p.eventType === 'ContractAmended');
      const result = computeSchedules(booking, amendments, this.fiscal.policy);
      for (const o of result.obligations)
        for (const p of o.periods)
          if (p.period === period)
            expected.set(result.currency, (expected.get(result.currency) ?? 0n) + p.amountMinor);
    }
    return expected;
  }
}
