import type { BillingReportUsagePayload } from '@revline/messaging';
import Decimal from 'decimal.js';
import { createHash } from 'node:crypto';

/** One customer's usage of one meter on one UTC day, as Postgres summed it (numeric: exact). */
export interface UsageDay {
  /** The UTC day of use, YYYY-MM-DD. */
  day: string;
  /** The day's summed quantity, a decimal string. */
  quantity: string;
  /** The day's latest occurred_at (ISO, UTC): the meter event's time, so usage stays in its period of use. */
  latest: string;
}

export interface UsageCommandDays {
  commandKey: string;
  customerId: string;
  meterEventName: string;
  days: readonly UsageDay[];
}

/**
 * The meter event identifier of one day's aggregate: a digest of the command key, customer, meter and day. The
 * same command always sends the same identifiers, so a redelivery or retry is refused by Stripe as a duplicate
 * rather than counted twice.
 */
export function meterEventIdentifier(
  commandKey: string,
  customerId: string,
  meterEventName: string,
  day: string,
): string {
  const digest = createHash('sha256')
    .update([commandKey, customerId, meterEventName, day].join('\n'))
    .digest('hex');
  return `rvl_usage_${digest.slice(0, 48)}`;
}

/** A decimal string in plain notation, without trailing zeros ("2500.50" → "2500.5", never "1e+21"). */
const plain = (quantity: string): string => new Decimal(quantity).toFixed();

/** A billing.report-usage payload: one meter event per UTC day of use, the day's usage summed. */
export function reportPayload(command: UsageCommandDays): BillingReportUsagePayload {
  return {
    meterEventName: command.meterEventName,
    events: command.days.map((d) => ({
      identifier: meterEventIdentifier(command.commandKey, command.customerId, command.meterEventName, d.day),
      customerId: command.customerId,
      value: plain(d.quantity),
      timestamp: d.latest,
    })),
  };
}
