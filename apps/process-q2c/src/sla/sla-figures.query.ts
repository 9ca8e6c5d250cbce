import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import { DataSource } from 'typeorm';
import { refuseUnrealDays } from '../shared/calendar-days';
import type { ExceptionCountsDto, LatencyDto, SlaDto, SlaQuery } from '@revline/finance-api';

interface LatencyRow {
  kind: string | null;
  count: number;
  p: Array<number | null> | null;
}

interface ExceptionRow {
  category: string | null;
  opened: number;
  resolved: number;
  open: number;
  aged: number;
}

const round = (seconds: number | null | undefined): number | null =>
  seconds === null || seconds === undefined ? null : Math.round(seconds * 1000) / 1000;

/**
 * Service figures for a window of days: sync latency percentiles of the changes completed in it (Salesforce commit
 * to the last ERP posting, computed in Postgres with percentile_cont), and exceptions per category.
 */
@Injectable()
export class SlaFigures {
  constructor(private readonly dataSource: DataSource) {}

  async execute(query: SlaQuery): Promise<SlaDto> {
    refuseUnrealDays(query);
    const days = (Date.parse(`${query.to}T00:00:00Z`) - Date.parse(`${query.from}T00:00:00Z`)) / 86_400_000;
    if (days < 0)
      throw new DomainError(400, `to (${query.to}) is before from (${query.from})`, [
        { field: 'to', problem: 'must not be before from' },
      ]);
    if (days > 366)
      throw new DomainError(400, 'from..to spans more than 366 days', [
        { field: 'to', problem: 'must be at most 366 days after from' },
      ]);
    const agedAfterHours = query.agedAfterHours ?? 24;
    const window = [query.from, query.to];
    const [latency, exceptions] = await Promise.all([
      this.dataSource.query<LatencyRow[]>(
        `WITH done AS (
           SELECT "kind", EXTRACT(EPOCH FROM COALESCE(("data"->>'lastErpPostedAt')::timestamptz, "completed_at") - "committed_at")::float8 AS seconds
             FROM "q2c"."sagas"
            WHERE "status" = 'completed' AND "completed_at" >= $1::date AND "completed_at" < $2::date + 1
         )
         SELECT "kind", count(*)::int AS count,
                percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY seconds) AS p
           FROM done GROUP BY ROLLUP ("kind") ORDER BY "kind" NULLS FIRST`,
        window,
      ),
      this.dataSource.query<ExceptionRow[]>(
        `SELECT "category",
                (count(*) FILTER (WHERE "first_seen_at" >= $1::date AND "first_seen_at" < $2::date + 1))::int AS opened,
                (count(*) FILTER (WHERE "resolved_at" >= $1::date AND "resolved_at" < $2::date + 1))::int AS resolved,
                (count(*) FILTER (WHERE "status" <> 'resolved'))::int AS open,
                (count(*) FILTER (WHERE "status" <> 'resolved' AND "first_seen_at" < now() - make_interval(hours => $3)))::int AS aged
           FROM "q2c"."exceptions" GROUP BY ROLLUP ("category") ORDER BY "category" NULLS FIRST`,
        [...window, agedAfterHours],
      ),
    ]);
    const toLatency = (row: LatencyRow | undefined, kind: string): LatencyDto => ({
      kind,
      count: row?.count ?? 0,
      p50Seconds: round(row?.p?.[0]),
      p90Seconds: round(row?.p?.[1]),
      p99Seconds: round(row?.p?.[2]),
    });
    const toCounts = (row: ExceptionRow | undefined, category: string): ExceptionCountsDto => ({
      category,
      opened: row?.opened ?? 0,
      resolved: row?.resolved ?? 0,
      open: row?.open ?? 0,
      aged: row?.aged ?? 0,
    });
    const perCategory = exceptions
      .filter((r): r is ExceptionRow & { category: string } => r.category !== null)
      .map((r) => toCounts(r, r.category))
      .filter((c) => c.opened + c.resolved + c.open > 0)
      .sort((a, b) => b.opened - a.opened || b.open - a.open || a.category.localeCompare(b.category));
    return {
      from: query.from,
      to: query.to,
      agedAfterHours,
      syncLatency: [
        toLatency(
          latency.find((r) => r.kind === null),
          'all',
        ),
        ...latency
          .filter((r): r is LatencyRow & { kind: string } => r.kind !== null)
          .map((r) => toLatency(r, r.kind)),
      ],
      exceptions: perCategory,
      exceptionTotals: toCounts(
        exceptions.find((r) => r.category === null),
        'all',
      ),
    };
  }
}
