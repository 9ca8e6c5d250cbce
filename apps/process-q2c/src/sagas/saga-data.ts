import type { MoneyDto } from '@revline/messaging';

/** A billing document a saga consumed, with what the ERP made of it. */
export interface SagaDocument {
  documentId: string;
  number: string | null;
  total: MoneyDto;
  /** The tax in the total (absent on documents taken in before it was kept: none). */
  tax?: MoneyDto;
  issuedOn: string;
  /** The service period the document bills (its lines' periods, inclusive dates), when its lines have one. */
  serviceStart?: string;
  serviceEnd?: string;
  erpExternalId: string;
  erpId?: string;
}

/** What a saga has learnt and what it waits for (the saga row's `data`). */
export interface SagaData {
  salesforceOrderId: string;
  salesforceAccountId: string;
  currency: string;
  /** Command idempotency keys sent and not yet confirmed. */
  pending: string[];
  erpCustomerExternalId?: string;
  erpCustomerId?: string;
  billingCustomerId?: string;
  subscriptionId?: string;
  /** The invoice the billing change raised, awaited before the ERP invoice. */
  awaitingInvoiceId?: string;
  /**
   * A renewal: the first day of the renewal term (ISO date). The awaited invoice is the one the billing platform
   * raises for the subscription's period starting that day, when that day comes.
   */
  awaitingRenewalFrom?: string;
  /** The credit note the saga asked for, awaited before the ERP credit memo. */
  awaitingCreditMinor?: string;
  /** The billing invoice the credit note credits. */
  creditAppliesTo?: string;
  invoices: SagaDocument[];
  creditNotes: SagaDocument[];
  /** What the engine expected the billing platform to charge (an amendment's proration, a renewal's term), and what it charged. */
  expectedProrationMinor?: string;
  billedProrationMinor?: string;
  treatment?: string;
  treatmentReason?: string;
  scheduleVersion?: number;
  /** Period close: the schedule version was computed and sent with the ERP documents, its invoice carrying it. */
  revenueWithDocuments?: boolean;
  journalsPosted?: number;
  /**
   * A booking: how many ramp steps it schedules when it completes (set when its billing change is planned), so a
   * booking without any does not read its history again to find none. Absent on sagas started before it was kept.
   */
  rampStepsDue?: number;
  lastErpPostedAt?: string;
  /** Steps sent again after a refusal was fixed, with how many times: their commands go out under a new key. */
  retries?: Record<string, number>;
  /** The mapping version whose catalogue the saga plans with since an operator retried it after a mapping fix. */
  catalogueVersion?: number;
  /**
   * The W3C trace context of the span that started the saga (when tracing is on): a step moved on by a message of
   * another trace (a vendor's webhook) continues the saga's trace.
   */
  traceparent?: string;
  tracestate?: string;
}

export const SAGA_STATUS = {
  running: 'running',
  waiting: 'waiting',
  parked: 'parked',
  completed: 'completed',
} as const;
