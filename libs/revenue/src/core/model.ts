import type { BillingFrequency, BillingTiming, ContractLine, CurrencyCode } from '@revline/canonical';
import type { Curve } from '../recognition/curves';
import type { RecognitionMethod } from '../recognition/method-curve';
import type { Ratio } from './ratio';
import type { PeriodGrid } from './period-grid';

/**
 * From `from` (epoch day) on, recognised-to-date is `base + curve.cumAt(day)`. A prospective
 * modification adds a regime that keeps what was recognised and spreads the rest; a cumulative
 * catch-up adds one with base 0 and the new total over the whole original period.
 */
export interface Regime {
  readonly from: number;
  readonly base: bigint;
  readonly curve: Curve;
}

export interface Obligation {
  readonly pobId: string;
  readonly lineId: string;
  readonly productCode: string;
  readonly method: RecognitionMethod;
  /** 'booking', or the amendment id that created it. */
  readonly origin: string;
  readonly start: number;
  readonly end: number;
  /** Point in time: the day control passes (the line's deliveryDate); start when absent. */
  readonly delivery?: number;
  quantity: Ratio;
  allocatedMinor: bigint;
  readonly regimes: Regime[];
  /** Usage overage: variable consideration recognised in the period of use, never reallocated. */
  readonly variable: boolean;
}

/** An amount invoiced (positive) or credited (negative) on a day. */
export interface Posting {
  readonly day: number;
  readonly amount: bigint;
}

export interface LineState {
  readonly line: ContractLine;
  readonly start: number;
  readonly end: number;
  quantity: Ratio;
  unitPrice: Ratio;
  /** Price units (of unitPricePeriod) in the line's term: 12 for a monthly price over a year. */
  readonly unitsInTerm: Ratio;
  /** Standalone selling price per unit per month, in minor units. */
  readonly sspPerUnitMonth: Ratio;
  readonly method: RecognitionMethod;
}

export interface EngineState {
  readonly contractId: string;
  readonly currency: CurrencyCode;
  readonly exponent: number;
  readonly termStart: number;
  termEnd: number;
  readonly billingFrequency: BillingFrequency;
  readonly billingTiming: BillingTiming;
  /** The day of the month billing periods start on, when the contract sets one (else its term start's). */
  readonly billCycleDay?: number | undefined;
  /** The accounting periods of the tenant's fiscal calendar, which schedules are reported in. */
  readonly grid: PeriodGrid;
  readonly lines: Map<string, LineState>;
  readonly obligations: Obligation[];
  readonly postings: Posting[];
  transactionPriceMinor: bigint;
}

export function cumOf(ob: Obligation, day: number): bigint {
  const regimes = ob.regimes;
  for (let i = regimes.length - 1; i >= 0; i--) {
    const r = regimes.at(i);
    if (r !== undefined && r.from <= day) {
      return r.base + r.curve.cumAt(day);
    }
  }
  return 0n;
}
