import type { ContractAmended, ContractBooked } from '@revline/canonical';
import type { ContractState } from '../events/contract-state';
import type { CheckContext } from './check-order';
import { checkOrder } from './check-order';
import { OrderRejected } from './problems';
import { buildAmendment, buildRenewal } from './build-amendment';
import { buildBooking } from './build-booking';
import type { EventMeta } from './event-meta';
import type { MappedOrder } from './mapped-order';

/** What an order needs before it can be normalised. */
export type OrderPlan =
  | { kind: 'ignore'; reason: string }
  | { kind: 'booking' }
  | { kind: 'change'; salesforceContractId: string | undefined };

export function planOrder(order: MappedOrder): OrderPlan {
  if (!order.activated) return { kind: 'ignore', reason: 'the order is not activated' };
  if (order.orderType === 'new') return { kind: 'booking' };
  return {
    kind: 'change',
    salesforceContractId: order.orderType === 'renewal' ? order.renewedContractRef : order.amendedContractRef,
  };
}

export type Normalised = {
  event: ContractBooked | ContractAmended;
  state: ContractState;
};

/**
 * Checks an order against policy and builds its canonical event and the contract after it. Every problem found
 * is reported at once (OrderRejected), so one round of fixes is enough.
 */
export function normaliseOrder(order: MappedOrder, context: CheckContext, meta: EventMeta): Normalised {
  const problems = checkOrder(order, context);
  if (problems.length > 0) throw new OrderRejected(problems);
  const { mapping, contract } = context;
  if (order.orderType === 'new') return buildBooking(order, mapping, meta);
  if (!contract) throw new Error('checkOrder lets no amendment through without its contract');
  return order.orderType === 'renewal'
    ? buildRenewal(order, contract, mapping, meta)
    : buildAmendment(order, contract, mapping, meta);
}
