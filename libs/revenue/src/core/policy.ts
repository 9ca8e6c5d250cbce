import type { ModificationTreatment } from '@revline/canonical';
import { toEpochDay } from '@revline/canonical';
import type { ProrationConvention } from '../proration/conventions';
import { checkDate } from '../input/checks';
import { RevenueInputError } from './errors';
import { CALENDAR_GRID, periodGrid, type FiscalCalendar, type PeriodGrid } from './period-grid';

/** Which ratable convention a tenant uses for lines marked `ratable_daily`. */
export type RatableConvention = 'ratable_daily' | 'even_monthly' | 'monthly_prorated';

/** Ramp deals: revenue as billed per segment, or straight-line over the whole term. */
export type RampRecognition = 'as_billed' | 'straight_line';

/** Tenant settings that change revenue figures; every schedule records the ones it used. */
export interface RevenuePolicy {
  readonly ratableConvention?: RatableConvention;
  readonly prorationConvention?: ProrationConvention;
  readonly rampRecognition?: RampRecognition;
  /** A change is "priced at SSP" when its price is within this fraction of the SSP ("0.05" = ±5 %). */
  readonly sspTolerance?: string;
  /** Forces a treatment for an amendment id, whatever the facts say (recorded as an override). */
  readonly treatmentOverrides?: Readonly<Record<string, ModificationTreatment>>;
  /** The accounting periods schedules are reported in: calendar months (default) or a 52/53-week calendar. */
  readonly fiscalCalendar?: FiscalCalendar;
  /** Week calendars: the first day of one fiscal year (any); the others start on its weekday nearest its anniversary. */
  readonly fiscalYearStart?: string;
}

export interface ResolvedPolicy {
  readonly ratableConvention: RatableConvention;
  readonly prorationConvention: ProrationConvention;
  readonly rampRecognition: RampRecognition;
  readonly sspTolerance: string;
  readonly rounding: 'half_up_cumulative';
  readonly treatmentOverrides: Readonly<Record<string, ModificationTreatment>>;
  readonly fiscalCalendar: FiscalCalendar;
  readonly fiscalYearStart?: string;
}

export const DEFAULT_POLICY: ResolvedPolicy = {
  ratableConvention: 'ratable_daily',
  prorationConvention: 'actual_days',
  rampRecognition: 'straight_line',
  sspTolerance: '0.05',
  rounding: 'half_up_cumulative',
  treatmentOverrides: {},
  fiscalCalendar: 'calendar',
};

export function resolvePolicy(policy: RevenuePolicy | undefined): ResolvedPolicy {
  return {
    ratableConvention: policy?.ratableConvention ?? DEFAULT_POLICY.ratableConvention,
    prorationConvention: policy?.prorationConvention ?? DEFAULT_POLICY.prorationConvention,
    rampRecognition: policy?.rampRecognition ?? DEFAULT_POLICY.rampRecognition,
    sspTolerance: policy?.sspTolerance ?? DEFAULT_POLICY.sspTolerance,
    rounding: 'half_up_cumulative',
    treatmentOverrides: policy?.treatmentOverrides ?? {},
    ...fiscalOf(policy),
  };
}

function fiscalOf(
  policy: RevenuePolicy | undefined,
): Pick<ResolvedPolicy, 'fiscalCalendar' | 'fiscalYearStart'> {
  const fiscalCalendar = policy?.fiscalCalendar ?? DEFAULT_POLICY.fiscalCalendar;
  if (fiscalCalendar === 'calendar') {
    return { fiscalCalendar };
  }
  if (policy?.fiscalYearStart === undefined) {
    throw new RevenueInputError(
      'policy.fiscalYearStart',
      `is required with the ${fiscalCalendar} fiscal calendar: the first day of one fiscal year`,
    );
  }
  checkDate(policy.fiscalYearStart, 'policy.fiscalYearStart');
  return { fiscalCalendar, fiscalYearStart: policy.fiscalYearStart };
}

/** The accounting periods of a resolved policy's fiscal calendar. */
export function gridOf(policy: ResolvedPolicy): PeriodGrid {
  return policy.fiscalCalendar === 'calendar' || policy.fiscalYearStart === undefined
    ? CALENDAR_GRID
    : periodGrid(policy.fiscalCalendar, toEpochDay(policy.fiscalYearStart));
}
