import {
  AmendmentTypeSchema,
  BillingFrequencySchema,
  BillingTimingSchema,
  ChargeTypeSchema,
  isCurrencyCode,
  isIsoDate,
  NON_NEGATIVE_DECIMAL_PATTERN,
} from '@revline/canonical';
import type { CompiledMapping, LineTarget, MappingTarget, OrderTarget } from '../mappings/mapping-definition';
import { LINE_COLLECTION } from '../mappings/mapping-definition';
import type { OrderProblem } from './problems';
import { OrderRejected, problem } from './problems';
import type { MappedLine, MappedOrder, OrderType } from './mapped-order';
import { readPath } from './record-paths';

type Kind =
  | { type: 'text' }
  | { type: 'date' }
  | { type: 'decimal'; signed: boolean }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'currency' }
  | { type: 'country' }
  | { type: 'dayOfMonth' };

const TEXT: Kind = { type: 'text' };
const DATE: Kind = { type: 'date' };

const KINDS: Record<MappingTarget, Kind> = {
  contractId: TEXT,
  orderType: { type: 'enum', values: ['new', 'amendment', 'renewal'] },
  status: TEXT,
  currency: { type: 'currency' },
  termStart: DATE,
  termEnd: DATE,
  billingFrequency: { type: 'enum', values: BillingFrequencySchema.options },
  billingTiming: { type: 'enum', values: BillingTimingSchema.options },
  billCycleDay: { type: 'dayOfMonth' },
  amendmentType: { type: 'enum', values: AmendmentTypeSchema.options },
  amendedContractRef: TEXT,
  renewedContractRef: TEXT,
  'customer.customerId': TEXT,
  'customer.salesforceAccountId': TEXT,
  'customer.billingCustomerId': TEXT,
  'customer.erpCustomerId': TEXT,
  'customer.currency': { type: 'currency' },
  'customer.name': TEXT,
  'customer.billingAddress.line1': TEXT,
  'customer.billingAddress.city': TEXT,
  'customer.billingAddress.state': TEXT,
  'customer.billingAddress.postalCode': TEXT,
  'customer.billingAddress.country': { type: 'country' },
  'lines[].lineId': TEXT,
  'lines[].productCode': TEXT,
  'lines[].quantity': { type: 'decimal', signed: true },
  'lines[].unitPrice': { type: 'decimal', signed: false },
  'lines[].serviceStart': DATE,
  'lines[].serviceEnd': DATE,
  'lines[].chargeType': { type: 'enum', values: ChargeTypeSchema.options },
  'lines[].revisesLineId': TEXT,
  'lines[].segmentKey': TEXT,
};

const SIGNED_DECIMAL = /^-?\d+(\.\d+)?$/;

/** A text value where a number field is expected (a Number field reaches jsforce as a number or null). */
function isNonEmptyText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function rawText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** Reads and converts one field; pushes a problem and answers undefined when the value is unusable. */
class FieldReader {
  readonly problems: OrderProblem[] = [];

  constructor(private readonly mapping: CompiledMapping) {}

  order(target: OrderTarget, record: unknown, required = false): string | undefined {
    const m = this.mapping.byTarget.get(target);
    const values = m ? readPath(record, m.source) : [];
    const text = KINDS[target].type === 'dayOfMonth' ? values.find(isNonEmptyText) : undefined;
    if (text !== undefined) {
      const field = this.fieldName(target);
      this.problems.push(problem('schema_violation', field, `${field} is the text "${text}", not a number`));
      return undefined;
    }
    const raw = values.map(rawText).find((v) => v !== undefined);
    return this.convert(target, raw, required);
  }

  line(target: LineTarget, item: unknown, index: number, required = false): string | undefined {
    const m = this.mapping.byTarget.get(target);
    const relative = m?.source.slice(LINE_COLLECTION.length + 1);
    const raw = relative ? rawText(readPath(item, relative)[0]) : undefined;
    return this.convert(target, raw, required, index);
  }

  /** The target as problems name it: its line index filled in, then the mapped source field. */
  private fieldName(target: MappingTarget, index?: number): string {
    const m = this.mapping.byTarget.get(target);
    const name = index === undefined ? target : target.replace('[]', `[${String(index)}]`);
    return `${name}${m ? ` (${m.source})` : ''}`;
  }

  private convert(
    target: MappingTarget,
    raw: string | undefined,
    required: boolean,
    index?: number,
  ): string | undefined {
    const m = this.mapping.byTarget.get(target);
    const field = this.fieldName(target, index);
    const mapped = raw === undefined ? m?.default : (m?.valueMap?.[raw] ?? raw);
    if (mapped === undefined) {
      if (required) this.problems.push(problem('schema_violation', field, `${field} is empty`));
      return undefined;
    }
    const kind = KINDS[target];
    switch (kind.type) {
      case 'text':
        return mapped;
      case 'date': {
        const date = mapped.slice(0, 10);
        if (isIsoDate(date)) return date;
        this.problems.push(problem('schema_violation', field, `${field} is "${mapped}", not a date`));
        return undefined;
      }
      case 'decimal': {
        const ok = (kind.signed ? SIGNED_DECIMAL : NON_NEGATIVE_DECIMAL_PATTERN).test(mapped);
        if (ok) return mapped;
        this.problems.push(
          problem(
            'schema_violation',
            field,
            `${field} is "${mapped}", not a ${kind.signed ? '' : 'non-negative '}decimal`,
          ),
        );
        return undefined;
      }
      case 'enum':
        if (kind.values.includes(mapped)) return mapped;
        this.problems.push(
          problem(
            'schema_violation',
            field,
            `${field} is "${mapped}", which maps to none of ${kind.values.join(', ')}; add it to the mapping's valueMap`,
          ),
        );
        return undefined;
      case 'currency':
        if (isCurrencyCode(mapped)) return mapped;
        this.problems.push(
          problem('schema_violation', field, `${field} is "${mapped}", not a known ISO 4217 currency`),
        );
        return undefined;
      case 'country':
        if (/^[A-Za-z]{2}$/.test(mapped)) return mapped.toUpperCase();
        this.problems.push(
          problem(
            'schema_violation',
            field,
            `${field} is "${mapped}", not an ISO 3166-1 alpha-2 country code (map the country code field, such as BillingCountryCode)`,
          ),
        );
        return undefined;
      case 'dayOfMonth':
        if (/^([1-9]|[12]\d|3[01])$/.test(mapped)) return mapped;
        this.problems.push(
          problem('schema_violation', field, `${field} is ${mapped}, not a whole day of the month (1 to 31)`),
        );
        return undefined;
    }
  }
}

/** The order's lines, as the line collection of the record. */
function lineItems(record: unknown): unknown[] {
  return readPath(record, LINE_COLLECTION);
}

/**
 * Reads a Salesforce order through a mapping version into canonical terms. Empty required fields and values
 * that do not convert are `schema_violation` problems, all of them listed (OrderRejected).
 */
export function extractOrder(record: unknown, mapping: CompiledMapping): MappedOrder {
  const r = new FieldReader(mapping);
  const contractId = r.order('contractId', record, true);
  const orderType = r.order('orderType', record, true) as OrderType | undefined;
  const status = r.order('status', record, true);
  const currency = r.order('currency', record, true);
  const termStart = r.order('termStart', record, true);
  const billingFrequency =
    (r.order('billingFrequency', record) as MappedOrder['billingFrequency'] | undefined) ?? 'annual';
  const billingTiming =
    (r.order('billingTiming', record) as MappedOrder['billingTiming'] | undefined) ?? 'advance';
  const salesforceAccountId = r.order('customer.salesforceAccountId', record, true);
  const items = lineItems(record);
  if (items.length === 0) r.problems.push(problem('schema_violation', 'lines', 'the order has no lines'));
  const lines: MappedLine[] = [];
  items.forEach((item, index) => {
    const lineId = r.line('lines[].lineId', item, index, true);
    const productCode = r.line('lines[].productCode', item, index, true);
    const quantity = r.line('lines[].quantity', item, index, true);
    const unitPrice = r.line('lines[].unitPrice', item, index, true);
    const optional = {
      serviceStart: r.line('lines[].serviceStart', item, index),
      serviceEnd: r.line('lines[].serviceEnd', item, index),
      chargeType: r.line('lines[].chargeType', item, index) as MappedLine['chargeType'],
      revisesLineId: r.line('lines[].revisesLineId', item, index),
      segmentKey: r.line('lines[].segmentKey', item, index),
    };
    if (lineId && productCode && quantity && unitPrice) {
      lines.push({ index, lineId, productCode, quantity, unitPrice, ...withoutUndefined(optional) });
    }
  });
  const optional = {
    termEnd: r.order('termEnd', record),
    billCycleDay: dayOfMonth(r.order('billCycleDay', record)),
    amendmentType: r.order('amendmentType', record) as MappedOrder['amendmentType'],
    amendedContractRef: r.order('amendedContractRef', record),
    renewedContractRef: r.order('renewedContractRef', record),
  };
  const billingAddress = withoutUndefined({
    line1: r.order('customer.billingAddress.line1', record),
    city: r.order('customer.billingAddress.city', record),
    state: r.order('customer.billingAddress.state', record),
    postalCode: r.order('customer.billingAddress.postalCode', record),
    country: r.order('customer.billingAddress.country', record),
  });
  const customer = {
    billingCustomerId: r.order('customer.billingCustomerId', record),
    erpCustomerId: r.order('customer.erpCustomerId', record),
    currency: r.order('customer.currency', record),
    name: r.order('customer.name', record),
    billingAddress: Object.keys(billingAddress).length > 0 ? billingAddress : undefined,
  };
  const customerId = r.order('customer.customerId', record) ?? salesforceAccountId;
  if (r.problems.length > 0 || !contractId || !orderType || !status || !currency || !termStart) {
    throw new OrderRejected(r.problems);
  }
  if (!salesforceAccountId || !customerId || !isCurrencyCode(currency)) throw new OrderRejected(r.problems);
  return {
    contractId,
    orderType,
    activated: status === 'activated',
    currency,
    termStart,
    billingFrequency,
    billingTiming,
    ...withoutUndefined(optional),
    customer: { customerId, salesforceAccountId, ...withoutUndefined(customer) },
    lines,
  };
}

function dayOfMonth(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
