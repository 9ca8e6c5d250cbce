import { Injectable, Logger } from '@nestjs/common';
import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { computeSchedules } from '@revline/revenue';
import { DataSource } from 'typeorm';
import type { WaterfallCurrencyDto, WaterfallDto, WaterfallQuery } from '@revline/finance-api';
import { USAGE_REVENUE_JOURNALS } from '../usage/usage-revenue.sql';
import { monthsBetween } from './waterfall-periods';

interface EventRow {
  contract_id: string;
  payload: ContractBooked | ContractAmended;
}

interface UsageRow {
  currency: string;
  period: string;
  recognised: string;
}

interface BilledRow {
  currency: string;
  period: string;
  billed: string;
}

/** Amounts per currency and month, in minor units. */
type Ledger = Map<string, Map<string, bigint>>;

function add(ledger: Ledger, currency: string, period: string, amount: bigint): void {
  const months = ledger.get(currency) ?? new Map<string, bigint>();
  months.set(period, (months.get(period) ?? 0n) + amount);
  ledger.set(currency, months);
}

/**
 * Billing documents by currency and month, less tax, credit notes negative. A document belongs to the contract of
 * the saga that consumed it, or else of the saga that made its subscription. Its month is the month it bills from:
 * the earliest service-period start of its lines when it bills in advance (a subscription started on its term
 * start bills from that day), its issue date otherwise — and always its issue date for a usage invoice (billed in
 * arrears: its lines' period is the month of use, booked as revenue there, see USAGE_RECOGNISED), known by the ERP
 * invoice Revline sent for it as one (`usage-invoice:<document>:<contract>`).
 */
const BILLED = `
  WITH docs AS (
    SELECT d."kind", d."payload",
           COALESCE(s."contract_id", (SELECT s2."contract_id" FROM "q2c"."sagas" s2
                                       WHERE s2."data"->>'subscriptionId' = d."subscription_id" LIMIT 1)) AS contract_id,
           CASE WHEN EXISTS (SELECT 1 FROM "q2c"."saga_commands" c
                              WHERE c."step" = 'usage_invoice' AND c."job" = 'erp.post-invoice'
                                AND starts_with(c."idempotency_key", 'usage-invoice:' || d."document_id" || ':'))
                THEN d."payload"->>'issuedOn'
                ELSE LEAST(d."payload"->>'issuedOn',
                           (SELECT min(l->>'periodStart') FROM jsonb_array_elements(d."payload"->'lines') l
                             WHERE l->>'periodStart' IS NOT NULL)) END AS billed_on
      FROM "q2c"."billing_documents" d LEFT JOIN "q2c"."sagas" s ON s."saga_id" = d."saga_id"
     WHERE d."kind" IN ('invoice', 'credit_note')
  )
  SELECT "payload"->'total'->>'currency' AS currency, left(billed_on, 7) AS period,
         sum((CASE "kind" WHEN 'credit_note' THEN -1 ELSE 1 END)
             * (("payload"->'total'->>'amountMinor')::numeric - COALESCE(("payload"->'tax'->>'amountMinor')::numeric, 0)))::text AS billed
    FROM docs
   WHERE contract_id IS NOT NULL AND left(billed_on, 7) <= $1 AND ($2::text IS NULL OR contract_id = $2)
   GROUP BY 1, 2`;

/** Usage (overage) revenue by currency and month of use (see USAGE_REVENUE_JOURNALS). */
const USAGE_RECOGNISED = `
  SELECT currency, period, sum(amount)::text AS recognised
    FROM (${USAGE_REVENUE_JOURNALS}) newest
   WHERE period <= $1 AND ($2::text IS NULL OR contract_id = $2)
   GROUP BY 1, 2`;

/**
 * The revenue waterfall: revenue recognised by month from the engine's schedules of every stored contract (its
 * booking and amendments as stored) and the usage revenue booked in its month of use, billed by month from the invoices and credit notes, and the deferred revenue
 * rolled forward: opening + billed − recognised = closing.
 */
@Injectable()
export class RevenueWaterfall {
  private readonly logger = new Logger(RevenueWaterfall.name);

  constructor(private readonly dataSource: DataSource) {}

  async execute(query: WaterfallQuery): Promise<WaterfallDto> {
    const months = monthsBetween(query.from, query.to);
    const recognised: Ledger = new Map();
    const billed: Ledger = new Map();
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
        const result = computeSchedules(booking, amendments);
        for (const obligation of result.obligations)
          for (const p of obligation.periods)
            if (p.period <= query.to) add(recognised, booking.currency, p.period, p.amountMinor);
        contracts += 1;
      } catch (error) {
        this.logger.warn({ msg: 'contract left out of the waterfall', contractId, err: error });
      }
    }
    const usage = await this.dataSource.query<UsageRow[]>(USAGE_RECOGNISED, [
      query.to,
      query.contractId ?? null,
    ]);
    for (const row of usage) {
      if (query.currency && row.currency !== query.currency) continue;
      add(recognised, row.currency, row.period, BigInt(row.recognised));
    }
    const rows = await this.dataSource.query<BilledRow[]>(BILLED, [query.to, query.contractId ?? null]);
    for (const row of rows) {
      if (query.currency && row.currency !== query.currency) continue;
      add(billed, row.currency, row.period, BigInt(row.billed));
    }
    const currencies = [...new Set([...recognised.keys(), ...billed.keys()])].sort();
    return {
      from: query.from,
      to: query.to,
      contracts,
      currencies: currencies.map((currency) =>
        rollForward(currency, months, recognised.get(currency), billed.get(currency)),
      ),
    };
  }
}

function groupByContract(rows: readonly EventRow[]): Map<string, Array<ContractBooked | ContractAmended>> {
  const byContract = new Map<string, Array<ContractBooked | ContractAmended>>();
  for (const row of rows)
    byContract.set(row.contract_id, [...(byContract.get(row.contract_id) ?? []), row.payload]);
  return byContract;
}

function rollForward(
  currency: string,
  months: readonly string[],
  recognised: ReadonlyMap<string, bigint> = new Map(),
  billed: ReadonlyMap<string, bigint> = new Map(),
): WaterfallCurrencyDto {
  const first = months[0] ?? '';
  let opening = 0n;
  for (const [period, amount] of billed) if (period < first) opening += amount;
  for (const [period, amount] of recognised) if (period < first) opening -= amount;
  const start = opening;
  let billedTotal = 0n;
  let recognisedTotal = 0n;
  const rows = months.map((period) => {
    const b = billed.get(period) ?? 0n;
    const r = recognised.get(period) ?? 0n;
    const closing = opening + b - r;
    const row = {
      period,
      openingDeferredMinor: opening.toString(),
      billedMinor: b.toString(),
      recognisedMinor: r.toString(),
      closingDeferredMinor: closing.toString(),
    };
    billedTotal += b;
    recognisedTotal += r;
    opening = closing;
    return row;
  });
  return {
    currency,
    openingDeferredMinor: start.toString(),
    billedMinor: billedTotal.toString(),
    recognisedMinor: recognisedTotal.toString(),
    closingDeferredMinor: opening.toString(),
    months: rows,
  };
}
