import type { AmendmentType, ContractAmended, LineDelta } from '@revline/canonical';
import { ContractAmendedSchema } from '@revline/canonical';
import type { ContractLineState, ContractState } from '../events/contract-state';
import { lineRevisedBy } from '../events/contract-state';
import type { CompiledMapping } from '../mappings/mapping-definition';
import { orderTerm } from './check-order';
import { OrderRejected, problem } from './problems';
import { contractLines, groupSegments } from './build-lines';
import type { EventMeta } from './event-meta';
import { checkedEvent } from './event-meta';
import { addDecimals, compareDecimals, upliftRate } from '../shared/line-amounts';
import type { MappedLine, MappedOrder } from './mapped-order';

interface Change {
  readonly line: ContractLineState;
  readonly newQuantity: string;
  readonly newUnitPrice: string;
  readonly serviceEnd: string;
}

type Built = { event: ContractAmended; state: ContractState };

function delta(change: Change): LineDelta {
  return {
    lineId: change.line.lineId,
    priorQuantity: change.line.quantity,
    newQuantity: change.newQuantity,
    priorUnitPrice: change.line.unitPrice,
    newUnitPrice: change.newUnitPrice,
  };
}

/**
 * The amendment type from CPQ's semantics when the mapping does not name it: everything to zero is a
 * cancellation; a change on the first day of a ramp segment is a ramp step; more seats or products an
 * expansion; fewer a reduction; the same quantities at another price a price change.
 */
export function deriveAmendmentType(
  contract: ContractState,
  changes: readonly Change[],
  added: readonly MappedLine[],
  effectiveDate: string,
): AmendmentType {
  const after = contract.lines.map((l) => changes.find((c) => c.line === l)?.newQuantity ?? l.quantity);
  if (added.length === 0 && after.every((q) => compareDecimals(q, '0') === 0)) return 'cancellation';
  if (changes.some((c) => (c.line.rampSegments ?? []).some((s) => s.start === effectiveDate)))
    return 'ramp_step';
  if (added.length > 0 || changes.some((c) => compareDecimals(c.newQuantity, c.line.quantity) > 0))
    return 'expansion';
  if (changes.some((c) => compareDecimals(c.newQuantity, c.line.quantity) < 0)) return 'reduction';
  if (changes.some((c) => compareDecimals(c.newUnitPrice, c.line.unitPrice) !== 0)) return 'price_change';
  throw new OrderRejected([
    problem(
      'schema_violation',
      'lines',
      'The amendment changes no quantity, price or product of the contract',
    ),
  ]);
}

/** An amendment order (delta quantities on lines that revise the contract's) → ContractAmended. */
export function buildAmendment(
  order: MappedOrder,
  contract: ContractState,
  mapping: CompiledMapping,
  meta: EventMeta,
): Built {
  const effectiveDate = order.termStart;
  const changes = new Map<ContractLineState, Change>();
  const added: MappedLine[] = [];
  for (const line of order.lines) {
    const revised = line.revisesLineId ? lineRevisedBy(contract, line.revisesLineId) : undefined;
    if (!revised) {
      added.push(line);
      continue;
    }
    const before = changes.get(revised);
    const newQuantity = addDecimals(before?.newQuantity ?? revised.quantity, line.quantity);
    if (compareDecimals(newQuantity, '0') < 0) {
      throw new OrderRejected([
        problem(
          'schema_violation',
          `lines[${String(line.index)}].quantity`,
          `Line ${line.lineId} takes line ${revised.lineId} from ${revised.quantity} to ${newQuantity}, below zero`,
        ),
      ]);
    }
    changes.set(revised, {
      line: revised,
      newQuantity,
      newUnitPrice: line.unitPrice,
      serviceEnd: line.serviceEnd ?? contract.termEnd,
    });
  }
  const list = [...changes.values()];
  const amendmentType = order.amendmentType ?? deriveAmendmentType(contract, list, added, effectiveDate);
  const addedBuilt = contractLines(
    groupSegments(added),
    mapping,
    order.currency,
    { start: effectiveDate, end: contract.termEnd },
    { start: contract.termStart, end: contract.termEnd },
  );
  const coTerminated =
    list.every((c) => c.serviceEnd === contract.termEnd) &&
    addedBuilt.lines.every((l) => l.serviceEnd === contract.termEnd);
  const event = checkedEvent(ContractAmendedSchema, {
    eventType: 'ContractAmended',
    schemaVersion: '1.1',
    ...meta,
    amendmentId: order.contractId,
    amendsContractId: contract.contractId,
    amendmentType,
    effectiveDate,
    coTerminated,
    lineDeltas: list.map(delta),
    ...(addedBuilt.lines.length > 0 ? { addedLines: addedBuilt.lines } : {}),
  });
  const state: ContractState = {
    ...contract,
    status: amendmentType === 'cancellation' ? 'cancelled' : contract.status,
    lines: [
      ...contract.lines.map((l) => {
        const change = changes.get(l);
        return change ? { ...l, quantity: change.newQuantity, unitPrice: change.newUnitPrice } : l;
      }),
      ...addedBuilt.states,
    ],
  };
  return { event, state };
}

/**
 * A renewal order (Type Renewal, tied to the prior contract) → ContractAmended of type renewal: its lines are
 * matched to the contract's by product, the uplift is read from the first matched line's price, lines not
 * renewed go to zero and new products are added for the renewal term.
 */
export function buildRenewal(
  order: MappedOrder,
  contract: ContractState,
  mapping: CompiledMapping,
  meta: EventMeta,
): Built {
  const term = orderTerm(order, contract);
  if ('category' in term) throw new OrderRejected([term]);
  const open = contract.lines.filter((l) => compareDecimals(l.quantity, '0') > 0);
  const matched = new Map<ContractLineState, MappedLine>();
  const added: MappedLine[] = [];
  for (const line of order.lines) {
    const match = open.find((l) => l.productCode === line.productCode && !matched.has(l));
    if (match) matched.set(match, line);
    else added.push(line);
  }
  const changes: Change[] = open.map((l) => {
    const renewed = matched.get(l);
    return {
      line: l,
      newQuantity: renewed?.quantity ?? '0',
      newUnitPrice: renewed?.unitPrice ?? l.unitPrice,
      serviceEnd: term.end,
    };
  });
  const firstMatch = [...matched.entries()].at(0);
  const uplift = firstMatch ? upliftRate(firstMatch[0].unitPrice, firstMatch[1].unitPrice) : '0';
  const addedBuilt = contractLines(groupSegments(added), mapping, order.currency, term);
  const event = checkedEvent(ContractAmendedSchema, {
    eventType: 'ContractAmended',
    schemaVersion: '1.1',
    ...meta,
    amendmentId: order.contractId,
    amendsContractId: contract.contractId,
    amendmentType: 'renewal',
    effectiveDate: term.start,
    coTerminated: false,
    lineDeltas: changes.map(delta),
    ...(addedBuilt.lines.length > 0 ? { addedLines: addedBuilt.lines } : {}),
    renewal: { termEnd: term.end, upliftRate: uplift },
  });
  const state: ContractState = {
    ...contract,
    termEnd: term.end,
    lines: [
      ...contract.lines.map((l) => {
        const renewed = matched.get(l);
        if (!renewed) return open.includes(l) ? { ...l, quantity: '0' } : l;
        return {
          ...l,
          quantity: renewed.quantity,
          unitPrice: renewed.unitPrice,
          serviceEnd: term.end,
          aliases: [...(l.aliases ?? []), renewed.lineId],
        };
      }),
      ...addedBuilt.states,
    ],
  };
  return { event, state };
}
