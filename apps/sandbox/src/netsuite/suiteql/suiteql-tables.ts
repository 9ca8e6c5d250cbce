import { Injectable } from '@nestjs/common';
import { currencyExponent, parseDecimal, pow10 } from '@revline/canonical';
import { periodId, periodsOfYear, SETUP_YEARS } from '../ledger/accounting-periods';
import { GeneralLedger } from '../ledger/general-ledger';
import { ACCOUNT, ACCOUNTS, CURRENCIES, SUBSIDIARIES } from '../ledger/reference-data';
import { transactionTypeOf } from '../records/prepare-record';
import type { RecordBody, RecordType } from '../records/record-schemas';
import { RecordStore } from '../records/record-store';
import type { Amount, Row, Table } from './suiteql-engine';

const currencySymbol = (id: string | undefined): string =>
  CURRENCIES.find((c) => c.id === id)?.symbol ?? 'USD';

function amount(decimal: string, symbol: string): Amount {
  const exponent = currencyExponent(symbol);
  const parsed = parseDecimal(decimal);
  return { minor: (parsed.units * pow10(exponent)) / pow10(parsed.scale), exponent };
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const tax = (lines: ReadonlyArray<{ account: string; debitMinor: bigint; creditMinor: bigint }>): bigint =>
  lines
    .filter((l) => l.account === ACCOUNT.taxPayable)
    .reduce((s, l) => s + l.creditMinor - l.debitMinor, 0n);

const TRANSACTION_RECORDS: RecordType[] = ['invoice', 'creditMemo', 'customerPayment', 'journalEntry'];

/** The accounting book every sandbox ledger line is in (the sandbox keeps a single, primary book). */
export const PRIMARY_BOOK = 1;

/**
 * The tables SuiteQL reads, as views over the account's records and ledger, with NetSuite's columns only: the
 * accounting lines (`transactionaccountingline`) carry account, book and amounts; header fields are on
 * `transaction` and segments and column fields on `transactionline`, reached by joins as in NetSuite. Internal ids
 * are numbers, so they compare and sort as NetSuite's integer ids do. An accounting line's `amount` is in the
 * book's base currency and a transaction line's `foreignamount` in the transaction's; the sandbox keeps no exchange
 * rates, so the two are the same figure here.
 */
@Injectable()
export class SuiteQlTables {
  constructor(
    private readonly store: RecordStore,
    private readonly ledger: GeneralLedger,
  ) {}

  tables(): Record<string, Table> {
    return {
      transactionaccountingline: {
        columns: [
          'account',
          'accountingbook',
          'amount',
          'credit',
          'debit',
          'posting',
          'transaction',
          'transactionline',
        ],
        rows: () =>
          this.ledger.lines().map((l): Row => ({
            account: l.account,
            accountingbook: PRIMARY_BOOK,
            amount: { minor: l.debitMinor - l.creditMinor, exponent: l.exponent },
            credit: l.creditMinor === 0n ? null : { minor: l.creditMinor, exponent: l.exponent },
            debit: l.debitMinor === 0n ? null : { minor: l.debitMinor, exponent: l.exponent },
            posting: 'T',
            transaction: Number(l.transaction),
            transactionline: l.line,
          })),
      },
      transactionline: {
        columns: [
          'id',
          'transaction',
          'linesequencenumber',
          'entity',
          'subsidiary',
          'class',
          'memo',
          'custcol_rl_contract',
          'custcol_rl_obligation',
          'custcol_rl_schedule_version',
          'custcol_rl_schedule_total',
          'custcol_rl_schedule_periods',
          'foreignamount',
        ],
        rows: () =>
          this.ledger.lines().map((l): Row => ({
            id: l.line,
            transaction: Number(l.transaction),
            linesequencenumber: l.line,
            entity: l.entity,
            subsidiary: l.subsidiary,
            class: l.class,
            memo: l.memo,
            custcol_rl_contract: l.contract,
            custcol_rl_obligation: l.obligation,
            custcol_rl_schedule_version: l.schedule ? String(l.schedule.version) : null,
            custcol_rl_schedule_total: l.schedule ? amount(l.schedule.total, l.currency) : null,
            custcol_rl_schedule_periods: l.schedule?.periods ?? null,
            // The line's amount in the transaction's currency, debits positive.
            foreignamount: { minor: l.debitMinor - l.creditMinor, exponent: l.exponent },
          })),
      },
      accountingbook: {
        columns: ['id', 'name', 'isprimary'],
        rows: () => [{ id: PRIMARY_BOOK, name: 'Primary Accounting Book', isprimary: 'T' }],
      },
      transaction: {
        columns: [
          'id',
          'externalid',
          'type',
          'recordtype',
          'trandate',
          'postingperiod',
          'entity',
          'currency',
          'foreigntotal',
          'taxtotal',
          'custbody_rl_contract',
          'memo',
          'createddate',
          'lastmodifieddate',
        ],
        rows: () => TRANSACTION_RECORDS.flatMap((type) => this.transactions(type)),
      },
      customer: {
        columns: ['id', 'externalid', 'companyname', 'email', 'subsidiary', 'currency'],
        rows: () =>
          this.store.all('customer').map((r) => {
            const b = r.body as RecordBody<'customer'>;
            return {
              id: r.id,
              externalid: r.externalId,
              companyname: b.companyName,
              email: b.email ?? null,
              subsidiary: b.subsidiary.id ?? null,
              currency: b.currency?.id ?? null, // always stored: defaulted from the subsidiary on save
            };
          }),
      },
      customrecord_rl_revenue_schedule: {
        columns: [
          'id',
          'externalid',
          'name',
          'custrecord_rl_contract',
          'custrecord_rl_obligation',
          'custrecord_rl_version',
          'custrecord_rl_currency',
          'custrecord_rl_total',
          'custrecord_rl_periods',
        ],
        rows: () =>
          this.store.all('customrecord_rl_revenue_schedule').map((r) => {
            const b = r.body as RecordBody<'customrecord_rl_revenue_schedule'>;
            return {
              id: r.id,
              externalid: r.externalId,
              name: b.name,
              custrecord_rl_contract: b.custrecord_rl_contract,
              custrecord_rl_obligation: b.custrecord_rl_obligation,
              custrecord_rl_version: String(b.custrecord_rl_version),
              custrecord_rl_currency: b.custrecord_rl_currency.id ?? null,
              custrecord_rl_total: amount(b.custrecord_rl_total, currencySymbol(b.custrecord_rl_currency.id)),
              custrecord_rl_periods: b.custrecord_rl_periods,
            };
          }),
      },
      item: {
        columns: ['id', 'externalid', 'itemid', 'displayname', 'itemtype', 'isinactive'],
        rows: () =>
          this.store.all('serviceSaleItem').map((r) => {
            const b = r.body as RecordBody<'serviceSaleItem'>;
            return {
              id: r.id,
              externalid: r.externalId,
              itemid: b.itemId,
              displayname: b.displayName ?? null,
              itemtype: 'Service',
              isinactive: b.isInactive === true ? 'T' : 'F',
            };
          }),
      },
      currency: { columns: ['id', 'symbol', 'name'], rows: () => CURRENCIES.map((c) => ({ ...c })) },
      subsidiary: { columns: ['id', 'name', 'currency'], rows: () => SUBSIDIARIES.map((s) => ({ ...s })) },
      account: {
        columns: ['id', 'acctnumber', 'acctname', 'accttype'],
        rows: () => ACCOUNTS.map((a) => ({ ...a })),
      },
      accountingperiod: {
        columns: [
          'id',
          'periodname',
          'startdate',
          'enddate',
          'isyear',
          'isquarter',
          'isadjust',
          'isposting',
          'parent',
          'closed',
        ],
        rows: () => {
          // A loop, not Math.min(...years): a ledger of a million lines would overflow the call stack.
          let first: number = SETUP_YEARS.first;
          let last: number = SETUP_YEARS.last;
          for (const line of this.ledger.lines()) {
            const year = Number(line.postingPeriod.slice(0, 4));
            if (year < first) first = year;
            if (year > last) last = year;
          }
          const rows: Row[] = [];
          for (let year = first; year <= last; year++) {
            for (const { months, ...period } of periodsOfYear(year)) {
              const closed = months.every((m) => this.ledger.isClosed(m));
              rows.push({ ...period, closed: closed ? 'T' : 'F' });
            }
          }
          return rows;
        },
      },
    };
  }

  /** The account's revision: a query's answer holds as long as it does not change. */
  revision(): string {
    return `${String(this.store.revision)}:${String(this.ledger.revision)}`;
  }

  private transactions(type: RecordType): Row[] {
    return this.store.all(type).map((r) => {
      const b = r.body as RecordBody<'invoice'>;
      const own = this.ledger.linesOf(r.id);
      const symbol = currencySymbol(b.currency.id);
      const receivable = own.find((l) => l.account === '2' || l.account === '1');
      const total =
        type === 'journalEntry'
          ? own.reduce((s, l) => s + l.debitMinor, 0n)
          : receivable
            ? receivable.debitMinor + receivable.creditMinor
            : 0n;
      const entity =
        type === 'customerPayment'
          ? (r.body as RecordBody<'customerPayment'>).customer.id
          : type === 'journalEntry'
            ? undefined
            : b.entity.id;
      return {
        id: Number(r.id),
        externalid: r.externalId,
        type: transactionTypeOf(type) ?? type,
        recordtype: type,
        trandate: b.tranDate,
        postingperiod: periodId(own[0]?.postingPeriod ?? b.tranDate.slice(0, 7)),
        entity: entity ?? null,
        currency: b.currency.id ?? null,
        foreigntotal: { minor: total, exponent: currencyExponent(symbol) },
        // The tax total of an invoice or credit memo (its tax payable line; 0 when untaxed), as a positive amount.
        taxtotal:
          type === 'invoice' || type === 'creditMemo'
            ? { minor: abs(tax(own)), exponent: currencyExponent(symbol) }
            : null,
        custbody_rl_contract: b.custbody_rl_contract ?? null,
        memo: b.memo ?? null,
        createddate: r.createdDate,
        lastmodifieddate: r.lastModifiedDate,
      };
    });
  }
}
