import { BusinessError } from '@revline/messaging';
import { z } from 'zod';

const Minor = z.string().regex(/^-?(0|[1-9]\d*)$/, 'must be an integer amount in minor units');
const NonNegativeMinor = z
  .string()
  .regex(/^(0|[1-9]\d*)$/, 'must be a non-negative integer amount in minor units');
const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code');
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const Period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a period YYYY-MM');
/** A period of the tenant's calendar (process-q2c's REVENUE_FISCAL_CALENDAR): a month, or a fiscal period FYyyyy-Pnn. */
const AccountingPeriod = z
  .string()
  .regex(/^(\d{4}-(0[1-9]|1[0-2])|FY\d{4}-P(0[1-9]|1[0-3]))$/, 'must be a period YYYY-MM or FYyyyy-Pnn');
const Key = z.string().min(1).max(200);

export const CustomerCommand = z.object({
  externalId: Key,
  name: z.string().min(1).max(83),
  subsidiary: Key,
  currency: Currency,
  email: z.string().max(254).optional(),
  address: z
    .object({
      line1: z.string().max(150).optional(),
      city: z.string().max(50).optional(),
      state: z.string().max(30).optional(),
      postalCode: z.string().max(36).optional(),
      country: z
        .string()
        .regex(/^[A-Z]{2}$/)
        .optional(),
    })
    .optional(),
});

/** The schedule version an invoice line carries (its obligation is the line's, its currency the invoice's). */
const CarriedSchedule = z.object({
  externalId: Key,
  scheduleVersion: z.number().int().min(1),
  periods: z.array(z.object({ period: AccountingPeriod, amountMinor: Minor })).min(1),
});

export const DocumentCommand = z.object({
  externalId: Key,
  customerExternalId: Key,
  currency: Currency,
  tranDate: IsoDate,
  subsidiary: Key.optional(),
  contractId: Key.optional(),
  appliesToExternalId: Key.optional(),
  memo: z.string().max(4000).optional(),
  customer: CustomerCommand.extend({ key: Key }).optional(),
  lines: z
    .array(
      z.object({
        itemExternalId: Key,
        amountMinor: NonNegativeMinor,
        description: z.string().max(4000).optional(),
        taxMinor: NonNegativeMinor.optional(),
        productClass: Key.optional(),
        obligationId: Key.optional(),
        serviceStart: IsoDate.optional(),
        serviceEnd: IsoDate.optional(),
        revenueSchedule: CarriedSchedule.optional(),
      }),
    )
    .min(1),
});

export const VoidInvoiceCommand = z.object({
  invoiceExternalId: Key,
  externalId: Key,
  tranDate: IsoDate,
  contractId: Key.optional(),
  memo: z.string().max(4000).optional(),
});

export const ScheduleCommand = z.object({
  externalId: Key,
  contractId: Key,
  obligationId: Key,
  scheduleVersion: z.number().int().min(1),
  currency: Currency,
  periods: z.array(z.object({ period: AccountingPeriod, amountMinor: Minor })).min(1),
});

export const JournalCommand = z.object({
  externalId: Key,
  contractId: Key,
  obligationId: Key,
  period: Period,
  scheduleVersion: z.number().int().min(1),
  amount: z.object({ amountMinor: Minor, currency: Currency }),
  productClass: Key,
  subsidiary: Key,
  kind: z.enum(['recognition', 'contract_asset']).optional(),
});

export const RevenueBatchCommand = z
  .object({
    externalId: Key,
    contractId: Key,
    scheduleVersion: z.number().int().min(1),
    currency: Currency,
    subsidiary: Key,
    schedules: z.array(ScheduleCommand),
    journals: z.array(JournalCommand),
  })
  .refine((b) => b.schedules.length + b.journals.length > 0, {
    error: 'must hold a schedule or a journal',
    path: ['journals'],
  })
  .refine(
    (b) =>
      [...b.schedules, ...b.journals].every(
        (r) => r.contractId === b.contractId && r.scheduleVersion === b.scheduleVersion,
      ),
    { error: "must all be of the batch's contract and schedule version", path: ['journals'] },
  );

/** A positive amount in minor units, at most 15 digits (NetSuite takes amounts as JSON numbers: exact up to there). */
const PositiveMinor = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, 'must be a positive integer amount in minor units (at most 15 digits)');

export const PERIOD_JOURNAL_MAX_LINES = 1000;

const PeriodJournalLine = z
  .object({
    account: z.enum(['deferred_revenue', 'revenue', 'unbilled_receivable']),
    productClass: Key.optional(),
    debitMinor: PositiveMinor.optional(),
    creditMinor: PositiveMinor.optional(),
    contractId: Key.optional(),
    obligationId: Key.optional(),
    memo: z.string().max(4000).optional(),
  })
  .refine((l) => (l.debitMinor === undefined) !== (l.creditMinor === undefined), {
    error: 'must carry exactly one of debitMinor and creditMinor',
    path: ['debitMinor'],
  });

export const PeriodJournalCommand = z
  .object({
    externalId: Key,
    // A calendar month, or a fiscal period (FY2026-P03) dated its last day (periodEnd).
    period: AccountingPeriod,
    periodEnd: IsoDate.optional(),
    subsidiary: Key,
    currency: Currency,
    memo: z.string().min(1).max(4000),
    lines: z.array(PeriodJournalLine).min(1).max(PERIOD_JOURNAL_MAX_LINES),
  })
  .refine((j) => j.periodEnd !== undefined || !j.period.startsWith('FY'), {
    error: 'a fiscal period needs its last day (periodEnd)',
    path: ['periodEnd'],
  })
  .refine((j) => balance(j.lines) === 0n, {
    error: 'must balance: debits must equal credits',
    path: ['lines'],
    // Checked once every amount is a valid one (zod runs refinements beside its field issues).
    when: (payload) => payload.issues.length === 0,
  });

/** Debits minus credits of period-journal lines. */
function balance(lines: ReadonlyArray<{ debitMinor?: string; creditMinor?: string }>): bigint {
  return lines.reduce((sum, l) => sum + BigInt(l.debitMinor ?? '0') - BigInt(l.creditMinor ?? '0'), 0n);
}

/** A command's payload checked at the boundary; a malformed one is a schema violation parked for an operator. */
export function checkPayload<T>(schema: z.ZodType<T>, payload: unknown, job: string): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues.at(0);
  const field = issue?.path.map(String).join('.') ?? '';
  throw new BusinessError(
    'schema_violation',
    `${job}: ${field || 'payload'} ${issue?.message ?? 'is malformed'}`,
    {
      field,
    },
  );
}
