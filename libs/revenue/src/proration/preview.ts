import {
  currencyExponent,
  formatRatio,
  fromEpochDay,
  MAX_ABS_MINOR,
  type CurrencyCode,
  type UnitPricePeriod,
} from '@revline/canonical';
import { decimalRatio, mul, sub, toMinor, type Ratio } from '../core/ratio';
import { monthsUnder, remainingFraction, type ProrationConvention } from './conventions';
import { dayOfMonth } from './cycle-months';
import { partValue, unitsPerPeriod, type PeriodPart } from './period-value';

export { unitsPerPeriod } from './period-value';
import { checkCurrency, checkDate, checkNonNegativeDecimal, checkBound } from '../input/checks';
import { RevenueInputError } from '../core/errors';
import { checkBillCycleDay } from '../input/contract-input';

/** A quantity or price change inside one billing period, as a billing platform sees it. */
export interface ProrationChange {
  readonly currency: string;
  /** The current billing period, end inclusive (2026-01-01..2026-12-31 for annual billing). */
  readonly periodStart: string;
  readonly periodEnd: string;
  /** The change takes effect at 00:00 of this date. */
  readonly effectiveDate: string;
  /** stripe_seconds only: the exact instant (ISO date-time), on effectiveDate. */
  readonly effectiveAt?: string;
  readonly priorQuantity: string;
  readonly newQuantity: string;
  readonly priorUnitPrice: string;
  readonly newUnitPrice: string;
  /** What the unit prices are per; 'term' means per billing period. Default 'month'. */
  readonly unitPricePeriod?: UnitPricePeriod;
  /**
   * Month-based conventions: the day of the month billing months start on (1..31; past a month's end,
   * its last day). Default: periodStart's day. A partial month before it is prorated against it.
   */
  readonly billCycleDay?: number;
  readonly description?: string;
}

export interface ProrationLine {
  readonly description: string;
  readonly amountMinor: string;
  readonly proration: true;
  readonly period: { readonly start: string; readonly end: string };
}

export interface ProrationPreview {
  readonly convention: ProrationConvention;
  readonly currency: CurrencyCode;
  /** Remaining share of the billing period, 6 decimals. */
  readonly remainingFraction: string;
  readonly lines: ProrationLine[];
  readonly netMinor: string;
}

function checkItemValue(value: Ratio, exponent: number, quantity: string, price: string): void {
  const minor = toMinor(value, exponent);
  if (minor > MAX_ABS_MINOR) {
    throw new RevenueInputError(
      quantity,
      `${quantity} × ${price} over the billing period is ${minor.toString()} minor units, beyond the bound of 10^15`,
    );
  }
}

const STRIPE_STYLE: ReadonlySet<ProrationConvention> = new Set(['actual_days', 'stripe_seconds']);

function secondOf(effectiveAt: string | undefined, effectiveDay: number): bigint | undefined {
  if (effectiveAt === undefined) {
    return undefined;
  }
  const ms = Date.parse(effectiveAt);
  if (Number.isNaN(ms)) {
    throw new RevenueInputError('effectiveAt', 'is not an ISO date-time');
  }
  const s = BigInt(ms) / 1000n;
  if (s / 86_400n !== BigInt(effectiveDay)) {
    throw new RevenueInputError('effectiveAt', 'must fall on effectiveDate (UTC)');
  }
  return s;
}

function billCycleDayOf(value: number | undefined, periodStart: number): number {
  return checkBillCycleDay(value, 'billCycleDay') ?? dayOfMonth(periodStart);
}

/**
 * Prorates a mid-period change. Stripe-style conventions (actual_days, stripe_seconds) itemise it as
 * Stripe does: a credit for unused time on the old quantity and price, and a charge for the remaining
 * time on the new ones, each rounded on its own. CPQ and month-based conventions quote the delta
 * itself (new − old) over the rest of the period measured in their own months from the bill-cycle day,
 * as a single line, as CPQ amendment quotes and Zuora's partial-month proration do.
 */
export function previewProration(change: ProrationChange, convention: ProrationConvention): ProrationPreview {
  const currency = checkCurrency(change.currency, 'currency');
  const exponent = currencyExponent(currency);
  const start = checkDate(change.periodStart, 'periodStart');
  const end = checkDate(change.periodEnd, 'periodEnd');
  const eff = checkDate(change.effectiveDate, 'effectiveDate');
  if (end < start) {
    throw new RevenueInputError('periodEnd', 'is before periodStart');
  }
  if (eff < start || eff > end) {
    throw new RevenueInputError(
      'effectiveDate',
      `must fall inside the billing period ${change.periodStart}..${change.periodEnd}`,
    );
  }
  const q0 = decimalRatio(checkNonNegativeDecimal(change.priorQuantity, 'priorQuantity'));
  const q1 = decimalRatio(checkNonNegativeDecimal(change.newQuantity, 'newQuantity'));
  const p0 = decimalRatio(checkNonNegativeDecimal(change.priorUnitPrice, 'priorUnitPrice'));
  const p1 = decimalRatio(checkNonNegativeDecimal(change.newUnitPrice, 'newUnitPrice'));
  const unit = change.unitPricePeriod ?? 'month';
  const units = unitsPerPeriod(unit, start, end);
  const billCycleDay = billCycleDayOf(change.billCycleDay, start);
  const fromSecond = convention === 'stripe_seconds' ? secondOf(change.effectiveAt, eff) : undefined;
  const fraction = remainingFraction(convention, start, end, eff, fromSecond, billCycleDay);
  const part: PeriodPart = { periodStart: start, periodEnd: end, from: eff, to: end };
  const period = { start: change.effectiveDate, end: change.periodEnd };
  const label = change.description ?? 'item';
  const after = `after ${fromEpochDay(eff)}`;

  const oldPrice = mul(q0, p0);
  const newPrice = mul(q1, p1);
  // Every line is at most the item's value over the whole period, so bounding these bounds the lines.
  checkItemValue(mul(oldPrice, units), exponent, 'priorQuantity', 'priorUnitPrice');
  checkItemValue(mul(newPrice, units), exponent, 'newQuantity', 'newUnitPrice');
  const valueOf = (price: Ratio): Ratio => partValue(convention, unit, price, part, billCycleDay, fromSecond);
  let lines: ProrationLine[];
  if (STRIPE_STYLE.has(convention)) {
    const credit = -toMinor(valueOf(oldPrice), exponent);
    const charge = toMinor(valueOf(newPrice), exponent);
    lines = [
      {
        description: `Unused time on ${change.priorQuantity} × ${label} ${after}`,
        amountMinor: credit.toString(),
        proration: true,
        period,
      },
      {
        description: `Remaining time on ${change.newQuantity} × ${label} ${after}`,
        amountMinor: charge.toString(),
        proration: true,
        period,
      },
    ];
  } else {
    const delta = toMinor(valueOf(sub(newPrice, oldPrice)), exponent);
    lines = [
      {
        description: `Change ${change.priorQuantity} → ${change.newQuantity} × ${label} ${after} (${convention})`,
        amountMinor: delta.toString(),
        proration: true,
        period,
      },
    ];
  }
  const net = lines.reduce((s, l) => s + BigInt(l.amountMinor), 0n);
  checkBound(net, 'net');
  return {
    convention,
    currency,
    remainingFraction: formatRatio(fraction.n, fraction.d, 6),
    lines,
    netMinor: net.toString(),
  };
}

/** Salesforce CPQ prorate multiplier ("Subscription Prorate Precision"), 4 decimals: 2.2740 etc. */
export function cpqProrateMultiplier(
  precision: 'day' | 'month' | 'monthly_daily',
  startDate: string,
  endDate: string,
  defaultTermMonths = 12,
): string {
  const start = checkDate(startDate, 'startDate');
  const end = checkDate(endDate, 'endDate');
  if (end < start) {
    throw new RevenueInputError('endDate', 'is before startDate');
  }
  const convention: ProrationConvention =
    precision === 'day' ? 'cpq_day' : precision === 'month' ? 'cpq_month' : 'cpq_monthly_daily';
  const months = monthsUnder(convention, start, end);
  return formatRatio(months.n, months.d * BigInt(defaultTermMonths), 4);
}
