import type { CurrencyCode, ModificationTreatment } from '@revline/canonical';
import type { ResolvedPolicy } from '../core/policy';
import type { RecognitionMethod } from '../recognition/method-curve';
import type { ModificationRecord } from '../modifications/apply-amendment';
import type { PeriodChange } from './versions';

/** Amounts in the engine's result are exact integer minor units (bigint); see toScheduleDto for JSON. */
export interface PeriodAmount {
  readonly period: string;
  readonly amountMinor: bigint;
  readonly cumulativeMinor: bigint;
}

export interface ObligationSchedule {
  readonly pobId: string;
  readonly lineId: string;
  readonly productCode: string;
  readonly method: RecognitionMethod;
  /** 'booking', 'usage', or the id of the amendment that created it. */
  readonly origin: string;
  readonly serviceStart: string;
  readonly serviceEnd: string;
  /** Point-in-time obligations: the day the revenue is recognised. */
  readonly deliveryDate?: string;
  readonly allocatedMinor: bigint;
  readonly periods: PeriodAmount[];
}

/** Contract balances at each month end: billed = recognised + deferred (deferred < 0 is a contract asset). */
export interface BalancePeriod {
  readonly period: string;
  readonly recognisedMinor: bigint;
  readonly billedMinor: bigint;
  readonly recognisedToDateMinor: bigint;
  readonly billedToDateMinor: bigint;
  readonly deferredMinor: bigint;
  readonly deferredRevenueMinor: bigint;
  readonly contractAssetMinor: bigint;
}

export interface ScheduleVersion {
  readonly version: number;
  /** 'booking' or the amendment id. */
  readonly trigger: string;
  readonly treatment: 'booking' | ModificationTreatment;
  /** Differences from the previous version, per obligation and period (empty for version 1). */
  readonly changes: PeriodChange[];
}

export interface ScheduleTotals {
  readonly transactionPriceMinor: bigint;
  readonly allocatedMinor: bigint;
  readonly recognisedMinor: bigint;
  readonly billedMinor: bigint;
}

export interface ScheduleResult {
  readonly contractId: string;
  readonly currency: CurrencyCode;
  readonly policy: ResolvedPolicy;
  readonly scheduleVersion: number;
  readonly obligations: ObligationSchedule[];
  readonly totals: ScheduleTotals;
  readonly deferredByPeriod: BalancePeriod[];
  readonly modifications: ModificationRecord[];
  readonly versions: ScheduleVersion[];
}
