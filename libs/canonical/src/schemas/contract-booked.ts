import { z } from 'zod';
import { isIsoDate } from '../dates/calendar-date';
import { ContractLineSchema } from './contract-line';
import { envelopeShape } from './envelope';
import { CurrencyCodeSchema, IdSchema, IsoDateSchema } from './primitives';

export const BillingFrequencySchema = z.enum(['monthly', 'quarterly', 'semiannual', 'annual', 'upfront']);
export const BillingTimingSchema = z.enum(['advance', 'arrears']);
/**
 * The day of the month billing periods start on (Revline's Order.Revline_Bill_Cycle_Day__c); a day
 * past a month's end bills on its last day. Absent: the term start's day of the month.
 */
export const BillCycleDaySchema = z
  .int()
  .min(1)
  .max(31)
  .meta({
    description:
      "The day of the month billing periods start on (31 bills on a shorter month's last day); absent: the term start's day",
    examples: [15],
  });

export const PostalAddressSchema = z
  .strictObject({
    line1: z.string().min(1).max(255).optional(),
    city: z.string().min(1).max(100).optional(),
    state: z.string().min(1).max(100).optional(),
    postalCode: z.string().min(1).max(20).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code')
      .optional()
      .meta({ description: 'ISO 3166-1 alpha-2', examples: ['US'] }),
  })
  .meta({ id: 'PostalAddress', description: 'A postal address (every part optional)' });

export const CustomerRefSchema = z
  .strictObject({
    customerId: IdSchema,
    salesforceAccountId: z.string().min(15).max(18).optional(),
    billingCustomerId: IdSchema.optional(),
    erpCustomerId: IdSchema.optional(),
    name: z.string().min(1).max(255).optional().meta({ description: "The account's name" }),
    billingAddress: PostalAddressSchema.optional(),
    currency: CurrencyCodeSchema.optional().meta({ description: "The account's currency" }),
  })
  .meta({
    id: 'CustomerRef',
    description: 'The customer: its id in each system, and its name, billing address and currency',
  });

type Ctx = z.core.$RefinementCtx;

function before(a: string, b: string): boolean {
  return isIsoDate(a) && isIsoDate(b) && a > b;
}

/** Cross-field rules of a contract: dates in order and inside the term, one currency. */
export function checkContractTerms(
  value: {
    currency: string;
    termStart: string;
    termEnd: string;
    lines: z.infer<typeof ContractLineSchema>[];
  },
  ctx: Ctx,
  linesKey = 'lines',
): void {
  if (before(value.termStart, value.termEnd)) {
    ctx.addIssue({ code: 'custom', path: ['termEnd'], message: 'termEnd is before termStart' });
  }
  value.lines.forEach((line, i) => {
    const at = (...p: (string | number)[]): (string | number)[] => [linesKey, i, ...p];
    if (before(line.serviceStart, line.serviceEnd)) {
      ctx.addIssue({ code: 'custom', path: at('serviceEnd'), message: 'serviceEnd is before serviceStart' });
    }
    if (before(value.termStart, line.serviceStart) || before(line.serviceEnd, value.termEnd)) {
      ctx.addIssue({
        code: 'custom',
        path: at('serviceStart'),
        message: 'service dates fall outside the contract term',
      });
    }
    if (line.netAmount.currency !== value.currency) {
      ctx.addIssue({
        code: 'custom',
        path: at('netAmount', 'currency'),
        message: `must be the contract currency ${value.currency}`,
      });
    }
    if (line.ssp && line.ssp.currency !== value.currency) {
      ctx.addIssue({
        code: 'custom',
        path: at('ssp', 'currency'),
        message: `must be the contract currency ${value.currency}`,
      });
    }
    (line.rampSegments ?? []).forEach((seg, j) => {
      if (before(seg.start, seg.end)) {
        ctx.addIssue({
          code: 'custom',
          path: at('rampSegments', j, 'end'),
          message: 'segment end is before its start',
        });
      }
      if (before(line.serviceStart, seg.start) || before(seg.end, line.serviceEnd)) {
        ctx.addIssue({
          code: 'custom',
          path: at('rampSegments', j, 'start'),
          message: 'segment falls outside the line service dates',
        });
      }
      if (seg.netAmount.currency !== value.currency) {
        ctx.addIssue({
          code: 'custom',
          path: at('rampSegments', j, 'netAmount', 'currency'),
          message: `must be the contract currency ${value.currency}`,
        });
      }
    });
  });
}

export const contractTermsShape = {
  contractId: IdSchema,
  customer: CustomerRefSchema,
  currency: CurrencyCodeSchema,
  termStart: IsoDateSchema,
  termEnd: IsoDateSchema.meta({ description: 'Inclusive' }),
  billingFrequency: BillingFrequencySchema,
  billingTiming: BillingTimingSchema,
  billCycleDay: BillCycleDaySchema.optional(),
  lines: z.array(ContractLineSchema).min(1),
};

/** The commercial terms of a contract: what the revenue engine reads. */
export const ContractTermsSchema = z
  .strictObject(contractTermsShape)
  .superRefine((v, ctx) => {
    checkContractTerms(v, ctx);
  })
  .meta({ id: 'ContractTerms' });

export const ContractBookedSchema = z
  .strictObject({
    eventType: z.literal('ContractBooked'),
    schemaVersion: z.literal('1.1'),
    ...envelopeShape,
    ...contractTermsShape,
  })
  .superRefine((v, ctx) => {
    checkContractTerms(v, ctx);
  })
  .meta({ id: 'ContractBooked', description: 'A contract was booked (Salesforce Order activated)' });

export type CustomerRef = z.infer<typeof CustomerRefSchema>;
export type PostalAddress = z.infer<typeof PostalAddressSchema>;
export type ContractTerms = z.infer<typeof ContractTermsSchema>;
export type ContractBooked = z.infer<typeof ContractBookedSchema>;
export type BillingFrequency = z.infer<typeof BillingFrequencySchema>;
export type BillingTiming = z.infer<typeof BillingTimingSchema>;
