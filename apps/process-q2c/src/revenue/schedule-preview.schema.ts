import {
  AmendmentTypeSchema,
  CurrencyCodeSchema,
  IsoDateSchema,
  ModificationFactsSchema,
  ModificationTreatmentSchema,
} from '@revline/canonical';
import { FISCAL_CALENDARS, PRORATION_CONVENTIONS } from '@revline/revenue';
import type { ScheduleDto } from '@revline/revenue';
import { z } from 'zod';
import type { Same } from './same-type';

/** The response of POST /v1/revenue/schedule-previews: the engine's ScheduleDto, described for OpenAPI. */

const minor = (description: string): z.ZodString =>
  z
    .string()
    .regex(/^-?\d+$/)
    .meta({ description: `${description}; integer minor units (cents for USD)` });

const PeriodKeySchema = z
  .string()
  .regex(/^(\d{4}-(0[1-9]|1[0-2])|FY\d{4}-P(0[1-9]|1[0-3]))$/)
  .meta({
    id: 'PeriodKey',
    description:
      "An accounting period of the policy's fiscal calendar: YYYY-MM for calendar months, FYyyyy-Pnn (P01..P12, or P13 in 13-period years) for a 4-4-5, 4-5-4, 5-4-4 or 13-period year, named after the calendar year most of its days fall in",
    examples: ['2026-03', 'FY2026-P03'],
  });

const PeriodAmountSchema = z
  .strictObject({
    period: PeriodKeySchema,
    amountMinor: minor('Revenue recognised in the month'),
    cumulativeMinor: minor('Revenue recognised to the end of the month'),
  })
  .meta({ id: 'PeriodAmount' });

const ObligationScheduleSchema = z
  .strictObject({
    pobId: z.string().meta({
      description:
        'Performance obligation; an amendment treated as a separate contract adds "<pobId>@<amendmentId>"',
      examples: ['seats@A-G2'],
    }),
    lineId: z.string(),
    productCode: z.string(),
    method: z.enum(['ratable_daily', 'even_monthly', 'monthly_prorated', 'point_in_time', 'usage']),
    origin: z
      .string()
      .meta({ description: '"booking", "usage", or the id of the amendment that created it' }),
    serviceStart: IsoDateSchema,
    serviceEnd: IsoDateSchema.meta({ description: 'Inclusive' }),
    deliveryDate: IsoDateSchema.optional().meta({
      description: 'Point-in-time obligations only: the day the revenue is recognised',
    }),
    allocatedMinor: minor('Transaction price allocated to the obligation'),
    periods: z.array(PeriodAmountSchema),
  })
  .meta({ id: 'ObligationSchedule' });

const BalancePeriodSchema = z
  .strictObject({
    period: PeriodKeySchema,
    recognisedMinor: minor('Revenue recognised in the month, all obligations'),
    billedMinor: minor('Amount invoiced in the month'),
    recognisedToDateMinor: minor('Revenue recognised to the month end'),
    billedToDateMinor: minor('Amount invoiced to the month end'),
    deferredMinor: minor('billedToDate − recognisedToDate; negative when revenue runs ahead of billing'),
    deferredRevenueMinor: minor('Deferred revenue (contract liability) at the month end, ≥ 0'),
    contractAssetMinor: minor('Contract asset (unbilled revenue) at the month end, ≥ 0'),
  })
  .meta({
    id: 'BalancePeriod',
    description: 'Contract balances at a month end: billed = recognised + deferred',
  });

const PeriodChangeSchema = z
  .strictObject({
    pobId: z.string(),
    period: PeriodKeySchema,
    previousMinor: minor('Amount in the previous version'),
    currentMinor: minor('Amount in this version'),
    deltaMinor: minor('currentMinor − previousMinor'),
  })
  .meta({ id: 'PeriodChange' });

const ScheduleVersionSchema = z
  .strictObject({
    version: z.number().int().min(1),
    trigger: z.string().meta({ description: '"booking" or the amendment id' }),
    treatment: z.union([z.literal('booking'), ModificationTreatmentSchema]),
    changes: z.array(PeriodChangeSchema).meta({ description: 'What changed against the previous version' }),
  })
  .meta({ id: 'ScheduleVersion' });

const ModificationRecordSchema = z
  .strictObject({
    amendmentId: z.string(),
    amendmentType: AmendmentTypeSchema,
    effectiveDate: IsoDateSchema,
    treatment: ModificationTreatmentSchema,
    citation: z.enum(['ASC 606-10-25-12', 'ASC 606-10-25-13(a)', 'ASC 606-10-25-13(b)']),
    reason: z.string().meta({ description: 'Why this treatment, in words an auditor can check' }),
    decidedBy: z.enum(['facts', 'amendment', 'policy']).meta({
      description:
        'facts: decided from the facts; amendment: set upstream on the amendment; policy: a tenant override',
    }),
    facts: ModificationFactsSchema,
    considerationMinor: minor('Change in consideration (negative for reductions and cancellations)'),
    creditMinor: minor('Credit owed to the customer, 0 when none'),
    catchUpMinor: minor('Revenue adjustment booked on the effective date (cumulative catch-up only)'),
  })
  .meta({ id: 'ModificationRecord', description: 'What an amendment did to revenue, and why' });

const ResolvedPolicySchema = z
  .strictObject({
    ratableConvention: z.enum(['ratable_daily', 'even_monthly', 'monthly_prorated']),
    prorationConvention: z.enum(PRORATION_CONVENTIONS),
    rampRecognition: z.enum(['as_billed', 'straight_line']),
    sspTolerance: z.string(),
    rounding: z.literal('half_up_cumulative'),
    treatmentOverrides: z.record(z.string(), ModificationTreatmentSchema),
    fiscalCalendar: z.enum(FISCAL_CALENDARS),
    fiscalYearStart: IsoDateSchema.optional().meta({
      description: 'Week calendars: the first day of one fiscal year',
    }),
  })
  .meta({ id: 'ResolvedPolicy', description: 'The tenant settings the schedule was computed with' });

export const SchedulePreviewSchema = z
  .strictObject({
    contractId: z.string(),
    currency: CurrencyCodeSchema,
    policy: ResolvedPolicySchema,
    scheduleVersion: z.number().int().min(1),
    obligations: z.array(ObligationScheduleSchema).meta({ description: 'Schedule by month per obligation' }),
    totals: z
      .strictObject({
        transactionPriceMinor: minor('Transaction price after every amendment'),
        allocatedMinor: minor('Sum allocated to the obligations'),
        recognisedMinor: minor('Revenue recognised over the whole schedule'),
        billedMinor: minor('Amount invoiced over the whole schedule'),
      })
      .meta({ id: 'ScheduleTotals' }),
    deferredByPeriod: z.array(BalancePeriodSchema),
    modifications: z.array(ModificationRecordSchema).meta({
      description: 'One per amendment: the modification treatment chosen, its citation and reason',
    }),
    versions: z.array(ScheduleVersionSchema).meta({
      description: 'Version 1 is the booking; each amendment makes the next version',
    }),
  })
  .meta({ id: 'SchedulePreview' });

// The documented shape must be the engine's ScheduleDto; tsc fails when they drift apart.
export const SCHEDULE_SCHEMA_MATCHES_ENGINE: Same<z.output<typeof SchedulePreviewSchema>, ScheduleDto> = true;
