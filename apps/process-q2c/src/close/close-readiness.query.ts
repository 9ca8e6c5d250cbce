import { Injectable } from '@nestjs/common';
import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { DomainError } from '@revline/http';
import { computeSchedules } from '@revline/revenue';
import { DataSource } from 'typeorm';
import { PERIOD, periodBounds } from '../reconciliation/period';
import { SystemApis } from '../reconciliation/system-apis';
import type { CloseReadinessDto } from './close-readiness.dto';

interface EventRow {
  contract_id: string;
  payload: ContractBooked | ContractAmended;
}

/**
 * Whether a period can close: no open break of the period (or of the present state), no open exception, no saga
 * in flight that started by its end, a completed reconciliation run of the period, and the revenue the ERP posted
 * in it equal to the engine's expected revenue, currency by currency.
 */
@Injectable()
export class CloseReadiness {
  constructor(
    private readonly dataSource: DataSource,
    private readonly systems: SystemApis,
  ) {}

  async check(period: string): Promise<CloseReadinessDto> {
    if (!PERIOD.test(period))
      throw new DomainError(400, 'period must be YYYY-MM', [{ field: 'period', problem: 'must be YYYY-MM' }]);
    const { to } = periodBounds(period);
    const reasons: string[] = [];
    const breaks = await this.dataSource.query<Array<{ checkpoint: string; category: string; n: number }>>(
      `SELECT "checkpoint", "category", count(*)::int AS n FROM "q2c"."reconciliation_breaks"
        WHERE "status" = 'open' AND ("period" = $1 OR "period" IS NULL) GROUP BY 1, 2 ORDER BY 1, 2`,
      [period],
    );
    const openBreaks = breaks.reduce((s, b) => s + b.n, 0);
    if (openBreaks > 0)
      reasons.push(
        `${String(openBreaks)} reconciliation break(s) open: ${breaks.map((b) => `${b.checkpoint} ${b.category} ${String(b.n)}`).join(', ')}`,
      );
    const counts = (
      await this.dataSource.query<Array<{ exceptions: number; sagas: number; runs: number }>>(
        `SELECT (SELECT count(*) FROM "q2c"."exceptions" WHERE "status" IN ('open', 'retrying'))::int AS exceptions,
              (SELECT count(*) FROM "q2c"."sagas" WHERE "completed_at" IS NULL
                  AND "started_at" < $2::date + 1)::int AS sagas,
              (SELECT count(*) FROM "q2c"."reconciliation_runs" WHERE "period" = $1 AND "status" = 'completed'
                  AND "scope" IN ('all', 'billing-erp', 'contract-revenue'))::int AS runs`,
        [period, to],
      )
    ).at(0);
    const openExceptions = counts?.exceptions ?? 0;
    const sagasInFlight = counts?.sagas ?? 0;
    if (openExceptions > 0) reasons.push(`${String(openExceptions)} exception(s) open`);
    if (sagasInFlight > 0) reasons.push(`${String(sagasInFlight)} saga(s) still in flight`);
    if ((counts?.runs ?? 0) === 0) reasons.push(`no reconciliation run of ${period} has completed`);
    const revenue = await this.revenue(period);
    for (const r of revenue)
      if (r.expectedMinor !== r.postedMinor)
        reasons.push(`revenue ${r.currency}: ${r.postedMinor} posted, ${r.expectedMinor} expected`);
    return {
      period,
      ready: reasons.length === 0,
      reasons,
      openExceptions,
      openBreaks,
      sagasInFlight,
      revenue,
      checkedAt: new Date().toISOString(),
    };
  }

  private async revenue(period: string): Promise<CloseReadinessDto['revenue']> {
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
      const result = computeSchedules(booking, amendments);
      for (const o of result.obligations)
        for (const p of o.periods)
          if (p.period === period)
            expected.set(result.currency, (expected.get(result.currency) ?? 0n) + p.amountMinor);
    }
    const posted = new Map<string, bigint>();
    const postings = await this.systems.json<{
      items: Array<{ amount: { amountMinor: string; currency: string } }>;
    }>('erp', '/v1/revenue-postings', { period });
    for (const p of postings.items)
      posted.set(p.amount.currency, (posted.get(p.amount.currency) ?? 0n) + BigInt(p.amount.amountMinor));
    return [...new Set([...expected.keys(), ...posted.keys()])].sort().map((currency) => ({
      currency,
      expectedMinor: (expected.get(currency) ?? 0n).toString(),
      postedMinor: (posted.get(currency) ?? 0n).toString(),
    }));
  }
}
