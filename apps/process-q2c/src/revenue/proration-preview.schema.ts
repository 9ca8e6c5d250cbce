import {
  BillCycleDaySchema,
  CurrencyCodeSchema,
  IsoDateSchema,
  NON_NEGATIVE_DECIMAL_PATTERN,
  UnitPricePeriodSchema,
} from '@revline/canonical';
import { PRORATION_CONVENTIONS } from '@revline/revenue';
import type { ProrationChange, ProrationPreview } from '@revline/revenue';
import { z } from 'zod';
import type { Same } from './same-type';

const decimal = (description: string, example: string): z.ZodString =>
  z
    .string()
    .max(40)
    .regex(NON_NEGATIVE_DECIMAL_PATTERN, 'must be a non-negative decimal string such as "15" or "0.002"')
    .meta({ description, examples: [example] });

export const ProrationConventionSchema = z.enum(PRORATION_CONVENTIONS).meta({
  id: 'ProrationConvention',
  description:
    'actual_days: remaining days / days in the period (Stripe for a change at 00:00 UTC); stripe_seconds: remaining seconds, from effectiveAt when given; cpq_day: CPQ day precision, days over a 365-day year (days / (365/12) months). The month-based conventions count billing months from the bill-cycle day and measure the rest of the period in their own months: thirty_360: whole months + partial days / 30; monthly_actual_days: whole months + partial days / the days of that billing month; cpq_month: Salesforce CPQ month precision (a partial month counts as a month); cpq_monthly_daily: CPQ whole months + partial days / (365/12)',
});

/** A quantity or price change inside one billing period (the engine's `ProrationChange`). */
export const ProrationChangeSchema = z
  .strictObject({
    currency: CurrencyCodeSchema,
    periodStart: IsoDateSchema.meta({ description: 'First day of the current billing period' }),
    periodEnd: IsoDateSchema.meta({ description: 'Last day of the current billing period (inclusive)' }),
    effectiveDate: IsoDateSchema.meta({
      description: 'The change takes effect at 00:00 of this date; inside the billing period',
    }),
    effectiveAt: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({
        description: 'stripe_seconds only: the exact instant of the change, on effectiveDate (UTC)',
        examples: ['2026-03-15T12:00:00Z'],
      }),
    priorQuantity: decimal('Quantity before the change', '10'),
    newQuantity: decimal('Quantity after the change', '15'),
    priorUnitPrice: decimal('Unit price before the change, major units per unitPricePeriod', '100'),
    newUnitPrice: decimal('Unit price after the change, major units per unitPricePeriod', '100'),
    unitPricePeriod: UnitPricePeriodSchema.optional().meta({
      description: 'What the unit prices are per: month (default), year, or term (the whole billing period)',
    }),
    billCycleDay: BillCycleDaySchema.optional().meta({
      description:
        'Month-based conventions (thirty_360, monthly_actual_days and the CPQ ones): the day of the month billing months start on; past the end of a month, its last day (31 is every month end). A partial month before it is prorated against it, as Zuora and Salesforce Billing do. For a change on a contract, pass its billCycleDay (ContractBooked). Default: the day of periodStart',
      examples: [15],
    }),
    description: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({
        description: 'The item, as it should read on the invoice lines',
        examples: ['Seat'],
      }),
  })
  .meta({ id: 'ProrationChange' });

/** Body of POST /v1/proration-previews. */
export const ProrationPreviewRequestSchema = z
  .strictObject({
    change: ProrationChangeSchema,
    convention: ProrationConventionSchema,
  })
  .meta({ id: 'ProrationPreviewRequest' });

export type ProrationPreviewRequest = z.infer<typeof ProrationPreviewRequestSchema>;

const MinorString = z
  .string()
  .regex(/^-?\d+$/)
  .meta({ description: 'Integer amount in minor units (cents for USD); negative is a credit' });

export const ProrationLineSchema = z
  .strictObject({
    description: z.string().meta({ examples: ['Unused time on 10 × Seat after 2026-03-15'] }),
    amountMinor: MinorString,
    proration: z.literal(true),
    period: z.strictObject({ start: IsoDateSchema, end: IsoDateSchema }).meta({
      description: 'The part of the billing period the line covers, inclusive',
    }),
  })
  .meta({ id: 'ProrationLine' });

export const ProrationPreviewSchema = z
  .strictObject({
    convention: ProrationConventionSchema,
    currency: CurrencyCodeSchema,
    remainingFraction: z.string().meta({
      description: 'Share of the billing period remaining from the effective date, 6 decimals',
      examples: ['0.800000'],
    }),
    lines: z.array(ProrationLineSchema).meta({
      description:
        'actual_days and stripe_seconds itemise as Stripe does: a credit for unused time on the old quantity and price, then a charge for the remaining time on the new ones, each rounded on its own. The other conventions quote the prorated difference as one line, as CPQ amendment quotes do',
    }),
    netMinor: MinorString.meta({ description: 'Sum of the lines, minor units' }),
  })
  .meta({ id: 'ProrationPreview' });

// The request and response schemas must describe the engine's own types; tsc fails when they drift.
export const PRORATION_SCHEMAS_MATCH_ENGINE: [
  Same<
    ProrationPreviewRequest['change'],
    Omit<ProrationChange, 'currency'> & { currency: ProrationPreviewRequest['change']['currency'] }
  >,
  Same<z.output<typeof ProrationPreviewSchema>, ProrationPreview>,
] = [true, true];
