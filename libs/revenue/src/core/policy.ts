import type { ModificationTreatment } from '@revline/canonical';
import type { ProrationConvention } from '../proration/conventions';

/** Which ratable convention a tenant uses for lines marked `ratable_daily` (DESIGN.md §5). */
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
}

export interface ResolvedPolicy {
  readonly ratableConvention: RatableConvention;
  readonly prorationConvention: ProrationConvention;
  readonly rampRecognition: RampRecognition;
  readonly sspTolerance: string;
  readonly rounding: 'half_up_cumulative';
  readonly treatmentOverrides: Readonly<Record<string, ModificationTreatment>>;
}

export const DEFAULT_POLICY: ResolvedPolicy = {
  ratableConvention: 'ratable_daily',
  prorationConvention: 'actual_days',
  rampRecognition: 'straight_line',
  sspTolerance: '0.05',
  rounding: 'half_up_cumulative',
  treatmentOverrides: {},
};

export function resolvePolicy(policy: RevenuePolicy | undefined): ResolvedPolicy {
  return {
    ratableConvention: policy?.ratableConvention ?? DEFAULT_POLICY.ratableConvention,
    prorationConvention: policy?.prorationConvention ?? DEFAULT_POLICY.prorationConvention,
    rampRecognition: policy?.rampRecognition ?? DEFAULT_POLICY.rampRecognition,
    sspTolerance: policy?.sspTolerance ?? DEFAULT_POLICY.sspTolerance,
    rounding: 'half_up_cumulative',
    treatmentOverrides: policy?.treatmentOverrides ?? {},
  };
}
