import { Module } from '@nestjs/common';
import { BillingPort } from '@revline/billing-port';
import { VendorChecks, VendorHealthController } from '@revline/platform';
import { BillingCommandsHandler } from './commands/billing-commands.handler';
import { StripeChecks } from './preflight/stripe-checks';
import { BillingRowsRepository } from './persistence/billing-rows.repository';
import { BillingReadsController } from './reads/billing-reads.controller';
import { IssuingInvoices } from './stripe/issuing-invoices';
import { RequestLedger } from './stripe/request-ledger';
import { StripeBillingAdapter } from './stripe/stripe-billing.adapter';
import { StripeCustomers } from './stripe/stripe-customers.service';
import { StripeExports } from './stripe/stripe-exports.service';
import { StripeGateway } from './stripe/stripe-gateway';
import { StripeMeterEventStream } from './stripe/stripe-meter-event-stream';
import { StripeRateLimiter } from './stripe/stripe-rate-limiter';
import { StripeInvoiceLinesExport } from './stripe/stripe-invoice-lines-export.service';
import { StripePrices } from './stripe/stripe-prices.service';
import { StripeReads } from './stripe/stripe-reads.service';
import { StripeSigma } from './stripe/stripe-sigma';
import { StripeSubscriptions } from './stripe/stripe-subscriptions.service';
import { StripeUsageAndCredits } from './stripe/stripe-usage-credits.service';
import { MeterErrorReports } from './webhooks/meter-error-reports';
import { RawWebhookBody } from './webhooks/raw-webhook-body';
import { StripeEventDetails } from './webhooks/stripe-event-details';
import { StripeEventIngest } from './webhooks/stripe-events';
import { StripeEventsPoller } from './webhooks/stripe-events.poller';
import { StripeEventsRetention } from './webhooks/stripe-events.retention';
import { StripeWebhookController } from './webhooks/stripe-webhook.controller';
import { WebhookSignatureLog } from './webhooks/webhook-signature-log';
import { StripeWebhookEndpoints } from './webhooks/stripe-webhook-endpoints';

/** Billing through the port, Stripe behind it: commands, webhooks, the events poller and reads. */
@Module({
  controllers: [StripeWebhookController, BillingReadsController, VendorHealthController],
  providers: [
    RawWebhookBody,
    StripeRateLimiter,
    WebhookSignatureLog,
    StripeGateway,
    StripeSigma,
    BillingRowsRepository,
    RequestLedger,
    IssuingInvoices,
    StripeCustomers,
    StripePrices,
    StripeSubscriptions,
    StripeMeterEventStream,
    StripeUsageAndCredits,
    StripeReads,
    StripeInvoiceLinesExport,
    StripeExports,
    { provide: BillingPort, useClass: StripeBillingAdapter },
    BillingCommandsHandler,
    StripeEventDetails,
    StripeEventIngest,
    StripeEventsPoller,
    MeterErrorReports,
    StripeEventsRetention,
    StripeWebhookEndpoints,
    { provide: VendorChecks, useClass: StripeChecks },
  ],
  exports: [BillingPort, StripeEventsPoller, MeterErrorReports, StripeWebhookEndpoints],
})
export class BillingModule {}
