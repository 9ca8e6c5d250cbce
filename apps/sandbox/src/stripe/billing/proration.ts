import type { Price } from '../state/types';
import { proratedAmount } from './pricing';
import { stripeDate } from './time';

export interface ProrationLine {
  amount: number;
  description: string;
  price: Price;
  quantity: number;
  subscriptionItem: string;
  period: { start: number; end: number };
}

export interface ItemState {
  itemId: string;
  price: Price;
  quantity: number;
}

/**
 * The proration lines Stripe writes when an item changes at `at`: a credit for the unused time on what was
 * there, and a charge for the remaining time on what is there now. An unchanged item gives no lines.
 */
export function prorationLines(
  before: ItemState | undefined,
  after: ItemState | undefined,
  at: number,
  period: { start: number; end: number },
  productName: (price: Price) => string = (price) => price.nickname ?? price.product,
): ProrationLine[] {
  if (before && after && before.price.id === after.price.id && before.quantity === after.quantity) return [];
  const lines: ProrationLine[] = [];
  const span = { start: at, end: period.end };
  const label = (state: ItemState) =>
    `${state.quantity} × ${productName(state.price)} after ${stripeDate(at)}`;
  if (before && before.price.recurring?.usage_type !== 'metered') {
    lines.push({
      amount: -proratedAmount(before.price, before.quantity, at, period),
      description: `Unused time on ${label(before)}`,
      price: before.price,
      quantity: before.quantity,
      subscriptionItem: before.itemId,
      period: span,
    });
  }
  if (after && after.price.recurring?.usage_type !== 'metered') {
    lines.push({
      amount: proratedAmount(after.price, after.quantity, at, period),
      description: `Remaining time on ${label(after)}`,
      price: after.price,
      quantity: after.quantity,
      subscriptionItem: after.itemId,
      period: span,
    });
  }
  return lines;
}
