import { z } from 'zod';
import type { CustomFieldReadings } from './custom-field-schemas';
import {
  customFieldShape,
  recordTypeFields,
  transactionFields,
  withCustomFields,
} from './custom-field-schemas';

/** A reference to another record: by internal id or by external id (NetSuite accepts either). */
export const RefSchema = z
  .strictObject({
    id: z.string().min(1).optional(),
    externalId: z.string().min(1).optional(),
    refName: z.string().optional(),
  })
  .refine((r) => r.id !== undefined || r.externalId !== undefined, 'A reference needs id or externalId');
export type Ref = z.infer<typeof RefSchema>;

/** NetSuite takes amounts as JSON numbers; a decimal string is accepted too. Kept as an exact decimal string. */
const Amount = z
  .union([z.number(), z.string()])
  .transform((v) => (typeof v === 'number' ? String(v) : v))
  .refine((v) => /^-?\d+(\.\d+)?$/.test(v), 'must be a decimal amount');

/** How the records service takes Revline's custom fields' values; the fields themselves come from vendor/netsuite. */
const READINGS: CustomFieldReadings = {
  select: RefSchema,
  decimal: Amount,
  decimalText: new Set(['custcol_rl_schedule_total', 'custrecord_rl_total']),
};
const custom = (appliesTo: string) => customFieldShape(transactionFields(appliesTo), READINGS);

/** What the sandbox's own logic reads of Revline's custom fields (which exist, and their limits, are the metadata's). */
interface BodyCustomFields {
  custbody_rl_contract?: string;
}
interface LineCustomFields {
  custcol_rl_contract?: string;
  custcol_rl_obligation?: string;
}
/**
 * Revline's revenue plan column fields (the account's custom transaction line fields): the obligation's schedule
 * version (integer), its total (decimal text) and its periods (long text, JSON as `custrecord_rl_periods`).
 */
interface ItemLineCustomFields extends LineCustomFields {
  custcol_rl_schedule_version?: number;
  custcol_rl_schedule_total?: string;
  custcol_rl_schedule_periods?: string;
}
interface RevenueScheduleFields {
  custrecord_rl_contract: string;
  custrecord_rl_obligation: string;
  custrecord_rl_version: number;
  custrecord_rl_currency: Ref;
  custrecord_rl_total: string;
  /** The schedule's periods as JSON text: [{"period":"YYYY-MM","amount":"1019.18"}, …]. */
  custrecord_rl_periods: string;
}

const NonNegativeAmount = Amount.refine((v) => !v.startsWith('-'), 'must not be negative');

const TranDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(
    (v) =>
      !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    'is not a calendar date',
  );

const ExternalId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -');

const Text = z.string().max(4000);

/** An address subrecord, as the customer's address book sublist carries it. */
const AddressSchema = z.strictObject({
  addr1: z.string().max(150).optional(),
  city: z.string().max(50).optional(),
  state: z.string().max(30).optional(),
  zip: z.string().max(36).optional(),
  country: z.strictObject({ id: z.string().regex(/^[A-Z]{2}$/, 'not a country code') }).optional(),
});

export const CustomerSchema = z.strictObject({
  externalId: ExternalId.optional(),
  companyName: z.string().min(1).max(83),
  email: z.string().max(254).optional(),
  subsidiary: RefSchema,
  /** The primary currency; left out, the subsidiary's base currency, as NetSuite OneWorld defaults it. */
  currency: RefSchema.optional(),
  addressBook: z
    .strictObject({
      items: z
        .array(
          z.strictObject({
            defaultBilling: z.boolean().optional(),
            defaultShipping: z.boolean().optional(),
            addressBookAddress: AddressSchema,
          }),
        )
        .max(100),
    })
    .optional(),
});

/**
 * An item line. REST web services support no legacy tax fields (`tax1Amt`, `taxCode`, `taxRate1`…): tax goes
 * through SuiteTax's tax details, each tax line naming the item line it taxes by `taxDetailsReference`.
 */
const ItemLine = withCustomFields<ItemLineCustomFields>()(
  {
    item: RefSchema,
    amount: NonNegativeAmount,
    taxDetailsReference: z.string().min(1).max(100).optional(),
    description: Text.optional(),
    class: RefSchema.optional(),
    /** The line's service period (NetSuite's Rev. Rec. Start Date and End Date on an item line). */
    revRecStartDate: TranDate.optional(),
    revRecEndDate: TranDate.optional(),
  },
  custom('colsale'),
);

/** Legacy tax fields of an item line, which REST web services refuse (they need SuiteTax). */
export const LEGACY_TAX_FIELDS: ReadonlySet<string> = new Set([
  'tax1Amt',
  'tax2Amt',
  'taxCode',
  'taxRate1',
  'taxRate2',
  'isTaxable',
  'taxItem',
]);

/** A percentage, kept as an exact decimal string. */
const Rate = Amount.refine((v) => !v.startsWith('-'), 'must not be negative');

/**
 * SuiteTax's Tax Details sublist: one tax line per item line and tax type, given as-is when the transaction's
 * Tax Details Override box (`taxDetailsOverride`) is checked; all tax information fields are mandatory.
 */
const TaxDetailsLine = z.strictObject({
  taxDetailsReference: z.string().min(1).max(100),
  taxType: RefSchema,
  taxCode: RefSchema,
  taxBasis: NonNegativeAmount,
  taxRate: Rate,
  taxAmount: NonNegativeAmount,
});

const SalesTax = {
  taxDetailsOverride: z.boolean().optional(),
  taxDetails: z.strictObject({ items: z.array(TaxDetailsLine).max(1000) }).optional(),
};

/**
 * A line of a transaction's apply sublist: the document by internal id (`doc: { id }`) and its line (0 for an
 * invoice without installments), whether it is applied and by how much.
 */
const ApplyLine = z.strictObject({
  doc: z.strictObject({ id: z.string().min(1), refName: z.string().optional() }),
  line: z.number().int().min(0).optional(),
  apply: z.boolean(),
  amount: NonNegativeAmount,
});
const ApplySublist = z.strictObject({ items: z.array(ApplyLine).max(1000) });

const TransactionBody = {
  externalId: ExternalId.optional(),
  tranDate: TranDate,
  subsidiary: RefSchema,
  currency: RefSchema,
  postingPeriod: RefSchema.optional(),
  memo: Text.optional(),
};

export const InvoiceSchema = withCustomFields<BodyCustomFields>()(
  {
    ...TransactionBody,
    ...SalesTax,
    entity: RefSchema,
    item: z.strictObject({ items: z.array(ItemLine).min(1).max(1000) }),
  },
  custom('bodysale'),
);

/**
 * A credit memo. `createdFrom` (the invoice it credits) is set by transforming the invoice
 * (`POST invoice/<id>/!transform/creditMemo`), never by a body: the records service refuses it there.
 */
export const CreditMemoSchema = withCustomFields<BodyCustomFields>()(
  {
    ...TransactionBody,
    ...SalesTax,
    entity: RefSchema,
    createdFrom: z.strictObject({ id: z.string().min(1), refName: z.string().optional() }).optional(),
    item: z.strictObject({ items: z.array(ItemLine).min(1).max(1000) }),
    apply: ApplySublist.optional(),
  },
  custom('bodysale'),
);

export const CustomerPaymentSchema = withCustomFields<BodyCustomFields>()(
  {
    ...TransactionBody,
    customer: RefSchema,
    payment: NonNegativeAmount,
    apply: ApplySublist.optional(),
  },
  custom('bodycustomerpayment'),
);

const JournalLine = withCustomFields<LineCustomFields>()(
  {
    account: RefSchema,
    debit: NonNegativeAmount.optional(),
    credit: NonNegativeAmount.optional(),
    memo: Text.optional(),
    entity: RefSchema.optional(),
    class: RefSchema.optional(),
  },
  custom('coljournal'),
);

export const JournalEntrySchema = withCustomFields<BodyCustomFields>()(
  {
    ...TransactionBody,
    line: z.strictObject({ items: z.array(JournalLine).min(2).max(1000) }),
  },
  custom('bodyjournal'),
);

export const RevenueScheduleSchema = withCustomFields<RevenueScheduleFields>()(
  { externalId: ExternalId.optional(), name: z.string().min(1).max(300) },
  customFieldShape(recordTypeFields('customrecord_rl_revenue_schedule'), READINGS),
);

/** A service the company sells (REST record id `serviceSaleItem`): what an invoice line's `item` names. */
export const ServiceSaleItemSchema = z.strictObject({
  externalId: ExternalId.optional(),
  itemId: z.string().min(1).max(60),
  displayName: z.string().max(60).optional(),
  description: Text.optional(),
  isInactive: z.boolean().optional(),
});

export const RECORD_SCHEMAS = {
  customer: CustomerSchema,
  invoice: InvoiceSchema,
  creditMemo: CreditMemoSchema,
  customerPayment: CustomerPaymentSchema,
  journalEntry: JournalEntrySchema,
  customrecord_rl_revenue_schedule: RevenueScheduleSchema,
  serviceSaleItem: ServiceSaleItemSchema,
} as const;

export type RecordType = keyof typeof RECORD_SCHEMAS;
export type RecordBody<T extends RecordType> = z.infer<(typeof RECORD_SCHEMAS)[T]>;
export type AnyRecordBody = RecordBody<RecordType>;

export function isRecordType(value: string): value is RecordType {
  return Object.hasOwn(RECORD_SCHEMAS, value);
}

export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9_-]+$/;
