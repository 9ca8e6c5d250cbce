import type {
  BillingDocumentRow,
  ContractChange,
  ContractChangeResult,
  CreditIssue,
  CreditResult,
  InvoiceLineField,
  InvoiceLineView,
  InvoiceView,
  SubscriptionItemRow,
  SubscriptionView,
  UsageReport,
  UsageResult,
} from './dto';

/**
 * The billing platform, in Revline's terms. The Stripe adapter is the first implementation; a Chargebee or
 * Zuora adapter implements the same class. Every write takes an idempotency key derived from the command, and
 * applying the same command again has no second effect.
 *
 * Errors: a rejection the platform gives for the data (a declined card, an invalid request) is a
 * `BusinessError` with the platform's message; anything worth retrying (network, 429, 5xx) is any other error.
 */
export abstract class BillingPort {
  /** `stripe`, `chargebee`…: recorded on what the adapter writes. */
  abstract readonly vendor: string;

  /** New subscription, quantity and price changes, added and removed products, ramps, cancellation, renewal. */
  abstract applyContractChange(change: ContractChange, idempotencyKey: string): Promise<ContractChangeResult>;

  /** Usage events; each carries its own identifier so a resend is not counted twice. */
  abstract reportUsage(report: UsageReport, idempotencyKey: string): Promise<UsageResult>;

  /** A credit against an issued invoice, by line. */
  abstract issueCredit(credit: CreditIssue, idempotencyKey: string): Promise<CreditResult>;

  abstract customerSubscriptions(customerId: string): Promise<SubscriptionView[]>;

  /** Invoices issued from `from` to `to` (inclusive ISO dates), optionally for one customer. */
  abstract invoicesOfPeriod(query: { from: string; to: string; customerId?: string }): Promise<InvoiceView[]>;

  /**
   * Every invoice line of invoices issued in the period, page by page, for reconciliation. `fields`: the fields the
   * caller reads (all when absent); an adapter may leave the others empty ('', null, false or '0') to read less from
   * the billing platform.
   */
  abstract exportInvoiceLines(query: {
    from: string;
    to: string;
    pageSize: number;
    fields?: readonly InvoiceLineField[];
  }): AsyncIterable<InvoiceLineView[]>;

  /** Every item of every subscription (any status), page by page, for reconciliation. */
  abstract exportSubscriptionItems(query: { pageSize: number }): AsyncIterable<SubscriptionItemRow[]>;

  /** Every credit note issued and payment received in the period, page by page, for reconciliation. */
  abstract exportDocuments(query: {
    from: string;
    to: string;
    pageSize: number;
  }): AsyncIterable<BillingDocumentRow[]>;
}
