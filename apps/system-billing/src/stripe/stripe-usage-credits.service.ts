import { Injectable } from '@nestjs/common';
import type { CreditIssue, CreditResult, UsageReport, UsageResult } from '@revline/billing-port';
import { BusinessError } from '@revline/messaging';
import type Stripe from 'stripe';
import { RequestLedger } from './request-ledger';
import { StripeGateway } from './stripe-gateway';
import { money, stripeKey } from './stripe-keys';

/**
 * True when Stripe refused a meter event because an event with its identifier was already taken in: a 400
 * `invalid_request_error` saying so. v1 (`/v1/billing/meter_events`) documents the identifier's uniqueness over a
 * rolling window of at least 24 hours, not an error code: its refusal reads "An event already exists with identifier
 * …" and may come without a `code`; `duplicate_meter_event` is the code v2 documents. Past the window Stripe may
 * take the identifier again, so the lasting dedupe is the usage ingestion's own record, not this.
 */
export function isDuplicateMeterEvent(details: Record<string, unknown>): boolean {
  // The SDK names the error by its class (`StripeInvalidRequestError`); Stripe's body says `invalid_request_error`.
  const invalidRequest =
    details.stripeType === 'StripeInvalidRequestError' || details.stripeType === 'invalid_request_error';
  if (details.httpStatus !== 400 || !invalidRequest) return false;
  if (details.code === 'duplicate_meter_event') return true;
  const message = typeof details.vendorMessage === 'string' ? details.vendorMessage : '';
  return /\balready exists with identifier\b/i.test(message);
}

/** One usage event as a v1 meter event: the meter's default payload keys, the time in Unix seconds. */
export function meterEventParams(
  eventName: string,
  event: UsageReport['events'][number],
): Stripe.Billing.MeterEventCreateParams {
  return {
    event_name: eventName,
    identifier: event.identifier,
    timestamp: Math.floor(Date.parse(event.timestamp) / 1000),
    payload: { stripe_customer_id: event.customerId, value: event.value },
  };
}

/** How many meter events of one report are sent at once. */
const USAGE_CONCURRENCY = 16;

/** Stripe meter events (usage) and credit notes. */
@Injectable()
export class StripeUsageAndCredits {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly ledger: RequestLedger,
  ) {}

  async reportUsage(report: UsageReport, key: string): Promise<UsageResult> {
    let accepted = 0;
    let duplicates = 0;
    const queue = [...report.events];
    const worker = async () => {
      for (let event = queue.shift(); event; event = queue.shift()) {
        const identifier = event.identifier;
        try {
          await this.gateway.call('billing.meterEvents.create', (s) =>
            s.billing.meterEvents.create(meterEventParams(report.meterEventName, event), {
              idempotencyKey: stripeKey(key, `usage_${identifier}`),
            }),
          );
          accepted += 1;
        } catch (error) {
          const details = error instanceof BusinessError ? error.details : {};
          if (isDuplicateMeterEvent(details)) duplicates += 1;
          else throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(USAGE_CONCURRENCY, queue.length) }, () => worker()));
    return { accepted, duplicates };
  }

  async issueCredit(credit: CreditIssue, key: string): Promise<CreditResult> {
    return this.ledger.once(
      stripeKey(key, 'credit_note'),
      'creditNotes.create',
      () =>
        Promise.resolve({
          invoice: credit.invoiceId,
          reason: credit.reason,
          lines: credit.lines.map((line) => ({
            type: 'invoice_line_item' as const,
            invoice_line_item: line.invoiceLineId,
            amount: Number(line.amount.amountMinor),
          })),
        }),
      (params, idempotencyKey) =>
        this.gateway
          .call('creditNotes.create', (s) => s.creditNotes.create(params, { idempotencyKey }))
          .then((note) => ({ creditNoteId: note.id, total: money(note.total, note.currency) })),
    );
  }
}
