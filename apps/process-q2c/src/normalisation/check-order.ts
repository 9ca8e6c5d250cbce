import { addDays, addMonths, wholeMonthsAndDays } from '@revline/canonical';
import type { ContractState } from '../events/contract-state';
import { lineRevisedBy } from '../events/contract-state';
import type { CustomerRecord } from '../events/customer-master';
import type { CompiledMapping, SystemName } from '../mappings/mapping-definition';
import type { MappedOrder } from './mapped-order';
import type { OrderProblem } from './problems';
import { problem } from './problems';

export interface CheckContext {
  readonly mapping: CompiledMapping;
  /** The customer master's record of the order's account, if any. */
  readonly customer: CustomerRecord | null;
  /** For an amendment or renewal: the contract it changes, or null when Revline does not know it. */
  readonly contract: ContractState | null;
}

const SYSTEM_NAMES: Record<SystemName, string> = {
  salesforce: 'Salesforce',
  billing: 'billing',
  erp: 'the ERP',
};

export function checkProducts(order: MappedOrder, mapping: CompiledMapping): OrderProblem[] {
  const seen = new Set<string>();
  const problems: OrderProblem[] = [];
  for (const line of order.lines) {
    if (mapping.catalogue.has(line.productCode) || seen.has(line.productCode)) continue;
    seen.add(line.productCode);
    problems.push(
      problem(
        'unmapped_product',
        `lines[${String(line.index)}].productCode`,
        `Product ${line.productCode} (order line ${line.lineId}) is not in the product catalogue of mapping version ${String(mapping.version)}: add its billing price, ERP item and revenue treatment in a new mapping version`,
      ),
    );
  }
  return problems;
}

/**
 * The customer master: when another system than Salesforce is the record, an id or currency the order's account
 * carries must match what that system holds; a conflict names both values. An amendment must come from the
 * contract's own account.
 */
export function checkCustomer(order: MappedOrder, context: CheckContext): OrderProblem[] {
  const problems: OrderProblem[] = [];
  const account = order.customer.salesforceAccountId;
  if (context.contract && context.contract.salesforceAccountId !== account) {
    problems.push(
      problem(
        'customer_mismatch',
        'customer.salesforceAccountId',
        `The order is for Salesforce account ${account}, but contract ${context.contract.contractId} belongs to account ${context.contract.salesforceAccountId}`,
      ),
    );
  }
  const master = context.mapping.definition.systemsOfRecord.customerMaster;
  const held = context.customer;
  if (master === 'salesforce' || !held) return problems;
  const compare = (field: string, label: string, ours: string | undefined, theirs: string | null): void => {
    if (ours !== undefined && theirs !== null && ours !== theirs) {
      problems.push(
        problem(
          'customer_mismatch',
          field,
          `Salesforce account ${account} has ${label} ${ours}, but the customer master (${SYSTEM_NAMES[master]}) holds ${theirs}`,
        ),
      );
    }
  };
  compare(
    'customer.billingCustomerId',
    'billing customer id',
    order.customer.billingCustomerId,
    held.billingCustomerId,
  );
  compare('customer.erpCustomerId', 'ERP customer id', order.customer.erpCustomerId, held.erpCustomerId);
  compare('customer.currency', 'currency', order.customer.currency, held.currency);
  return problems;
}

/**
 * Whether the customer master's record of the order's account can change what checkOrder finds: when another system
 * than Salesforce is the master (checkCustomer), or when no contract gives the currency and the account's own
 * currency is not already a mismatch (checkCurrency). An amendment or renewal of a known contract needs no read.
 */
export function needsCustomerRecord(
  order: MappedOrder,
  mapping: CompiledMapping,
  contract: ContractState | null,
): boolean {
  if (mapping.definition.systemsOfRecord.customerMaster !== 'salesforce') return true;
  return !contract && (order.customer.currency === undefined || order.customer.currency === order.currency);
}

/**
 * Whether, of the customer master's record, the checks use only its currency, to refuse the order when one is held
 * (not empty) and is not the order's: with Salesforce the master, no contract, and the account's own currency no
 * mismatch already. Normalisation then reads no record first: the statement that stores the event stores it only
 * when no such currency is held, and answers the record when one is (EventStore.appendUnderMapping).
 */
export function heldCurrencyOnly(
  order: MappedOrder,
  mapping: CompiledMapping,
  contract: ContractState | null,
): boolean {
  return (
    mapping.definition.systemsOfRecord.customerMaster === 'salesforce' &&
    needsCustomerRecord(order, mapping, contract)
  );
}

export function checkCurrency(order: MappedOrder, context: CheckContext): OrderProblem[] {
  const problems: OrderProblem[] = [];
  const mismatch = (field: string, what: string, theirs: string): void => {
    problems.push(
      problem('currency_mismatch', field, `The order is in ${order.currency}, but ${what} is in ${theirs}`),
    );
  };
  if (context.contract) {
    if (context.contract.currency !== order.currency) {
      mismatch('currency', `contract ${context.contract.contractId}`, context.contract.currency);
    }
    return problems;
  }
  if (order.customer.currency !== undefined && order.customer.currency !== order.currency) {
    mismatch(
      'customer.currency',
      `Salesforce account ${order.customer.salesforceAccountId}`,
      order.customer.currency,
    );
  } else if (context.customer?.currency && context.customer.currency !== order.currency) {
    mismatch('currency', `the customer's billing account`, context.customer.currency);
  }
  return problems;
}

/** The term an order's lines must fall in, or a problem when it cannot be told. */
export function orderTerm(
  order: MappedOrder,
  contract: ContractState | null,
): { start: string; end: string } | OrderProblem {
  if (order.orderType === 'amendment' && contract)
    return { start: contract.termStart, end: contract.termEnd };
  if (order.orderType === 'renewal' && contract) {
    const end = order.termEnd ?? renewalEnd(contract, order.termStart);
    if (!end) {
      return problem(
        'invalid_dates',
        'termEnd',
        `The renewal has no end date and contract ${contract.contractId}'s term (${contract.termStart}..${contract.termEnd}) is not whole months to repeat`,
      );
    }
    return { start: order.termStart, end };
  }
  const ends = order.lines.map((l) => l.serviceEnd).filter((d): d is string => d !== undefined);
  const end = order.termEnd ?? ends.sort().at(-1);
  if (!end)
    return problem('invalid_dates', 'termEnd', 'The order has no end date and none of its lines has one');
  return { start: order.termStart, end };
}

/** The end of a renewal term as long as the contract's (in whole months), or undefined when it is not whole months. */
export function renewalEnd(contract: ContractState, start: string): string | undefined {
  const term = wholeMonthsAndDays(contract.termStart, contract.termEnd);
  return term.days === 0 ? addDays(addMonths(start, term.months), -1) : undefined;
}

export function checkDates(order: MappedOrder, context: CheckContext): OrderProblem[] {
  const term = orderTerm(order, context.contract);
  if ('category' in term) return [term];
  const problems: OrderProblem[] = [];
  const contract = context.contract;
  if (term.end < term.start) {
    problems.push(
      problem('invalid_dates', 'termEnd', `The term ends (${term.end}) before it starts (${term.start})`),
    );
    return problems;
  }
  if (order.orderType === 'amendment' && contract) {
    if (order.termStart < contract.termStart || order.termStart > contract.termEnd) {
      problems.push(
        problem(
          'invalid_dates',
          'effectiveDate',
          `The amendment takes effect on ${order.termStart}, outside contract ${contract.contractId}'s term ${contract.termStart}..${contract.termEnd}`,
        ),
      );
    }
  }
  if (order.orderType === 'renewal' && contract && order.termStart !== addDays(contract.termEnd, 1)) {
    problems.push(
      problem(
        'invalid_dates',
        'effectiveDate',
        `The renewal starts on ${order.termStart}, but contract ${contract.contractId} ends on ${contract.termEnd}: a renewal starts the day after`,
      ),
    );
  }
  const lineStart = order.orderType === 'new' ? term.start : order.termStart;
  for (const line of order.lines) {
    const start = line.serviceStart ?? lineStart;
    const end = line.serviceEnd ?? term.end;
    const field = `lines[${String(line.index)}]`;
    if (end < start) {
      problems.push(
        problem(
          'invalid_dates',
          `${field}.serviceEnd`,
          `Line ${line.lineId} ends (${end}) before it starts (${start})`,
        ),
      );
    } else if (start < term.start || end > term.end) {
      problems.push(
        problem(
          'invalid_dates',
          `${field}.serviceStart`,
          `Line ${line.lineId} runs ${start}..${end}, outside the term ${term.start}..${term.end}`,
        ),
      );
    }
  }
  return problems;
}

/** An amendment or renewal needs its contract, active, and every line it revises must be one of its lines. */
export function checkContract(order: MappedOrder, context: CheckContext): OrderProblem[] {
  if (order.orderType === 'new') return [];
  const ref = order.orderType === 'renewal' ? order.renewedContractRef : order.amendedContractRef;
  const field = order.orderType === 'renewal' ? 'renewedContractRef' : 'amendedContractRef';
  if (!ref) return [problem('unknown_contract', field, `The ${order.orderType} order names no contract`)];
  const contract = context.contract;
  if (!contract) {
    return [
      problem('unknown_contract', field, `Revline knows no booked contract for Salesforce contract ${ref}`),
    ];
  }
  if (contract.status === 'cancelled') {
    return [
      problem('unknown_contract', field, `Contract ${contract.contractId} was cancelled and cannot change`),
    ];
  }
  const problems: OrderProblem[] = [];
  if (order.orderType === 'amendment') {
    for (const line of order.lines) {
      if (line.revisesLineId && !lineRevisedBy(contract, line.revisesLineId)) {
        problems.push(
          problem(
            'unknown_contract',
            `lines[${String(line.index)}].revisesLineId`,
            `Line ${line.lineId} revises ${line.revisesLineId}, which is not a line of contract ${contract.contractId}`,
          ),
        );
      }
    }
  }
  return problems;
}

/** Every policy check, in the order an operator would fix them. */
export function checkOrder(order: MappedOrder, context: CheckContext): OrderProblem[] {
  const contractProblems = checkContract(order, context);
  if (contractProblems.length > 0 && !context.contract) {
    return [...checkProducts(order, context.mapping), ...contractProblems];
  }
  return [
    ...checkProducts(order, context.mapping),
    ...checkCustomer(order, context),
    ...contractProblems,
    ...checkDates(order, context),
    ...checkCurrency(order, context),
  ];
}
