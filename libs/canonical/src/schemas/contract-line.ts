import { z } from 'zod';
import { IdSchema, IsoDateSchema, MoneySchema, NonNegativeDecimalSchema } from './primitives';

export const ChargeTypeSchema = z.enum(['recurring', 'one_time', 'usage']);

/** How a line's revenue is recognised. */
export const RevenueTreatmentSchema = z.enum([
  'ratable_daily',
  'even_monthly',
  'monthly_prorated',
  'point_in_time',
  'usage',
]);

/** What the unit price is per: a month, a year, or the whole line term (one-time charges). */
export const UnitPricePeriodSchema = z.enum(['month', 'year', 'term']);

export const RampSegmentSchema = z
  .strictObject({
    segmentId: IdSchema,
    start: IsoDateSchema,
    end: IsoDateSchema,
    quantity: NonNegativeDecimalSchema,
    unitPrice: NonNegativeDecimalSchema,
    netAmount: MoneySchema,
  })
  .meta({ id: 'RampSegment', description: 'One step of a ramp deal with its own price (end inclusive)' });

export const ContractLineSchema = z
  .strictObject({
    lineId: IdSchema,
    productCode: IdSchema,
    pobId: IdSchema.meta({ description: 'Performance obligation id (since 1.1; 1.0 events get lineId)' }),
    chargeType: ChargeTypeSchema,
    quantity: NonNegativeDecimalSchema,
    unitPrice: NonNegativeDecimalSchema.meta({
      description: 'Price per unit per unitPricePeriod, major units',
    }),
    unitPricePeriod: UnitPricePeriodSchema,
    netAmount: MoneySchema.meta({ description: 'Transaction price of the line over its service term' }),
    ssp: MoneySchema.optional().meta({
      description: 'Standalone selling price over the term; defaults to netAmount',
    }),
    serviceStart: IsoDateSchema,
    serviceEnd: IsoDateSchema.meta({ description: 'Inclusive' }),
    deliveryDate: IsoDateSchema.optional().meta({
      description:
        'point_in_time lines only: the day control passes and the revenue is recognised, inside serviceStart..serviceEnd; default serviceStart',
    }),
    revenueTreatment: RevenueTreatmentSchema,
    rampSegments: z.array(RampSegmentSchema).optional(),
    includedUsage: NonNegativeDecimalSchema.optional().meta({ description: 'Units included per month' }),
    overageRate: NonNegativeDecimalSchema.optional().meta({
      description: 'Major units per unit above includedUsage',
    }),
  })
  .meta({ id: 'ContractLine' });

export type ContractLine = z.infer<typeof ContractLineSchema>;
export type RampSegment = z.infer<typeof RampSegmentSchema>;
export type ChargeType = z.infer<typeof ChargeTypeSchema>;
export type RevenueTreatment = z.infer<typeof RevenueTreatmentSchema>;
export type UnitPricePeriod = z.infer<typeof UnitPricePeriodSchema>;
