import type { BillingDocumentPayload } from '@revline/messaging';

/** Revline's words for billing: money in integer minor units as strings, dates as ISO dates (UTC). */
export interface Money {
  amountMinor: string;
  currency: string;
}

export type ProrationPolicy = 'create_prorations' | 'always_invoice' | 'none';

export interface ContractLineItem {
  /** Revline's contract line id, kept on the billing item so later changes find it. */
  lineId: string;
  /** The billing platform's price id, from the product catalogue. */
  priceId: string;
  quantity: number;
  /**
   * The contract's unit price per the catalogue price's billing interval, as a decimal string in major units
   * ("105"), when the contract is not billed at the catalogue price (a renewal uplift, a discount). The adapter
   * bills it through a price of the same product, currency and interval with that amount, found or created once.
   */
  unitAmount?: string;
}

/** A postal address, every part optional; `country` is an ISO 3166-1 alpha-2 code. */
export interface PostalAddress {
  line1?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
}

export interface ContractChange {
  contractId: string;
  kind: 'create' | 'amend' | 'cancel' | 'renew';
  /**
   * The CRM account the contract belongs to. The adapter keeps one billing customer per account: created once (with
   * the account's name and billing address) on the account's first contract, reused by every later one.
   */
  customer: { billingCustomerId?: string; name: string; crmAccountId: string; address?: PostalAddress };
  currency: string;
  effectiveDate: string;
  /** Every line in force from the effective date (a removed line is one no longer listed). */
  items: ContractLineItem[];
  proration: ProrationPolicy;
  /**
   * A new contract whose bill-cycle day falls after its effective date: the first cycle date (ISO date), where whole
   * billing periods start; the stub before it is prorated under `proration`. Absent: periods start on the effective
   * date.
   */
  firstCycleDate?: string;
  rampSteps: Array<{ startDate: string; items: ContractLineItem[] }>;
  /** The billing subscription, when Revline already knows it. */
  subscriptionId?: string;
}

export interface ContractChangeResult {
  customerId: string;
  subscriptionId: string;
  status: string;
  /** lineId → billing item id. */
  itemIds: Record<string, string>;
  invoiceId?: string;
  scheduleId?: string;
  /**
   * The invoice the change raised, issued (finalised) by the change itself and complete (every line in hand), so it
   * can be announced with the change's answer rather than after the billing platform's own notice of it.
   */
  invoice?: BillingDocumentPayload;
}

/**
 * Usage for a meter, one billing meter event per entry. process-q2c sends one entry per customer and UTC day of use:
 * the day's quantities summed (a decimal string), at the day's latest event, with an identifier derived from the
 * command, customer, meter and day (a resend is a duplicate, not a second count). The meter must sum its events.
 */
export interface UsageReport {
  meterEventName: string;
  events: Array<{ identifier: string; customerId: string; value: string; timestamp: string }>;
}

export interface UsageResult {
  accepted: number;
  duplicates: number;
}

export interface CreditIssue {
  invoiceId: string;
  reason: 'duplicate' | 'fraudulent' | 'order_change' | 'product_unsatisfactory';
  lines: Array<{ invoiceLineId: string; amount: Money }>;
}

export interface CreditResult {
  creditNoteId: string;
  total: Money;
}

export interface SubscriptionView {
  subscriptionId: string;
  customerId: string;
  status: string;
  contractId: string | null;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  items: Array<{ itemId: string; lineId: string | null; priceId: string; quantity: number }>;
}

/** One subscription item as reconciliation reads it: what the billing platform will invoice for a contract line. */
export interface SubscriptionItemRow {
  subscriptionId: string;
  customerId: string;
  status: string;
  contractId: string | null;
  itemId: string;
  lineId: string | null;
  priceId: string;
  quantity: number;
  /** The price per unit and interval, in minor units; null for a tiered or metered price. */
  unitAmountMinor: string | null;
  currency: string;
  interval: string | null;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  /** The subscription's start date (backdated to the contract's effective date when that was past). */
  startDate: string;
}

export interface InvoiceView {
  invoiceId: string;
  number: string | null;
  customerId: string;
  subscriptionId: string | null;
  status: string;
  issuedOn: string | null;
  total: Money;
  amountDue: Money;
  amountPaid: Money;
}

export interface InvoiceLineView {
  invoiceId: string;
  lineId: string;
  customerId: string;
  description: string;
  /** The line's amount, tax excluded (as the billing platform adds exclusive tax on top). */
  amount: Money;
  /** The tax the billing platform charged on the line, minor units in the invoice's currency; '0' when untaxed. */
  taxMinor: string;
  proration: boolean;
  priceId: string | null;
  quantity: number | null;
  periodStart: string;
  periodEnd: string;
  issuedOn: string;
}

/** An InvoiceLineView's fields as its flat export names them (`amountMinor` and `currency` are the amount's). */
export const INVOICE_LINE_FIELDS = [
  'invoiceId',
  'lineId',
  'customerId',
  'description',
  'amountMinor',
  'taxMinor',
  'currency',
  'proration',
  'priceId',
  'quantity',
  'periodStart',
  'periodEnd',
  'issuedOn',
] as const;
export type InvoiceLineField = (typeof INVOICE_LINE_FIELDS)[number];

/**
 * A credit note or a payment as reconciliation reads it (invoices come line by line from the invoice-line export).
 * `date` is the day it took effect (a credit note's effective day, a payment's paid day); `taxMinor` is null when
 * the document carries no tax figure (a payment).
 */
export interface BillingDocumentRow {
  kind: 'credit_note' | 'payment';
  documentId: string;
  invoiceId: string | null;
  customerId: string | null;
  totalMinor: string;
  taxMinor: string | null;
  currency: string;
  date: string;
}
