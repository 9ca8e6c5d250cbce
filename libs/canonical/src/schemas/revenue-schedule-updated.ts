import { z } from 'zod';
import { ModificationTreatmentSchema } from './contract-amended';
import { envelopeShape } from './envelope';
import { CurrencyCodeSchema, IdSchema, IsoMonthSchema, MoneySchema } from './primitives';

export const SchedulePeriodSchema = z
  .strictObject({
    period: IsoMonthSchema,
    amount: MoneySchema,
    cumulative: MoneySchema,
  })
  .meta({ id: 'SchedulePeriod' });

export const RevenueScheduleUpdatedSchema = z
  .strictObject({
    eventType: z.literal('RevenueScheduleUpdated'),
    schemaVersion: z.literal('1.1'),
    ...envelopeShape,
    contractId: IdSchema,
    pobId: IdSchema,
    scheduleVersion: z.int().positive(),
    triggerEvent: z.strictObject({
      eventType: z.enum(['ContractBooked', 'ContractAmended', 'UsageReported']),
      messageId: z.uuidv7().optional(),
      amendmentId: IdSchema.optional(),
    }),
    treatment: z.union([z.literal('booking'), ModificationTreatmentSchema]),
    treatmentReason: z.string().max(500).optional(),
    conventions: z.strictObject({
      recognition: z.string().min(1),
      proration: z.string().min(1),
      rounding: z.literal('half_up_cumulative'),
    }),
    currency: CurrencyCodeSchema,
    periods: z.array(SchedulePeriodSchema),
    catchUpAmount: MoneySchema,
    deferredBalance: MoneySchema,
  })
  .meta({ id: 'RevenueScheduleUpdated' });

export type RevenueScheduleUpdated = z.infer<typeof RevenueScheduleUpdatedSchema>;
export type SchedulePeriod = z.infer<typeof SchedulePeriodSchema>;
