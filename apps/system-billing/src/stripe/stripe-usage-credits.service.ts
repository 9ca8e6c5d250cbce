import { Injectable } from '@nestjs/common';
import type { CreditIssue, CreditResult, UsageReport, UsageResult } from '@revline/billing-port';
import { BusinessError } from '@revline/messaging';
import type Stripe from 'stripe';
import { RequestLedger } from './request-ledger';
import { StripeGateway } from './stripe-gateway';
import { money, stripeKey } from './stripe-keys';
import { StripeMeterEventStream } from './stripe-meter-event-stream';
import { StripeConfig } from './stripe.config';

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

type UsageEvent = UsageReport['events'][number];

interface Refusal {
  event: UsageEvent;
  error: BusinessError;
}

/** Refused meter events named in one message (the first few): their time, value and Stripe's reason. */
const NAMED_REFUSALS = 5;

/**
 * The refusal of a report some of whose meter events Stripe refused: the first refusal's Stripe details (code,
 * type, status, param), its message naming each refused event by time and value.
 */
export function refusedUsage(refused: readonly Refusal[], sent: number): BusinessError {
  const ordered = [...refused].sort((a, b) => a.event.timestamp.localeCompare(b.event.timestamp));
  const named = ordered
    .slice(0, NAMED_REFUSALS)
    .map(({ event, error }) => {
      const reason =
        typeof error.details.vendorMessage === 'string' ? error.details.vendorMessage : error.message;
      return `${event.timestamp} (value ${event.value}): ${reason}`;
    })
    .join('; ');
  const more = ordered.length > NAMED_REFUSALS ? `; and ${String(ordered.length - NAMED_REFUSALS)} more` : '';
  const message = `Stripe refused ${String(ordered.length)} of ${String(sent)} meter events: ${named}${more}`;
  const first = ordered[0].error;
  return new BusinessError(first.category, message, { ...first.details, vendorMessage: message });
}

/** How many meter events of one report are sent at once. */
const USAGE_CONCURRENCY = 16;

/** Stripe meter events (usage) and credit notes. */
@Injectable()
export class StripeUsageAndCredits {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly ledger: RequestLedger,
    private readonly config: StripeConfig,
    private readonly stream: StripeMeterEventStream,
  ) {}

  /**
   * One meter event per entry of the report (q2c sends one per customer, meter and UTC day of use, its usage
   * summed), through the shared limiter. Every entry is tried: a duplicate identifier counts as taken in, and
   * entries Stripe refuses (a timestamp over 35 days old or over 5 minutes ahead, say) are refused together once
   * the others are in, so the command's billing.rejected names each of them. With STRIPE_METER_EVENT_STREAM=on
   * the entries go through the v2 meter event stream instead, 100 a request, and refusals come later.
   */
  async reportUsage(report: UsageReport, key: string): Promise<UsageResult> {
    if (this.config.STRIPE_METER_EVENT_STREAM === 'on') return this.stream.report(report, key);
    const tally = { accepted: 0, duplicates: 0, refused: [] as Refusal[] };
    const queue = [...report.events];
    const worker = async () => {
      for (let event = queue.shift(); event; event = queue.shift()) {
        await this.sendMeterEvent(report.meterEventName, event, key, tally);
      }
    };
    await Promise.all(Array.from({ length: Math.min(USAGE_CONCURRENCY, queue.length) }, () => worker()));
    if (tally.refused.length > 0) throw refusedUsage(tally.refused, report.events.length);
    return { accepted: tally.accepted, duplicates: tally.duplicates };
  }

  private async sendMeterEvent(
    eventName: string,
    event: UsageEvent,
    key: string,
    tally: { accepted: number; duplicates: number; refused: Refusal[] },
  ): Promise<void> {
    try {
      await this.gateway.call('billing.meterEvents.create', (s) =>
        s.billing.meterEvents.create(meterEventParams(eventName, event), {
          idempotencyKey: stripeKey(key, `usage_${event.identifier}`),
        }),
      );
      tally.accepted += 1;
    } catch (error) {
      if (!(error instanceof BusinessError)) throw error;
      if (isDuplicateMeterEvent(error.details)) tally.duplicates += 1;
      else tally.refused.push({ event, error });
    }
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
