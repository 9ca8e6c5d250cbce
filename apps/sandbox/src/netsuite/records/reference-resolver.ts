import { Injectable } from '@nestjs/common';
import { currencyExponent, parseDecimal, pow10 } from '@revline/canonical';
import { invalidContent, NetSuiteError } from '../errors/netsuite-error';
import { periodOfId } from '../ledger/accounting-periods';
import type { Currency, LedgerAccount, Subsidiary, TaxCode, TaxType } from '../ledger/reference-data';
import { ACCOUNTS, CURRENCIES, SUBSIDIARIES, TAX_CODES, TAX_TYPES } from '../ledger/reference-data';
import { SALES_TAX_ITEM_EXTERNAL_ID } from '../seed/default-items';
import type { Ref } from './record-schemas';
import type { StoredRecord } from './record-store';
import { RecordStore } from './record-store';

const invalidRef = (field: string, ref: Ref): NetSuiteError =>
  new NetSuiteError(
    400,
    'INVALID_KEY_OR_REF',
    `Invalid ${field} reference key ${ref.id ?? `eid:${ref.externalId ?? ''}`}.`,
    field,
  );

/** Resolves references to internal ids and amounts to exact minor units, or names the field that is wrong. */
@Injectable()
export class ReferenceResolver {
  constructor(private readonly store: RecordStore) {}

  customer(ref: Ref, field: string): StoredRecord {
    const found =
      ref.id !== undefined
        ? this.store.get('customer', ref.id)
        : this.store.findByExternalId('customer', ref.externalId ?? '');
    if (!found) throw invalidRef(field, ref);
    return found;
  }

  invoice(ref: Ref, field: string): StoredRecord {
    const found =
      ref.id !== undefined
        ? this.store.get('invoice', ref.id)
        : this.store.findByExternalId('invoice', ref.externalId ?? '');
    if (!found) throw invalidRef(field, ref);
    return found;
  }

  subsidiary(ref: Ref, field = 'subsidiary'): Subsidiary {
    const found = SUBSIDIARIES.find((s) => s.id === ref.id);
    if (!found) throw invalidRef(field, ref);
    return found;
  }

  currency(ref: Ref, field = 'currency'): Currency {
    const found = CURRENCIES.find(
      (c) => c.id === ref.id || (ref.id === undefined && c.symbol === ref.externalId),
    );
    if (!found) throw invalidRef(field, ref);
    return found;
  }

  /** A subsidiary's base currency. */
  currencyOf(subsidiary: Subsidiary): Currency {
    const found = CURRENCIES.find((c) => c.id === subsidiary.currency);
    if (!found) throw new Error(`Subsidiary ${subsidiary.id} has no base currency in the reference data`);
    return found;
  }

  account(ref: Ref, field: string): LedgerAccount {
    const found = ACCOUNTS.find(
      (a) => a.id === ref.id || (ref.id === undefined && a.acctnumber === ref.externalId),
    );
    if (!found) throw invalidRef(field, ref);
    return found;
  }

  taxType(ref: Ref, field: string): TaxType {
    const found = TAX_TYPES.find((t) => t.id === ref.id);
    if (!found) throw invalidRef(field, ref);
    return found;
  }

  taxCode(ref: Ref, field: string): TaxCode {
    const found = TAX_CODES.find((t) => t.id === ref.id);
    if (!found) throw invalidRef(field, ref);
    return found;
  }

  /** Whether an item line's item is the other-charge item tax is charged through without SuiteTax. */
  isSalesTaxItem(ref: Ref): boolean {
    if (ref.externalId !== undefined) return ref.externalId === SALES_TAX_ITEM_EXTERNAL_ID;
    return this.store.findByExternalId('serviceSaleItem', SALES_TAX_ITEM_EXTERNAL_ID)?.id === ref.id;
  }

  /** A free-form classification (class, item): its id, or its external id. */
  segment(ref: Ref | undefined): string | null {
    return ref ? (ref.id ?? ref.externalId ?? null) : null;
  }

  /** The `YYYY-MM` ledger period: the tran date's, or the base accounting period named by internal id. */
  period(tranDate: string, ref: Ref | undefined): string {
    const period = ref
      ? /^\d+$/.test(ref.id ?? '')
        ? periodOfId(Number(ref.id))
        : undefined
      : tranDate.slice(0, 7);
    if (!period || !/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
      throw new NetSuiteError(
        400,
        'INVALID_KEY_OR_REF',
        `Invalid postingPeriod reference key ${ref?.id ?? period ?? ''}.`,
        'postingPeriod',
      );
    }
    return period;
  }

  /** An exact amount in the currency's minor units; more decimals than the currency has is refused. */
  minor(amount: string, currency: Currency, field: string): bigint {
    const exponent = currencyExponent(currency.symbol);
    const parsed = parseDecimal(amount);
    if (parsed.scale > exponent) {
      throw invalidContent(`The amount ${amount} has more decimals than ${currency.symbol} allows.`, field);
    }
    return parsed.units * pow10(exponent - parsed.scale);
  }
}
