import type { WaterfallCurrencyDto, WaterfallMonthDto } from '@revline/finance-api';
import { contractRollForward } from '@revline/revenue';

/** One contract's billing and revenue by month (minor units), in its currency. */
export interface ContractFlows {
  readonly currency: string;
  readonly billed: Map<string, bigint>;
  readonly recognised: Map<string, bigint>;
}

interface Position {
  deferred: bigint;
  unbilled: bigint;
}

interface MonthTotals {
  opening: Position;
  billed: bigint;
  recognised: bigint;
  closing: Position;
}

type Totals = Map<string, MonthTotals>;

const zero = (): Position => ({ deferred: 0n, unbilled: 0n });

/**
 * The waterfall per currency over `months`: each contract rolled forward on its own (billed ahead of recognised is
 * deferred revenue, recognised ahead of billed an unbilled receivable — never netted across contracts), then
 * summed. Per month: closing deferred − closing unbilled = opening deferred − opening unbilled + billed − recognised.
 */
export function waterfallByCurrency(
  months: readonly string[],
  contracts: Iterable<ContractFlows>,
  periodsFrom?: (from: string, to: string) => string[],
): WaterfallCurrencyDto[] {
  const first = months.at(0) ?? '';
  const last = months.at(-1) ?? '';
  const byCurrency = new Map<string, Totals>();
  for (const c of contracts) {
    const totals: Totals = byCurrency.get(c.currency) ?? new Map<string, MonthTotals>();
    byCurrency.set(c.currency, totals);
    const rolled = new Map(
      contractRollForward(c.billed, c.recognised, last, periodsFrom).map((m) => [m.period, m] as const),
    );
    let before = zero();
    for (const [period, m] of rolled) {
      if (period >= first) break;
      before = { deferred: m.deferredRevenueMinor, unbilled: m.contractAssetMinor };
    }
    let opening = before;
    for (const period of months) {
      const m = rolled.get(period);
      const closing = m ? { deferred: m.deferredRevenueMinor, unbilled: m.contractAssetMinor } : opening;
      const row = totals.get(period) ?? {
        opening: zero(),
        billed: 0n,
        recognised: 0n,
        closing: zero(),
      };
      row.opening.deferred += opening.deferred;
      row.opening.unbilled += opening.unbilled;
      row.billed += m?.billedMinor ?? 0n;
      row.recognised += m?.recognisedMinor ?? 0n;
      row.closing.deferred += closing.deferred;
      row.closing.unbilled += closing.unbilled;
      totals.set(period, row);
      opening = closing;
    }
  }
  return [...byCurrency.keys()].sort().map((currency) => {
    const totals = byCurrency.get(currency);
    const rows: WaterfallMonthDto[] = months.map((period) => {
      const r = totals?.get(period);
      return {
        period,
        openingDeferredMinor: (r?.opening.deferred ?? 0n).toString(),
        openingUnbilledMinor: (r?.opening.unbilled ?? 0n).toString(),
        billedMinor: (r?.billed ?? 0n).toString(),
        recognisedMinor: (r?.recognised ?? 0n).toString(),
        closingDeferredMinor: (r?.closing.deferred ?? 0n).toString(),
        closingUnbilledMinor: (r?.closing.unbilled ?? 0n).toString(),
      };
    });
    const sum = (pick: (m: WaterfallMonthDto) => string): string =>
      rows.reduce((total, m) => total + BigInt(pick(m)), 0n).toString();
    return {
      currency,
      openingDeferredMinor: rows.at(0)?.openingDeferredMinor ?? '0',
      openingUnbilledMinor: rows.at(0)?.openingUnbilledMinor ?? '0',
      billedMinor: sum((m) => m.billedMinor),
      recognisedMinor: sum((m) => m.recognisedMinor),
      closingDeferredMinor: rows.at(-1)?.closingDeferredMinor ?? '0',
      closingUnbilledMinor: rows.at(-1)?.closingUnbilledMinor ?? '0',
      months: rows,
    };
  });
}
