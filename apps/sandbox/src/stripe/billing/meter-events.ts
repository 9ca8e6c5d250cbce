import Decimal from 'decimal.js';
import { StripeApiError } from '../http/stripe-error';
import type { Meter, MeterEvent } from '../state/types';

/** How far back a meter event's timestamp may lie: 35 calendar days (API reference, the meter event object). */
const PAST_WINDOW_S = 35 * 24 * 3600;
/** How far ahead it may lie: 5 minutes. */
const FUTURE_WINDOW_S = 5 * 60;
const DAY_S = 24 * 3600;

/** Why a meter event timestamp lies outside Stripe's window around `now`: the v2 error report's code and message. */
export function meterEventTimeProblem(
  timestamp: number,
  now: number,
): { code: 'timestamp_too_far_in_past' | 'timestamp_in_future'; message: string } | null {
  if (timestamp < now - PAST_WINDOW_S)
    return {
      code: 'timestamp_too_far_in_past',
      message: `The event timestamp cannot be more than 35 days in past. Expected a timestamp greater than or equal to ${String(now - PAST_WINDOW_S)}.`,
    };
  if (timestamp > now + FUTURE_WINDOW_S)
    return {
      code: 'timestamp_in_future',
      message: `The event timestamp cannot be more than 5 minutes in the future. Expected a timestamp less than or equal to ${String(now + FUTURE_WINDOW_S)}.`,
    };
  return null;
}

/** Refuses a meter event timestamp outside Stripe's window around `now` (the customer's clock), as Stripe does. */
export function checkMeterEventTime(timestamp: number, now: number): void {
  const problem = meterEventTimeProblem(timestamp, now);
  if (problem) throw StripeApiError.invalid('timestamp', problem.message);
}

export interface MeterEventSummary {
  id: string;
  object: 'billing.meter_event_summary';
  aggregated_value: number;
  start_time: number;
  end_time: number;
  livemode: false;
  meter: string;
}

type StoredMeterEvent = MeterEvent & { meter: string; customer: string };

/** The meter's formula over values: sum (exact, decimal), count or last. */
function aggregate(meter: Meter, values: readonly string[]): number {
  const formula = meter.default_aggregation.formula;
  if (formula === 'count') return values.length;
  if (formula === 'last') return Number(values.at(-1) ?? 0);
  return values.reduce((sum, v) => sum.plus(v), new Decimal(0)).toNumber();
}

/**
 * A customer's meter event summaries over [start, end): one for the whole range, or one per UTC day
 * (`value_grouping_window=day`) holding events, oldest first (the list answers latest first), as
 * GET /v1/billing/meters/:id/event_summaries.
 */
export function meterEventSummaries(
  meter: Meter,
  events: Iterable<StoredMeterEvent>,
  query: { customer: string; start: number; end: number; window?: 'day' },
): MeterEventSummary[] {
  const windows = new Map<number, string[]>();
  for (const event of events) {
    if (event.meter !== meter.id || event.customer !== query.customer) continue;
    if (event.timestamp < query.start || event.timestamp >= query.end) continue;
    const from = query.window === 'day' ? event.timestamp - (event.timestamp % DAY_S) : query.start;
    const values = windows.get(from) ?? [];
    values.push(event.payload[meter.value_settings.event_payload_key] ?? '1');
    windows.set(from, values);
  }
  return [...windows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([from, values]) => {
      const to = query.window === 'day' ? from + DAY_S : query.end;
      return {
        id: `mtrusg_${meter.id}_${query.customer}_${String(from)}_${String(to)}`,
        object: 'billing.meter_event_summary' as const,
        aggregated_value: aggregate(meter, values),
        start_time: from,
        end_time: to,
        livemode: false as const,
        meter: meter.id,
      };
    });
}
