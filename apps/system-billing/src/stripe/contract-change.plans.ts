import type { ContractChange, ContractLineItem } from '@revline/billing-port';
import type Stripe from 'stripe';

export const LINE_KEY = 'revline_line_id';
export const CONTRACT_KEY = 'revline_contract_id';

/** The items of a new subscription: catalogue price ids, quantities, and the Revline line id on each. */
export function newItems(items: ContractLineItem[]): Stripe.SubscriptionCreateParams.Item[] {
  return items.map((item) => ({
    price: item.priceId,
    quantity: item.quantity,
    metadata: { [LINE_KEY]: item.lineId },
  }));
}

/**
 * The item changes that turn a subscription into the lines of the command: a changed quantity or price keeps the
 * item, a new line adds one, a line no longer listed removes its item.
 */
export function itemDiff(
  current: Stripe.SubscriptionItem[],
  wanted: ContractLineItem[],
): Stripe.SubscriptionUpdateParams.Item[] {
  const byLine = new Map(current.map((item) => [item.metadata[LINE_KEY] ?? item.id, item]));
  const changes: Stripe.SubscriptionUpdateParams.Item[] = [];
  for (const line of wanted) {
    const item = byLine.get(line.lineId);
    byLine.delete(line.lineId);
    if (!item) {
      changes.push({ price: line.priceId, quantity: line.quantity, metadata: { [LINE_KEY]: line.lineId } });
    } else if (item.price.id !== line.priceId) {
      changes.push({ id: item.id, price: line.priceId, quantity: line.quantity });
    } else if (item.quantity !== line.quantity) {
      changes.push({ id: item.id, quantity: line.quantity });
    }
  }
  for (const item of byLine.values()) changes.push({ id: item.id, deleted: true });
  return changes;
}

export function phaseItems(items: ContractLineItem[]): Stripe.SubscriptionScheduleUpdateParams.Phase.Item[] {
  return items.map((item) => ({
    price: item.priceId,
    quantity: item.quantity,
    metadata: { [LINE_KEY]: item.lineId },
  }));
}

export function itemIdsOf(sub: Stripe.Subscription): Record<string, string> {
  return Object.fromEntries(sub.items.data.map((item) => [item.metadata[LINE_KEY] ?? item.id, item.id]));
}

export function contractMetadata(change: ContractChange): Record<string, string> {
  return { [CONTRACT_KEY]: change.contractId };
}
