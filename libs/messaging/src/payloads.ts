/**
 * Payloads of every job in the registry. They speak Revline's terms (the canonical model and the system APIs'
 * own DTOs), never a vendor SDK's types. Money is integer minor units as a string with its currency.
 */
export interface MoneyDto {
  amountMinor: string;
  currency: string;
}

export interface CrmRecordChangedPayload {
  objectType: 'Order' | 'Account' | 'Contract';
  recordId: string;
  changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
  commitTimestamp: string;
  /** The CDC replay id, or the poller's `(SystemModstamp, Id)` cursor that saw the change. */
  capturedBy: { channel: 'cdc'; replayId: string } | { channel: 'poller'; cursor: string };
  /** Counts the distinct versions of this record queued so far; a consumer can drop an older one arriving late. */
  revision?: number;
  /**
   * The record as read after the change, with its children. For an Order: a `CrmOrder` of `@revline/crm-port`
   * (lines, account, products, and each object's Salesforce field values under `fields` for the mappings).
   */
  record: Record<string, unknown>;
}

export interface CrmWriteBackPayload {
  objectType: 'Order' | 'Account';
  recordId: string;
  /**
   * Integration fields to set, in Revline's terms: `status` (not_synced|pending|in_progress|synced|error),
   * `message`, `correlationId`, `billingId`, `erpId`, `lastSyncedAt` (ISO datetime). Others are refused.
   */
  fields: Record<string, string | number | boolean | null>;
  /** Billing invoices to show on the record, upserted by `invoiceId`. */
  invoices?: Array<{
    invoiceId: string;
    number: string | null;
    amount: MoneyDto;
    issuedOn: string;
    status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  }>;
  /**
   * An Order's write-back may carry its Account's (a booking's billing and ERP customer ids), written in the same
   * Salesforce call. The part is a command of its own: answered under `commandIdempotencyKey` (its refusal is a
   * `crm.rejected` of that key and does not fail the Order's part), confirmed in the Order's `crm.written-back`.
   */
  account?: {
    commandIdempotencyKey: string;
    recordId: string;
    fields: Record<string, string | number | boolean | null>;
  };
}

/** Salesforce applied a `crm.write-back`: the record now holds the integration fields and invoices sent. */
export interface CrmWriteBackConfirmation {
  /** The idempotency key of the `crm.write-back` it answers. */
  commandIdempotencyKey: string;
  objectType: 'Order' | 'Account';
  recordId: string;
  /** How many records Salesforce wrote (0 when every value was already there). */
  written: number;
  /** The command's Account part, when it carried one and Salesforce saved it. */
  account?: { commandIdempotencyKey: string; recordId: string; written: number };
}

/**
 * Salesforce applied these `crm.write-back`s: the commands of one sObject Collections or Composite call answered
 * together, one message for the call rather than one per command (each command is still confirmed once: the
 * system API records each in its inbox in the message's transaction).
 */
export interface CrmWrittenBackPayload {
  confirmations: CrmWriteBackConfirmation[];
}

/**
 * A system API's business refusal of a command: the vendor answered a 4xx other than a rate limit (an unknown price,
 * a validation rule, a closed period, a duplicate), or the command itself could not be sent. Retrying the same
 * request cannot help; an operator fixes the cause and retries the exception in process-q2c.
 */
export interface CommandRejection {
  /** The idempotency key of the command it answers. */
  commandIdempotencyKey: string;
  /** The job of the command it answers (`billing.apply-contract-change`, `crm.write-back`…). */
  command: string;
  /** The vendor's own error code (Stripe `code`, Salesforce `errorCode`), kept as it came. */
  errorCode: string;
  /** The vendor's own message, kept as it came. */
  message: string;
  /** The HTTP status the vendor answered, when it answered one. */
  httpStatus?: number;
  /** The field or parameter the vendor named, if any. */
  field?: string;
  /** The contract the command was about, when the command names one. */
  contractId?: string;
}

export interface BillingRejectedPayload extends CommandRejection {
  /** Stripe's error type (`invalid_request_error`, `card_error`, `idempotency_error`…), or `revline` for a bad command. */
  errorType: string;
}

export interface CrmRejectedPayload extends CommandRejection {
  objectType: 'Order' | 'Account';
  recordId: string;
}

/** A postal address, every part optional; `country` is an ISO 3166-1 alpha-2 code. */
export interface PostalAddressDto {
  line1?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
}

export interface BillingContractChangePayload {
  contractId: string;
  changeKind: 'create' | 'amend' | 'cancel' | 'renew';
  /**
   * The Salesforce account the contract belongs to: one billing customer per account, created with the account's
   * name and billing address on its first contract and reused by every later one.
   */
  customer: { billingCustomerId?: string; name: string; crmAccountId: string; address?: PostalAddressDto };
  currency: string;
  effectiveDate: string;
  /** The whole set of lines in force from the effective date; billing price ids come from the product catalogue. */
  items: BillingContractItem[];
  prorationBehavior: 'create_prorations' | 'always_invoice' | 'none';
  /**
   * A booking whose bill-cycle day falls after its effective date: the first cycle date (ISO date), where whole
   * billing periods start. The billing platform invoices the prorated stub from the effective date to it first.
   */
  firstCycleDate?: string;
  /** Ramps: later steps of the contract, each the whole set of lines from its start date (schedule phases). */
  rampSteps?: Array<{
    startDate: string;
    items: BillingContractItem[];
  }>;
}

/** A line of a billing contract change: the catalogue price, and the contract's own price when it is not that one. */
export interface BillingContractItem {
  priceId: string;
  quantity: string;
  lineId: string;
  /**
   * The contract's unit price per the catalogue price's billing interval, a decimal string in major units ("105",
   * "1260.50"), when it is not the catalogue price's (an uplift, a discount); absent: the catalogue price applies.
   */
  unitAmount?: string;
}

/**
 * Usage for a meter, one billing meter event per entry. process-q2c sends one entry per customer and UTC day of use:
 * the day's quantities summed (a decimal string), at the day's latest event, with an identifier derived from the
 * command, customer, meter and day (a resend is a duplicate, not a second count). The meter must sum its events.
 */
export interface BillingReportUsagePayload {
  meterEventName: string;
  events: Array<{ identifier: string; customerId: string; value: string; timestamp: string }>;
}

export interface BillingIssueCreditPayload {
  invoiceId: string;
  reason: 'duplicate' | 'fraudulent' | 'order_change' | 'product_unsatisfactory';
  lines: Array<{ invoiceLineId: string; amount: MoneyDto }>;
}

export interface BillingSubscriptionChangedPayload {
  contractId: string;
  subscriptionId: string;
  customerId: string;
  status: string;
  /** Revline line id → billing subscription item id. */
  itemIds: Record<string, string>;
  eventCreatedAt: string;
  /** The invoice the change raised at once (always_invoice, a new subscription), if any. */
  invoiceId?: string;
  /**
   * That invoice itself, when the change issued it (finalised it) and had every line: then it is announced here and
   * not again as a `billing.invoice-issued` (unless the billing platform's notice of it was taken in first).
   */
  invoice?: BillingDocumentPayload;
  /** The schedule holding future-dated changes or ramp steps, if any. */
  scheduleId?: string;
  /** The command that caused the change; absent when the billing platform changed it on its own. */
  commandIdempotencyKey?: string;
}

export interface BillingDocumentPayload {
  documentId: string;
  /** The number the billing platform gave the document once finalised (Stripe's invoice `number`). */
  number?: string;
  customerId: string;
  subscriptionId?: string;
  total: MoneyDto;
  tax: MoneyDto;
  issuedOn: string;
  lines: Array<{
    lineId: string;
    description: string;
    amount: MoneyDto;
    proration: boolean;
    periodStart?: string;
    periodEnd?: string;
    /** The billing platform's price of the line, when it has one (a metered price: a usage line). */
    priceId?: string;
  }>;
  eventCreatedAt: string;
}

/**
 * An invoice the billing platform voided or marked uncollectible: what it asked for is no longer owed, so the ERP
 * invoice is reversed and the CRM shows the new status. Both announce the same change for the ERP.
 */
export interface BillingInvoiceVoidedPayload {
  invoiceId: string;
  customerId: string;
  subscriptionId?: string;
  /** `void`: voided; `uncollectible`: marked uncollectible (written off as bad debt). */
  status: 'void' | 'uncollectible';
  total: MoneyDto;
  /** The day the billing platform voided it or marked it uncollectible. */
  voidedOn: string;
  eventCreatedAt: string;
}

export interface BillingPaymentReceivedPayload {
  paymentId: string;
  invoiceId: string;
  customerId: string;
  amount: MoneyDto;
  receivedOn: string;
  eventCreatedAt: string;
}

/** Revline's keys become NetSuite external ids as they are when made of letters, digits, `_` and `-`. */
export interface ErpCustomerPayload {
  externalId: string;
  name: string;
  /** The default billing address. */
  address?: PostalAddressDto;
  /** Revline's subsidiary code (mapped to the ERP's subsidiary by system-erp's configuration). */
  subsidiary: string;
  currency: string;
  email?: string;
}

/**
 * An invoice, a credit memo or a payment. For a payment the lines' amounts sum to the amount received and
 * `appliesToExternalId` names the invoice it pays; for a credit memo it names the invoice credited.
 */
export interface ErpDocumentPayload {
  externalId: string;
  customerExternalId: string;
  currency: string;
  tranDate: string;
  /** Revline's subsidiary code; system-erp's default subsidiary when absent. */
  subsidiary?: string;
  contractId?: string;
  appliesToExternalId?: string;
  memo?: string;
  /**
   * An invoice of a booking whose account the ERP does not hold yet: the customer to upsert (once per external id)
   * before the invoice, reported back among `erp.posted`'s postings under `key` (recordType `customer`), or refused
   * as `erp.rejected` with recordType `customer`. One command instead of a customer command the saga waits for.
   */
  customer?: ErpCarriedCustomerPayload;
  lines: Array<{
    itemExternalId: string;
    amountMinor: string;
    description?: string;
    taxMinor?: string;
    productClass?: string;
    obligationId?: string;
    /** The line's service period (inclusive ISO dates). */
    serviceStart?: string;
    serviceEnd?: string;
    /**
     * An invoice line of an obligation whose schedule version the invoice carries (period close): the schedule
     * (Revline's key `rs:<contract>:<obligation>:<version>`, its version and periods), posted as the line's
     * revenue plan columns instead of a schedule record of its own.
     */
    revenueSchedule?: ErpCarriedSchedulePayload;
  }>;
}

/** The customer an invoice carries: the customer command, under Revline's key of it. */
export interface ErpCarriedCustomerPayload extends ErpCustomerPayload {
  key: string;
}

/** A schedule version an invoice line carries: the obligation is the line's, the currency the invoice's. */
export interface ErpCarriedSchedulePayload {
  externalId: string;
  scheduleVersion: number;
  periods: Array<{ period: string; amountMinor: string }>;
}

export interface ErpRevenueSchedulePayload {
  externalId: string;
  contractId: string;
  obligationId: string;
  scheduleVersion: number;
  currency: string;
  periods: Array<{ period: string; amountMinor: string }>;
}

/**
 * A period's recognition under one schedule version: `amount` is the period's full amount in that version;
 * system-erp posts only its difference from what earlier versions posted for the same contract, obligation and
 * period. `externalId` is Revline's key of the command; the journal's ERP external id is derived from
 * (contractId, obligationId, period, scheduleVersion).
 */
export interface ErpRevenueJournalPayload {
  externalId: string;
  contractId: string;
  obligationId: string;
  period: string;
  scheduleVersion: number;
  amount: MoneyDto;
  productClass: string;
  subsidiary: string;
  /**
   * `recognition` (absent: the same) moves deferred revenue to revenue; `contract_asset` is the contract's
   * unbilled receivable movement in the period (obligationId `contract-asset`): debit the unbilled receivable,
   * credit deferred revenue, negative when billing catches up.
   */
  kind?: 'recognition' | 'contract_asset';
}

/**
 * A schedule version's revenue in one command: the revenue schedule of each obligation the version touched and
 * each period journal it posts, with exactly the semantics of `erp.upsert-revenue-schedule` and
 * `erp.post-revenue-journal` one by one (each journal posts only its difference, a stale version is superseded).
 * Answered by one `erp.posted` listing every record's outcome in `postings`, or by `erp.rejected` naming the
 * journals the ERP refused (the others stay posted; a retry posts only what is missing).
 */
export interface ErpRevenueBatchPayload {
  /** Revline's key of the batch (`rv:<contract>:<version>`); not a record of the ERP. */
  externalId: string;
  contractId: string;
  scheduleVersion: number;
  currency: string;
  /** Revline's subsidiary code. */
  subsidiary: string;
  schedules: ErpRevenueSchedulePayload[];
  journals: ErpRevenueJournalPayload[];
}

/** What one record of a batch command did in the ERP. */
export interface ErpPostingOutcome {
  recordType: string;
  /** The record's ERP external id. */
  externalId: string;
  /** Revline's key of the record in the command (the schedule's or journal's `externalId` in the payload). */
  key: string;
  /** The ERP's internal id; empty when nothing was posted (see outcome). */
  erpId: string;
  outcome: 'posted' | 'nothing_to_post' | 'superseded';
  /** Revenue journals: the difference this version posted, in minor units. */
  postedAmountMinor?: string;
}

export interface ErpPostedPayload {
  commandIdempotencyKey: string;
  recordType: string;
  externalId: string;
  /** The ERP's internal id; empty when nothing was posted (see outcome). */
  erpId: string;
  /** `posted`; for revenue journals also `nothing_to_post` (no difference) or `superseded` (a later version won). */
  outcome?: 'posted' | 'nothing_to_post' | 'superseded';
  /** Revenue journals: the difference this version posted, in minor units. */
  postedAmountMinor?: string;
  /** A batch command (`erp.post-revenue`): each record's outcome, schedules first, in the command's order. */
  postings?: ErpPostingOutcome[];
}

/**
 * The answers of commands system-erp posted together (ERP_ANSWER_BATCH_MS), each as its own `erp.posted` would
 * carry it: one message and one transaction for the batch.
 */
export interface ErpPostedManyPayload {
  confirmations: ErpPostedPayload[];
}

export interface ErpRejectedPayload {
  commandIdempotencyKey: string;
  recordType: string;
  externalId: string;
  /** The ERP's own error code (NetSuite `o:errorCode`), kept as it came. */
  errorCode: string;
  message: string;
  /** Revline's category: closed_period, validation, not_found, duplicate, authentication. */
  category?: string;
  field?: string;
  /** A batch command: every record the ERP refused (the first is also in the fields above). */
  refused?: Array<{
    recordType: string;
    externalId: string;
    key: string;
    errorCode: string;
    message: string;
    category?: string;
  }>;
  /** A batch command: the records that did post before and beside the refusal (they stay posted). */
  postings?: ErpPostingOutcome[];
}

export interface ReconcilePayload {
  scope: string;
  period?: string;
}

export interface RampStepDuePayload {
  contractId: string;
  segmentId: string;
  dueOn: string;
}

export interface RecognisePeriodPayload {
  /** `YYYY-MM`; absent (a job scheduler's run) means the month before the run. */
  period?: string;
}

export interface ClosePeriodPayload {
  /**
   * A period of the tenant's calendar (`YYYY-MM`, or `FY2026-P03` on a fiscal calendar); absent (a job scheduler's
   * run) means the period just ended before the run.
   */
  period?: string;
  /** Who asked: the scheduler, or a person through the experience API (their subject). */
  requestedBy?: string;
}

/** Which configured ERP account a period-journal line posts to. */
export type ErpPeriodJournalAccount = 'deferred_revenue' | 'revenue' | 'unbilled_receivable';

/** One line of a period journal: a debit or a credit (exactly one, positive, minor units) to one account. */
export interface ErpPeriodJournalLine {
  account: ErpPeriodJournalAccount;
  /** Revenue lines: the product class whose revenue account is credited. */
  productClass?: string;
  debitMinor?: string;
  creditMinor?: string;
  /** Detail mode: the contract and obligation the line belongs to (NetSuite column fields). */
  contractId?: string;
  obligationId?: string;
  memo?: string;
}

/**
 * `erp.post-period-journal`: one journal of a period close's revenue run — in summary mode one per subsidiary and
 * currency with a line pair per account pair; in detail mode a chunk of at most 1,000 contract-obligation lines.
 * Debits equal credits. `externalId` is deterministic (`rr:<period>:<subsidiary>:<currency>:<run>:<chunk>`), so a
 * re-sent journal is found, never posted twice. Dated the period's last day, posted in that period: a period the
 * ERP has closed is refused (`erp.rejected`, category `closed_period`). Answered by `erp.posted` (recordType
 * `periodJournal`).
 */
export interface ErpPeriodJournalPayload {
  externalId: string;
  /** `YYYY-MM`, or a fiscal period (`FY2026-P03`) with its `periodEnd`. */
  period: string;
  /** A fiscal period's last day (YYYY-MM-DD): the journal is dated it and posts in the ERP period holding it. */
  periodEnd?: string;
  /** Revline's subsidiary code. */
  subsidiary: string;
  currency: string;
  memo: string;
  lines: ErpPeriodJournalLine[];
}

/**
 * Reverses an ERP invoice in full with a credit memo made from it (the ERP copies the invoice's lines and applies
 * the credit to it), under its own deterministic external id: a retry finds the credit memo made before.
 */
export interface ErpVoidInvoicePayload {
  /** The ERP invoice reversed, by the external id Revline posted it under. */
  invoiceExternalId: string;
  /** The reversing credit memo's external id. */
  externalId: string;
  /** The credit memo's date: the invoice's own (a void) or the day billing voided it (a credit). */
  tranDate: string;
  contractId?: string;
  memo?: string;
}

/** The system APIs whose exceptions reach process-q2c's workbench. */
export type ForwardingSystem = 'billing' | 'erp' | 'salesforce';

/**
 * An exception a system API recorded (or reopened) in its own table, forwarded to process-q2c's workbench. A
 * connection alert (`connection_failed`) names its connection and is one line per connection.
 */
export interface SystemExceptionRaisedPayload {
  system: ForwardingSystem;
  /** The exception's id in the system API's own table. */
  sourceExceptionId: string;
  /** How often the system API has seen it (a reopened exception counts up). */
  occurrences: number;
  category: string;
  reason: string;
  /** The system API's details (vendor code, record ids…), and `connection` for a connection alert. */
  details: Record<string, unknown>;
  /** The job the exception stands for (`connection:stripe` for a connection alert). */
  job: string;
  queue: string;
  idempotencyKey: string;
  /** The envelope the system API parked; `{}` for a connection alert. */
  envelope: Record<string, unknown>;
}

/** The system API found its exception settled by itself (a connection back, a retried job done). */
export interface SystemExceptionClearedPayload {
  system: ForwardingSystem;
  sourceExceptionId: string;
  occurrences: number;
  resolution: string;
}

/** The workbench's decision on a forwarded exception, sent to the system API that holds it. */
export interface SettleExceptionPayload {
  sourceExceptionId: string;
  /** `retry`: run the parked job again; `resolve`: close it with the reason. */
  action: 'retry' | 'resolve';
  reason: string;
  actor: string;
}
