import { Injectable, Logger } from '@nestjs/common';
import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { computeSchedules } from '@revline/revenue';
import { DataSource } from 'typeorm';
import type { WaterfallDto, WaterfallQuery } from '@revline/finance-api';
import { USAGE_REVENUE } from '../usage/usage-revenue.sql';
import { CONTRACT_BILLING_DOCUMENTS, RevenueRunsRepository } from '../revenue-runs/revenue-runs.repository';
import { FiscalPeriods } from '../shared/fiscal-periods';
import { periodsBetween } from './waterfall-periods';
import type { ContractFlows } from './waterfall-roll-forward';
import { waterfallByCurrency } from './waterfall-roll-forward';

interface EventRow {
  contract_id: string;
  payload: ContractBooked | ContractAmended;
}

interface UsageRow {
  contract_id: string;
  currency: string;
  period: string;
  recognised: string;
}

interface BilledRow {
  contract_id: string;
  currency: string;
  /** The month of issue (calendar months) or the day (a fiscal calendar's periods are found from it). */
  issued: string;
  billed: string;
}

/**
 * Billing documents by contract, currency and month of issue (`$3` = 7) or day of issue (`$3` = 10, on a fiscal
 * calendar) up to `$1`, less tax, credit notes negative (CONTRACT_BILLING_DOCUMENTS). A document's period is the
 * period it is issued in: what is billed later than it is recognised (a back-dated booking, billing in arrears) is an
 * unbilled receivable until then, not billing moved back in time.
 */
const BILLED = `
  WITH docs AS (${CONTRACT_BILLING_DOCUMENTS})
  SELECT contract_id, "payload"->'total'->>'currency' AS currency, left("payload"->>'issuedOn', $3::int) AS issued,
         sum((CASE "kind" WHEN 'credit_note' THEN -1 ELSE 1 END)
             * (("payload"->'total'->>'amountMinor')::numeric - COALESCE(("payload"->'tax'->>'amountMinor')::numeric, 0)))::text AS billed
    FROM docs
   WHERE contract_id IS NOT NULL AND left("payload"->>'issuedOn', $3::int) <= $1 AND ($2::text IS NULL OR contract_id = $2)
   GROUP BY 1, 2, 3`;

/**
 * Usage (overage) revenue by contract, currency and period of use (see USAGE_REVENUE), of the tenant's calendar
 * (period close refuses rows of another; the waterfall leaves them out).
 */
const USAGE_RECOGNISED = `
  SELECT contract_id, currency, period, sum(amount)::text AS recognised
    FROM (${USAGE_REVENUE}) newest
   WHERE period <= $1 AND ($2::text IS NULL OR contract_id = $2) AND fiscal_calendar = $3
   GROUP BY 1, 2, 3`;

/**
 * The revenue waterfall: revenue recognised by month from the engine's schedules of every stored contract (its
 * booking and amendments as stored) and the usage revenue booked in its month of use, billed by month from the
 * invoices and credit notes, and each contract's deferred revenue and unbilled receivable rolled forward
 * (waterfallByCurrency).
 */
@Injectable()
export class RevenueWaterfall {
  private readonly logger = new Logger(RevenueWaterfall.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RevenueRunsRepository,
    private readonly fiscal: FiscalPeriods,
  ) {}

  /** Each month's revenue as the revenue runs posted it to the ERP, beside what the engine recognises. */
  private withPosted(
    currencies: WaterfallDto['currencies'],
    posted: ReadonlyArray<{ period: string; currency: string; revenue: bigint }>,
  ): WaterfallDto['currencies'] {
    for (const c of currencies)
      for (const m of c.months) {
        const run = posted.find((p) => p.period === m.period && p.currency === c.currency);
        if (run) m.postedToErpMinor = run.revenue.toString();
      }
    return currencies;
  }

  async execute(query: WaterfallQuery): Promise<WaterfallDto> {
    const months = periodsBetween(this.fiscal, query.from, query.to);
    // Calendar months are read by month as before; a fiscal calendar's periods are found from the days.
    const fiscal = this.fiscal.calendar !== 'calendar';
    const flows = new Map<string, ContractFlows>();
    const flowsOf = (contractId: string, currency: string): ContractFlows | undefined => {
      if (query.currency && currency !== query.currency) return undefined;
      const key = `${contractId}\u0000${currency}`;
      const found = flows.get(key) ?? { currency, billed: new Map(), recognised: new Map() };
      flows.set(key, found);
      return found;
    };
    const events = await this.dataSource.query<EventRow[]>(
      `SELECT "contract_id", "payload" FROM "q2c"."canonical_events"
        WHERE "event_type" IN ('ContractBooked', 'ContractAmended') AND ($1::text IS NULL OR "contract_id" = $1)
        ORDER BY "contract_id", "recorded_at", "event_id"`,
      [query.contractId ?? null],
    );
    let contracts = 0;
    for (const [contractId, history] of groupByContract(events)) {
      const booking = history.find((e): e is ContractBooked => e.eventType === 'ContractBooked');
      if (!booking || (query.currency && booking.currency !== query.currency)) continue;
      const amendments = history.filter((e): e is ContractAmended => e.eventType === 'ContractAmended');
      try {
        const result = computeSchedules(booking, amendments, this.fiscal.policy);
        const contract = flowsOf(contractId, booking.currency);
        for (const obligation of result.obligations)
          for (const p of obligation.periods)
            if (contract && p.period <= query.to) add(contract.recognised, p.period, p.amountMinor);
        contracts += 1;
      } catch (error) {
        this.logger.warn({ msg: 'contract left out of the waterfall', contractId, err: error });
      }
    }
    const usage = await this.dataSource.query<UsageRow[]>(USAGE_RECOGNISED, [
      query.to,
      query.contractId ?? null,
      this.fiscal.calendar,
    ]);
    for (const row of usage) {
      const contract = flowsOf(row.contract_id, row.currency);
      if (contract) add(contract.recognised, row.period, BigInt(row.recognised));
    }
    const rows = await this.dataSource.query<BilledRow[]>(BILLED, [
      fiscal ? this.fiscal.period(query.to, 'to').to : query.to,
      query.contractId ?? null,
      fiscal ? 10 : 7,
    ]);
    for (const row of rows) {
      const contract = flowsOf(row.contract_id, row.currency);
      const period = fiscal ? this.fiscal.keyOf(row.issued) : row.issued;
      if (contract) add(contract.billed, period, BigInt(row.billed));
    }
    return {
      from: query.from,
      to: query.to,
      contracts,
      currencies: this.withPosted(
        waterfallByCurrency(months, flows.values(), fiscal ? this.fiscal.keysBetween : undefined),
        await this.runs.revenueByPeriod(this.dataSource.manager, query.to, query.contractId),
      ),
    };
  }
}

function add(months: Map<string, bigint>, period: string, amount: bigint): void {
  months.set(period, (months.get(period) ?? 0n) + amount);
}

function groupByContract(rows: readonly EventRow[]): Map<string, Array<ContractBooked | ContractAmended>> {
  const byContract = new Map<string, Array<ContractBooked | ContractAmended>>();
  for (const row of rows)
    byContract.set(row.contract_id, [...(byContract.get(row.contract_id) ?? []), row.payload]);
  return byContract;
}
