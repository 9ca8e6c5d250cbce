import { z } from 'zod';
import { envelopeShape } from './envelope';
import {
  CurrencyCodeSchema,
  IdSchema,
  IsoDateSchema,
  MoneySchema,
  NonNegativeDecimalSchema,
} from './primitives';

export const UsageReportedSchema = z
  .strictObject({
    eventType: z.literal('UsageReported'),
    schemaVersion: z.literal('1.1'),
    ...envelopeShape,
    usageRecordId: IdSchema,
    contractId: IdSchema,
    lineId: IdSchema,
    meter: z.string().min(1).max(100),
    quantity: NonNegativeDecimalSchema,
    usageStart: IsoDateSchema,
    usageEnd: IsoDateSchema.meta({ description: 'Inclusive' }),
  })
  .meta({ id: 'UsageReported' });

export const DocumentLineSchema = z
  .strictObject({
    lineId: IdSchema.optional(),
    description: z.string().min(1).max(500),
    amount: MoneySchema,
    proration: z.boolean(),
    periodStart: IsoDateSchema,
    periodEnd: IsoDateSchema,
  })
  .meta({ id: 'DocumentLine' });

export const InvoiceIssuedSchema = z
  .strictObject({
    eventType: z.literal('InvoiceIssued'),
    schemaVersion: z.literal('1.1'),
    ...envelopeShape,
    invoiceId: IdSchema,
    contractId: IdSchema,
    invoiceNumber: z.string().min(1).max(100).optional(),
    issueDate: IsoDateSchema,
    dueDate: IsoDateSchema.optional(),
    currency: CurrencyCodeSchema,
    lines: z.array(DocumentLineSchema).min(1),
    subtotal: MoneySchema,
    tax: MoneySchema,
    total: MoneySchema,
  })
  .meta({ id: 'InvoiceIssued' });

export const CreditMemoIssuedSchema = z
  .strictObject({
    eventType: z.literal('CreditMemoIssued'),
    schemaVersion: z.literal('1.1'),
    ...envelopeShape,
    creditMemoId: IdSchema,
    contractId: IdSchema,
    invoiceId: IdSchema.optional(),
    issueDate: IsoDateSchema,
    reason: z.enum(['cancellation', 'reduction', 'price_change', 'billing_error', 'goodwill']),
    currency: CurrencyCodeSchema,
    lines: z.array(DocumentLineSchema).min(1),
    total: MoneySchema,
  })
  .meta({ id: 'CreditMemoIssued' });

export const PaymentReceivedSchema = z
  .strictObject({
    eventType: z.literal('PaymentReceived'),
    schemaVersion: z.literal('1.1'),
    ...envelopeShape,
    paymentId: IdSchema,
    customerId: IdSchema,
    receivedDate: IsoDateSchema,
    amount: MoneySchema,
    method: z.enum(['card', 'ach', 'wire', 'sepa_debit', 'check', 'other']),
    appliedTo: z.array(z.strictObject({ invoiceId: IdSchema, amount: MoneySchema })),
  })
  .meta({ id: 'PaymentReceived' });

export type UsageReported = z.infer<typeof UsageReportedSchema>;
export type InvoiceIssued = z.infer<typeof InvoiceIssuedSchema>;
export type CreditMemoIssued = z.infer<typeof CreditMemoIssuedSchema>;
export type PaymentReceived = z.infer<typeof PaymentReceivedSchema>;
export type DocumentLine = z.infer<typeof DocumentLineSchema>;
