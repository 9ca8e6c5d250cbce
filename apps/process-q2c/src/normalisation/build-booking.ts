import type { ContractBooked } from '@revline/canonical';
import { ContractBookedSchema, isCurrencyCode } from '@revline/canonical';
import type { ContractState } from '../events/contract-state';
import type { CompiledMapping } from '../mappings/mapping-definition';
import { orderTerm } from './check-order';
import { OrderRejected } from './problems';
import { contractLines, groupSegments } from './build-lines';
import type { EventMeta } from './event-meta';
import { checkedEvent } from './event-meta';
import type { MappedOrder } from './mapped-order';

/** A new order → ContractBooked, and the contract as it stands after it. Policy checks have passed. */
export function buildBooking(
  order: MappedOrder,
  mapping: CompiledMapping,
  meta: EventMeta,
): { event: ContractBooked; state: ContractState } {
  const term = orderTerm(order, null);
  if ('category' in term) throw new OrderRejected([term]);
  const { lines, states } = contractLines(groupSegments(order.lines), mapping, order.currency, term);
  const { customer } = order;
  const event = checkedEvent(ContractBookedSchema, {
    eventType: 'ContractBooked',
    schemaVersion: '1.1',
    ...meta,
    contractId: order.contractId,
    customer: {
      customerId: customer.customerId,
      salesforceAccountId: customer.salesforceAccountId,
      ...(customer.billingCustomerId ? { billingCustomerId: customer.billingCustomerId } : {}),
      ...(customer.erpCustomerId ? { erpCustomerId: customer.erpCustomerId } : {}),
      ...(customer.name ? { name: customer.name.slice(0, 255) } : {}),
      ...(customer.billingAddress ? { billingAddress: customer.billingAddress } : {}),
      ...(customer.currency && isCurrencyCode(customer.currency) ? { currency: customer.currency } : {}),
    },
    currency: order.currency,
    termStart: term.start,
    termEnd: term.end,
    billingFrequency: order.billingFrequency,
    billingTiming: order.billingTiming,
    ...(order.billCycleDay === undefined ? {} : { billCycleDay: order.billCycleDay }),
    lines,
  });
  const state: ContractState = {
    contractId: order.contractId,
    salesforceAccountId: customer.salesforceAccountId,
    currency: order.currency,
    termStart: term.start,
    termEnd: term.end,
    status: 'active',
    lines: states,
  };
  return { event, state };
}
