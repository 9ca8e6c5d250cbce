import { Injectable } from '@nestjs/common';
import { currencyExponent, formatScaled } from '@revline/canonical';
import { userError } from '../errors/netsuite-error';
import type { LedgerLineInput, LedgerLineSchedule } from '../ledger/general-ledger';
import { GeneralLedger } from '../ledger/general-ledger';
import { ACCOUNT } from '../ledger/reference-data';
import type { Currency } from '../ledger/reference-data';
import type { AnyRecordBody, RecordBody, RecordType, Ref } from './record-schemas';
import { amountDue } from './amount-due';
import { RecordStore } from './record-store';
import { ReferenceResolver } from './reference-resolver';

/** A record ready to save: its body with references resolved, and the ledger lines it posts (if any). */
export interface PreparedRecord {
  body: AnyRecordBody;
  lines: LedgerLineInput[] | null;
}

type Line = Omit<LedgerLineInput, 'transaction' | 'transactionType' | 'externalId'>;

const TRANSACTION_TYPE: Partial<Record<RecordType, string>> = {
  invoice: 'CustInvc',
  creditMemo: 'CustCred',
  customerPayment: 'CustPymt',
  journalEntry: 'Journal',
};

export function transactionTypeOf(type: RecordType): string | undefined {
  return TRANSACTION_TYPE[type];
}

/**
 * Turns a validated body into what the account saves: every reference resolved (or the request refused naming
 * the field) and, for a transaction, the balanced general-ledger lines it posts. Nothing is written here.
 */
@Injectable()
export class PrepareRecord {
  constructor(
    private readonly refs: ReferenceResolver,
    private readonly store: RecordStore,
    private readonly ledger: GeneralLedger,
  ) {}

  prepare(type: RecordType, body: AnyRecordBody, id: string, externalId: string | null): PreparedRecord {
    const lines = this.linesOf(type, body, id);
    const transactionType = TRANSACTION_TYPE[type] ?? type;
    const stored = this.withInternalIds(type, body);
    if (type === 'creditMemo' && lines) this.applyToSource(stored as RecordBody<'creditMemo'>, lines, id);
    return {
      body: stored,
      lines: lines?.map((l) => ({ ...l, transaction: id, transactionType, externalId })) ?? null,
    };
  }

  private linesOf(type: RecordType, body: AnyRecordBody, id: string): Line[] | null {
    switch (type) {
      case 'customer': {
        const b = body as RecordBody<'customer'>;
        this.refs.subsidiary(b.subsidiary);
        if (b.currency) this.refs.currency(b.currency);
        return null;
      }
      case 'customrecord_rl_revenue_schedule':
        this.checkSchedule(body as RecordBody<'customrecord_rl_revenue_schedule'>);
        return null;
      case 'serviceSaleItem':
        return null;
      case 'invoice':
        return this.documentLines(body as RecordBody<'invoice'>, 1n);
      case 'creditMemo': {
        const b = body as RecordBody<'creditMemo'>;
        if (b.createdFrom) this.refs.invoice(b.createdFrom, 'createdFrom');
        const lines = this.documentLines(b, -1n);
        this.checkCreditApply(b, lines, id);
        return lines;
      }
      case 'customerPayment':
        return this.paymentLines(body as RecordBody<'customerPayment'>, id);
      case 'journalEntry':
        return this.journalLines(body as RecordBody<'journalEntry'>);
    }
  }

  private header(b: RecordBody<'invoice' | 'journalEntry' | 'customerPayment'>): {
    currency: Currency;
    base: Omit<Line, 'account' | 'debitMinor' | 'creditMinor' | 'class' | 'obligation' | 'entity' | 'memo'>;
  } {
    const currency = this.refs.currency(b.currency);
    const subsidiary = this.refs.subsidiary(b.subsidiary);
    return {
      currency,
      base: {
        currency: currency.symbol,
        exponent: currencyExponent(currency.symbol),
        subsidiary: subsidiary.id,
        postingPeriod: this.refs.period(b.tranDate, b.postingPeriod),
        tranDate: b.tranDate,
        // A line's contract is its own column field, only where it was sent: NetSuite copies no body field onto
        // the lines, and the main (receivable) line and a payment's lines cannot carry a column field at all.
        contract: null,
      },
    };
  }

  /**
   * Invoice (sign 1): Dr receivable, Cr deferred revenue by line, Cr tax payable. A credit memo mirrors it. Tax
   * comes from SuiteTax's tax details (override checked), or, in an account without SuiteTax, from lines naming
   * the sales tax other-charge item, which post to the tax payable.
   */
  private documentLines(b: RecordBody<'invoice'>, sign: 1n | -1n): Line[] {
    const customer = this.refs.customer(b.entity, 'entity');
    const { currency, base } = this.header(b);
    const side = (amount: bigint, credit: boolean) =>
      credit === (sign === 1n)
        ? { debitMinor: 0n, creditMinor: amount }
        : { debitMinor: amount, creditMinor: 0n };
    const lines: Line[] = [];
    let total = 0n;
    let tax = 0n;
    const references = new Map<string, bigint>();
    b.item.items.forEach((item, i) => {
      const amount = this.refs.minor(item.amount, currency, `item.items[${i}].amount`);
      if (item.revRecStartDate && item.revRecEndDate && item.revRecEndDate < item.revRecStartDate)
        throw userError(
          'The Rev. Rec. End Date must be on or after the Rev. Rec. Start Date.',
          `item.items[${i}].revRecEndDate`,
        );
      if (item.taxDetailsReference !== undefined) {
        if (references.has(item.taxDetailsReference))
          throw userError(
            `The tax details reference ${item.taxDetailsReference} is on more than one line.`,
            `item.items[${i}].taxDetailsReference`,
          );
        references.set(item.taxDetailsReference, amount);
      }
      const schedule = this.lineSchedule(item, currency, `item.items[${i}]`);
      if (this.refs.isSalesTaxItem(item.item)) {
        tax += amount;
        return;
      }
      total += amount;
      lines.push({
        ...base,
        ...side(amount, true),
        account: ACCOUNT.deferredRevenue,
        entity: customer.id,
        class: this.refs.segment(item.class),
        contract: item.custcol_rl_contract ?? null,
        obligation: item.custcol_rl_obligation ?? null,
        memo: item.description ?? null,
        ...(schedule ? { schedule } : {}),
      });
    });
    tax += this.suiteTax(b, currency, references);
    if (total + tax === 0n) throw userError('The transaction total must be greater than zero.', 'item');
    if (tax > 0n) {
      lines.push({
        ...base,
        ...side(tax, true),
        account: ACCOUNT.taxPayable,
        entity: customer.id,
        class: null,
        obligation: null,
        memo: 'Tax',
      });
    }
    lines.unshift({
      ...base,
      ...side(total + tax, false),
      account: ACCOUNT.receivable,
      entity: customer.id,
      class: null,
      obligation: null,
      memo: null,
    });
    return lines;
  }

  /**
   * The tax of the Tax Details sublist. The sandbox has no tax engine, so tax details are taken only with the
   * Tax Details Override box checked; each tax line names an item line by its reference, on that line's amount.
   */
  private suiteTax(b: RecordBody<'invoice'>, currency: Currency, references: Map<string, bigint>): bigint {
    const details = b.taxDetails?.items ?? [];
    if (b.taxDetailsOverride !== true) {
      if (details.length > 0)
        throw userError(
          'Tax details are calculated by the tax engine unless taxDetailsOverride is true.',
          'taxDetailsOverride',
        );
      return 0n;
    }
    let tax = 0n;
    details.forEach((d, i) => {
      const at = `taxDetails.items[${i}]`;
      const basis = references.get(d.taxDetailsReference);
      if (basis === undefined)
        throw userError(
          `No item line has the tax details reference ${d.taxDetailsReference}.`,
          `${at}.taxDetailsReference`,
        );
      const type = this.refs.taxType(d.taxType, `${at}.taxType`);
      const code = this.refs.taxCode(d.taxCode, `${at}.taxCode`);
      if (code.taxType !== type.id)
        throw userError(`Tax code ${code.id} is not of tax type ${type.id}.`, `${at}.taxCode`);
      if (this.refs.minor(d.taxBasis, currency, `${at}.taxBasis`) !== basis)
        throw userError('The tax basis differs from the net amount of its line.', `${at}.taxBasis`);
      tax += this.refs.minor(d.taxAmount, currency, `${at}.taxAmount`);
    });
    return tax;
  }

  /** A credit memo's apply lines: invoices of its customer, together no more than the credit memo's total. */
  private checkCreditApply(b: RecordBody<'creditMemo'>, lines: Line[], id: string): void {
    const customer = this.refs.customer(b.entity, 'entity');
    const currency = this.refs.currency(b.currency);
    const total = lines
      .filter((l) => l.account === ACCOUNT.receivable)
      .reduce((sum, l) => sum + l.creditMinor, 0n);
    let applied = 0n;
    (b.apply?.items ?? []).forEach((a, i) => {
      this.applyTarget(a, customer.id, `apply.items[${i}]`, id);
      if (a.apply) applied += this.refs.minor(a.amount, currency, `apply.items[${i}].amount`);
    });
    if (applied > total) throw userError('The amount applied exceeds the credit memo total.', 'apply');
  }

  /**
   * A credit memo made from an invoice and given no apply lines is applied to that invoice, as much as the invoice
   * still asks for; the rest stays the customer's unapplied credit.
   */
  private applyToSource(b: RecordBody<'creditMemo'>, lines: Line[], id: string): void {
    if (!b.createdFrom || (b.apply?.items.length ?? 0) > 0) return;
    const total = lines
      .filter((l) => l.account === ACCOUNT.receivable)
      .reduce((sum, l) => sum + l.creditMinor, 0n);
    const due = amountDue(b.createdFrom.id, { store: this.store, ledger: this.ledger, refs: this.refs }, id);
    const amount = total < due ? total : due;
    if (amount <= 0n) return;
    const symbol = this.refs.currency(b.currency).symbol;
    b.apply = {
      items: [
        {
          doc: { id: b.createdFrom.id },
          line: 0,
          apply: true,
          amount: formatScaled(amount, currencyExponent(symbol)),
        },
      ],
    };
  }

  /**
   * The invoice an apply line names, by internal id and line (an invoice without installments has line 0), of the
   * same customer, applied no more than it still asks for (leaving out the record being rewritten, `self`).
   */
  private applyTarget(
    a: { doc: Ref; line?: number | undefined; apply: boolean; amount: string },
    customerId: string,
    at: string,
    self: string,
  ): void {
    const invoice = this.refs.invoice(a.doc, `${at}.doc`);
    const body = invoice.body as RecordBody<'invoice'>;
    if (body.entity.id !== customerId)
      throw userError(`Invoice ${invoice.id} belongs to another customer.`, `${at}.doc`);
    if ((a.line ?? 0) !== 0)
      throw userError(`Invoice ${invoice.id} has no apply line ${a.line ?? 0}.`, `${at}.line`);
    if (!a.apply) return;
    const due = amountDue(invoice.id, { store: this.store, ledger: this.ledger, refs: this.refs }, self);
    if (this.refs.minor(a.amount, this.refs.currency(body.currency), `${at}.amount`) > due)
      throw userError(`The amount applied exceeds the amount due on invoice ${invoice.id}.`, `${at}.amount`);
  }

  /** Customer payment: Dr cash, Cr receivable; what it applies to must be that customer's invoices. */
  private paymentLines(b: RecordBody<'customerPayment'>, id: string): Line[] {
    const customer = this.refs.customer(b.customer, 'customer');
    const { currency, base } = this.header(b);
    const amount = this.refs.minor(b.payment, currency, 'payment');
    if (amount === 0n) throw userError('The payment amount must be greater than zero.', 'payment');
    let applied = 0n;
    (b.apply?.items ?? []).forEach((a, i) => {
      this.applyTarget(a, customer.id, `apply.items[${i}]`, id);
      if (a.apply) applied += this.refs.minor(a.amount, currency, `apply.items[${i}].amount`);
    });
    if (applied > amount) throw userError('The amount applied exceeds the payment.', 'apply');
    const common = { ...base, entity: customer.id, class: null, obligation: null, memo: b.memo ?? null };
    return [
      { ...common, account: ACCOUNT.cash, debitMinor: amount, creditMinor: 0n },
      { ...common, account: ACCOUNT.receivable, debitMinor: 0n, creditMinor: amount },
    ];
  }

  /** Journal entry: the lines as given, each a debit or a credit, balanced (the ledger checks that). */
  private journalLines(b: RecordBody<'journalEntry'>): Line[] {
    const { currency, base } = this.header(b);
    return b.line.items.map((l, i) => {
      const at = `line.items[${i}]`;
      const debit = l.debit === undefined ? 0n : this.refs.minor(l.debit, currency, `${at}.debit`);
      const credit = l.credit === undefined ? 0n : this.refs.minor(l.credit, currency, `${at}.credit`);
      if ((debit === 0n) === (credit === 0n)) {
        throw userError('Each journal line needs either a debit or a credit amount.', at);
      }
      return {
        ...base,
        account: this.refs.account(l.account, `${at}.account`).id,
        debitMinor: debit,
        creditMinor: credit,
        entity: l.entity ? this.refs.customer(l.entity, `${at}.entity`).id : null,
        class: this.refs.segment(l.class),
        contract: l.custcol_rl_contract ?? null,
        obligation: l.custcol_rl_obligation ?? null,
        memo: l.memo ?? null,
      };
    });
  }

  /** The body with its record references as internal ids (with refName), as the account stores them. */
  private withInternalIds(type: RecordType, body: AnyRecordBody): AnyRecordBody {
    const out = structuredClone(body) as Record<string, unknown>;
    const customerRef = (ref: Ref, field: string): Ref => {
      const c = this.refs.customer(ref, field);
      return { id: c.id, refName: (c.body as RecordBody<'customer'>).companyName };
    };
    if ('subsidiary' in body) {
      const s = this.refs.subsidiary(body.subsidiary);
      out.subsidiary = { id: s.id, refName: s.name };
    }
    if ('currency' in body && body.currency) {
      const c = this.refs.currency(body.currency);
      out.currency = { id: c.id, refName: c.symbol };
    } else if (type === 'customer' && 'subsidiary' in body) {
      // An entity inherits its subsidiary's base currency as its primary currency when none is given.
      const c = this.refs.currencyOf(this.refs.subsidiary(body.subsidiary));
      out.currency = { id: c.id, refName: c.symbol };
    }
    if (type === 'invoice' || type === 'creditMemo') {
      const b = body as RecordBody<'creditMemo'>;
      out.entity = customerRef(b.entity, 'entity');
      if (b.createdFrom) out.createdFrom = { id: this.refs.invoice(b.createdFrom, 'createdFrom').id };
    }
    if (type === 'customerPayment') {
      const b = body as RecordBody<'customerPayment'>;
      out.customer = customerRef(b.customer, 'customer');
    }
    if (type === 'customerPayment' || type === 'creditMemo') {
      const b = body as RecordBody<'customerPayment'>;
      if (b.apply) out.apply = { items: b.apply.items.map((a) => ({ ...a, line: a.line ?? 0 })) };
    }
    if (type === 'journalEntry') {
      const b = body as RecordBody<'journalEntry'>;
      out.line = {
        items: b.line.items.map((l, i) => ({
          ...l,
          account: { id: this.refs.account(l.account, `line.items[${i}].account`).id },
          ...(l.entity ? { entity: customerRef(l.entity, `line.items[${i}].entity`) } : {}),
        })),
      };
    }
    return out as AnyRecordBody;
  }

  private checkSchedule(b: RecordBody<'customrecord_rl_revenue_schedule'>): void {
    const currency = this.refs.currency(b.custrecord_rl_currency, 'custrecord_rl_currency');
    this.checkPeriods(
      currency,
      { text: b.custrecord_rl_periods, field: 'custrecord_rl_periods' },
      { amount: b.custrecord_rl_total, field: 'custrecord_rl_total' },
    );
  }

  /**
   * An item line's revenue plan column fields: all three or none, on a line naming its obligation, the periods JSON
   * text summing to the total.
   */
  private lineSchedule(
    item: RecordBody<'invoice'>['item']['items'][number],
    currency: Currency,
    at: string,
  ): LedgerLineSchedule | undefined {
    const { custcol_rl_schedule_version: version, custcol_rl_schedule_total: total } = item;
    const periods = item.custcol_rl_schedule_periods;
    if (version === undefined && total === undefined && periods === undefined) return undefined;
    if (version === undefined || total === undefined || periods === undefined)
      throw userError(
        'custcol_rl_schedule_version, custcol_rl_schedule_total and custcol_rl_schedule_periods go together.',
        `${at}.custcol_rl_schedule_version`,
      );
    if (!item.custcol_rl_obligation)
      throw userError('A line carrying a schedule must name its obligation.', `${at}.custcol_rl_obligation`);
    this.checkPeriods(
      currency,
      { text: periods, field: `${at}.custcol_rl_schedule_periods` },
      { amount: total, field: `${at}.custcol_rl_schedule_total` },
    );
    return { version, total, periods };
  }

  /** A schedule's periods (JSON text of [{period, amount}]) summing to its total. */
  private checkPeriods(
    currency: Currency,
    text: { text: string; field: string },
    total: { amount: string; field: string },
  ): void {
    let periods: unknown;
    try {
      periods = JSON.parse(text.text);
    } catch {
      throw userError(`${text.field} must be JSON text.`, text.field);
    }
    if (!Array.isArray(periods)) throw userError(`${text.field} must be a JSON array.`, text.field);
    let sum = 0n;
    for (const [i, p] of (periods as unknown[]).entries()) {
      const entry = p as { period?: unknown; amount?: unknown };
      if (
        typeof entry.period !== 'string' ||
        // A month, or a fiscal period of a 4-4-5 / 13-period tenant (the record's field is Revline's own).
        !/^(\d{4}-\d{2}|FY\d{4}-P\d{2})$/.test(entry.period) ||
        typeof entry.amount !== 'string'
      ) {
        throw userError(
          `${text.field}[${i}] needs a period YYYY-MM or FYyyyy-Pnn and an amount string.`,
          text.field,
        );
      }
      sum += this.refs.minor(entry.amount, currency, `${text.field}[${i}].amount`);
    }
    if (sum !== this.refs.minor(total.amount, currency, total.field)) {
      throw userError(`The schedule periods do not sum to ${total.field}.`, total.field);
    }
  }
}
