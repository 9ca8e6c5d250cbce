import { z } from 'zod';
import { ContractLineSchema } from './contract-line';
import { envelopeShape } from './envelope';
import { IdSchema, IsoDateSchema, MoneySchema, NonNegativeDecimalSchema } from './primitives';

export const AmendmentTypeSchema = z.enum([
  'expansion',
  'reduction',
  'cancellation',
  'renewal',
  'ramp_step',
  'price_change',
]);

export const ModificationTreatmentSchema = z.enum([
  'separate_contract',
  'prospective',
  'cumulative_catch_up',
]);

export const LineDeltaSchema = z
  .strictObject({
    lineId: IdSchema,
    priorQuantity: NonNegativeDecimalSchema,
    newQuantity: NonNegativeDecimalSchema,
    priorUnitPrice: NonNegativeDecimalSchema,
    newUnitPrice: NonNegativeDecimalSchema,
    amountDelta: MoneySchema.optional().meta({
      description:
        "Change in consideration for the rest of the term. When absent, the revenue engine computes it as the billing platform invoices the change: the rest of the billing period it falls in, prorated under the tenant's proration convention (actual days by default), then each later billing period at the new quantity and price",
    }),
  })
  .meta({ id: 'LineDelta' });

export const ModificationFactsSchema = z
  .strictObject({
    distinctGoodsAdded: z.boolean(),
    pricedAtSsp: z.boolean(),
    remainingGoodsDistinct: z.boolean(),
  })
  .meta({ id: 'ModificationFacts', description: 'The ASC 606-10-25-12/13 questions, when known upstream' });

export const RenewalTermsSchema = z
  .strictObject({
    termEnd: IsoDateSchema.meta({
      description: 'End of the renewal term (inclusive); it starts the day after the current end',
    }),
    upliftRate: NonNegativeDecimalSchema.meta({ description: 'Price uplift as a fraction, "0.05" = 5 %' }),
  })
  .meta({ id: 'RenewalTerms' });

export const amendmentTermsShape = {
  amendmentId: IdSchema,
  amendsContractId: IdSchema,
  amendmentType: AmendmentTypeSchema,
  effectiveDate: IsoDateSchema,
  coTerminated: z.boolean(),
  lineDeltas: z.array(LineDeltaSchema),
  addedLines: z.array(ContractLineSchema).optional(),
  consideration: MoneySchema.optional().meta({
    description:
      'Total added consideration when the change is priced as a bundle (overrides the sum of deltas)',
  }),
  renewal: RenewalTermsSchema.optional(),
  modificationFacts: ModificationFactsSchema.optional(),
  modificationTreatment: ModificationTreatmentSchema.optional(),
  modificationReason: z.string().min(1).max(500).optional(),
};

export const AmendmentTermsSchema = z.strictObject(amendmentTermsShape).meta({ id: 'AmendmentTerms' });

export const ContractAmendedSchema = z
  .strictObject({
    eventType: z.literal('ContractAmended'),
    schemaVersion: z.literal('1.1'),
    ...envelopeShape,
    ...amendmentTermsShape,
  })
  .meta({ id: 'ContractAmended', description: 'An amendment to a booked contract became effective' });

export type AmendmentTerms = z.infer<typeof AmendmentTermsSchema>;
export type ContractAmended = z.infer<typeof ContractAmendedSchema>;
export type AmendmentType = z.infer<typeof AmendmentTypeSchema>;
export type ModificationTreatment = z.infer<typeof ModificationTreatmentSchema>;
export type LineDelta = z.infer<typeof LineDeltaSchema>;
export type ModificationFacts = z.infer<typeof ModificationFactsSchema>;
