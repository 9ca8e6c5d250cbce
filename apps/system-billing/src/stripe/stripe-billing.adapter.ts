import { Injectable } from '@nestjs/common';
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
} from '@revline/billing-port';
import { BillingPort } from '@revline/billing-port';
import { StripeExports } from './stripe-exports.service';
import { StripeInvoiceLinesExport } from './stripe-invoice-lines-export.service';
import { StripeReads } from './stripe-reads.service';
import { StripeSubscriptions } from './stripe-subscriptions.service';
import { StripeUsageAndCredits } from './stripe-usage-credits.service';

/**
 * Stripe Billing behind the billing port: each concern is its own service (subscriptions, usage and credits, reads,
 * exports), and this class only answers the port with them.
 */
@Injectable()
export class StripeBillingAdapter extends BillingPort {
  readonly vendor = 'stripe';

  constructor(
    private readonly subscriptions: StripeSubscriptions,
    private readonly usageAndCredits: StripeUsageAndCredits,
    private readonly reads: StripeReads,
    private readonly invoiceLines: StripeInvoiceLinesExport,
    private readonly exports: StripeExports,
  ) {
    super();
  }

  applyContractChange(change: ContractChange, idempotencyKey: string): Promise<ContractChangeResult> {
    return this.subscriptions.applyContractChange(change, idempotencyKey);
  }

  reportUsage(report: UsageReport, idempotencyKey: string): Promise<UsageResult> {
    return this.usageAndCredits.reportUsage(report, idempotencyKey);
  }

  issueCredit(credit: CreditIssue, idempotencyKey: string): Promise<CreditResult> {
    return this.usageAndCredits.issueCredit(credit, idempotencyKey);
  }

  customerSubscriptions(customerId: string): Promise<SubscriptionView[]> {
    return this.reads.customerSubscriptions(customerId);
  }

  invoicesOfPeriod(query: { from: string; to: string; customerId?: string }): Promise<InvoiceView[]> {
    return this.reads.invoicesOfPeriod(query);
  }

  exportInvoiceLines(query: {
    from: string;
    to: string;
    pageSize: number;
    fields?: readonly InvoiceLineField[];
  }): AsyncIterable<InvoiceLineView[]> {
    return this.invoiceLines.exportInvoiceLines(query);
  }

  exportSubscriptionItems(query: { pageSize: number }): AsyncIterable<SubscriptionItemRow[]> {
    return this.exports.exportSubscriptionItems(query);
  }

  exportDocuments(query: {
    from: string;
    to: string;
    pageSize: number;
  }): AsyncIterable<BillingDocumentRow[]> {
    return this.exports.exportDocuments(query);
  }
}
