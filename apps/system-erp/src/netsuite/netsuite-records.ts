import { currencyExponent, formatScaled } from '@revline/canonical';
import type {
  ErpCustomer,
  ErpDocument,
  ErpLineSchedule,
  ErpPayment,
  ErpPeriodJournal,
  ErpPeriodJournalAccount,
  ErpRevenueJournal,
  ErpRevenueSchedule,
} from '@revline/erp-port';

/** The ids a record body needs that only the account knows. */
export interface Ids {
  subsidiary: string;
  currency: string;
}

export interface GlAccounts {
  deferredRevenue: string;
  revenue: string;
  unbilledReceivable: string;
}

/** NetSuite takes amounts as JSON numbers; the decimal text is exact, so the number prints back the same. */
export function amountOf(minor: string | bigint, currency: string): number {
  return Number(formatScaled(BigInt(minor), currencyExponent(currency)));
}

/** The last day of a YYYY-MM period. */
export function periodEnd(period: string): string {
  const [year = 0, month = 0] = period.split('-').map(Number);
  const day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${period}-${String(day).padStart(2, '0')}`;
}

export function customerBody(c: ErpCustomer, ids: Ids): Record<string, unknown> {
  return {
    companyName: c.name,
    ...(c.email ? { email: c.email } : {}),
    subsidiary: { id: ids.subsidiary },
    currency: { id: ids.currency },
    ...(c.address ? { addressBook: { items: [addressBookEntry(c.address)] } } : {}),
  };
}

/**
 * The customer's default billing address as a line of its address book sublist (the address is a subrecord, set
 * within the customer); NetSuite's country field takes the ISO 3166-1 alpha-2 code as its id.
 */
function addressBookEntry(a: NonNullable<ErpCustomer['address']>): Record<string, unknown> {
  return {
    defaultBilling: true,
    defaultShipping: false,
    addressBookAddress: {
      ...(a.line1 ? { addr1: a.line1 } : {}),
      ...(a.city ? { city: a.city } : {}),
      ...(a.state ? { state: a.state } : {}),
      ...(a.postalCode ? { zip: a.postalCode } : {}),
      ...(a.country ? { country: { id: a.country } } : {}),
    },
  };
}

/** How an account takes tax (NETSUITE_TAX_MODE and the ids it needs). */
export interface TaxSettings {
  mode: 'suitetax' | 'tax_item';
  taxTypeId: string;
  taxCodeId: string;
  taxItemExternalId: string;
}

/** A line's tax rate in percent, to four decimals, from its amount and tax in minor units. */
function taxRate(amountMinor: bigint, taxMinor: bigint): number {
  if (amountMinor === 0n) return 0;
  const scaled = (taxMinor * 1_000_000n * 2n + amountMinor) / (amountMinor * 2n);
  return Number(formatScaled(scaled, 4));
}

/**
 * An invoice's or credit memo's lines and tax. REST web services take no legacy tax fields (`tax1Amt`): with
 * SuiteTax, the Tax Details Override box is checked (so the tax engine does not recompute what billing charged) and
 * each taxed line gets a tax details line naming it by `taxDetailsReference`; without SuiteTax, the tax is one
 * more line to the other-charge item whose income account is the sales tax payable.
 */
function documentLines(d: ErpDocument, tax: TaxSettings): Record<string, unknown> {
  const taxed = (l: ErpDocument['lines'][number]) => l.taxMinor !== undefined && BigInt(l.taxMinor) > 0n;
  const reference = (i: number) => `RL-${i + 1}`;
  const items: Array<Record<string, unknown>> = d.lines.map((l, i) => ({
    item: { externalId: l.itemExternalId },
    amount: amountOf(l.amountMinor, d.currency),
    ...(tax.mode === 'suitetax' && taxed(l) ? { taxDetailsReference: reference(i) } : {}),
    ...(l.description ? { description: l.description } : {}),
    ...(l.productClass ? { class: { externalId: l.productClass } } : {}),
    // The contract on each line too: the line's column field is what per-contract ledger reads group by (the
    // header's custbody_rl_contract is not copied onto the lines).
    ...(d.contractId ? { custcol_rl_contract: d.contractId } : {}),
    ...(l.obligationId ? { custcol_rl_obligation: l.obligationId } : {}),
    ...(l.serviceStart ? { revRecStartDate: l.serviceStart } : {}),
    ...(l.serviceEnd ? { revRecEndDate: l.serviceEnd } : {}),
    ...(l.revenueSchedule ? lineScheduleColumns(l.revenueSchedule, d.currency) : {}),
  }));
  if (tax.mode === 'tax_item') {
    const total = d.lines.reduce((sum, l) => sum + BigInt(l.taxMinor ?? '0'), 0n);
    if (total > 0n)
      items.push({
        item: { externalId: tax.taxItemExternalId },
        amount: amountOf(total, d.currency),
        description: 'Tax',
      });
    return { item: { items } };
  }
  const details = d.lines.flatMap((l, i) =>
    taxed(l)
      ? [
          {
            taxDetailsReference: reference(i),
            taxType: { id: tax.taxTypeId },
            taxCode: { id: tax.taxCodeId },
            taxBasis: amountOf(l.amountMinor, d.currency),
            taxRate: taxRate(BigInt(l.amountMinor), BigInt(l.taxMinor ?? '0')),
            taxAmount: amountOf(l.taxMinor ?? '0', d.currency),
          },
        ]
      : [],
  );
  return {
    item: { items },
    taxDetailsOverride: true,
    ...(details.length > 0 ? { taxDetails: { items: details } } : {}),
  };
}

/**
 * The revenue plan an invoice item line carries, as Revline's custom column fields beside NetSuite's own
 * Rev. Rec. Start and End Dates: the schedule version (an integer field), its total (decimal text, as the schedule
 * record's `custrecord_rl_total`) and its periods (long text: the JSON of `custrecord_rl_periods`). The line's
 * `custcol_rl_contract` and `custcol_rl_obligation` name whose schedule it is.
 */
export function lineScheduleColumns(s: ErpLineSchedule, currency: string): Record<string, unknown> {
  const exponent = currencyExponent(currency);
  const total = s.periods.reduce((sum, p) => sum + BigInt(p.amountMinor), 0n);
  return {
    custcol_rl_schedule_version: s.scheduleVersion,
    custcol_rl_schedule_total: formatScaled(total, exponent),
    custcol_rl_schedule_periods: periodsText(s.periods, exponent),
  };
}

/** A schedule's periods as the JSON text both the schedule record and an invoice line carry. */
function periodsText(periods: ErpLineSchedule['periods'], exponent: number): string {
  return JSON.stringify(
    periods.map((p) => ({ period: p.period, amount: formatScaled(BigInt(p.amountMinor), exponent) })),
  );
}

/** An invoice, or a credit memo that applies to no invoice (one that does is made by transforming it). */
export function documentBody(d: ErpDocument, ids: Ids, tax: TaxSettings): Record<string, unknown> {
  return {
    entity: { externalId: d.customerExternalId },
    tranDate: d.tranDate,
    subsidiary: { id: ids.subsidiary },
    currency: { id: ids.currency },
    ...(d.contractId ? { custbody_rl_contract: d.contractId } : {}),
    ...(d.memo ? { memo: d.memo } : {}),
    ...documentLines(d, tax),
  };
}

/** The sublists a credit memo transformed from its invoice replaces with its own lines (`?replace=`). */
export const CREDIT_MEMO_REPLACED_SUBLISTS = ['item', 'taxDetails'] as const;

/**
 * The body of `POST invoice/<id>/!transform/creditMemo` for a credit note on that invoice: the credit note's own
 * lines and tax (the invoice's replaced). The transform links the credit memo to the invoice and applies it there,
 * as much as the invoice still asks for (the rest stays the customer's unapplied credit), so no apply line is sent:
 * one naming more than the invoice's amount due would be refused.
 */
export function creditMemoTransformBody(d: ErpDocument, tax: TaxSettings): Record<string, unknown> {
  return {
    externalId: d.externalId,
    tranDate: d.tranDate,
    ...(d.contractId ? { custbody_rl_contract: d.contractId } : {}),
    ...(d.memo ? { memo: d.memo } : {}),
    ...documentLines(d, tax),
  };
}

/** A customer payment; `invoiceIds` gives each applied invoice's internal id by its external id. */
export function paymentBody(
  p: ErpPayment,
  ids: Ids,
  invoiceIds: ReadonlyMap<string, string>,
): Record<string, unknown> {
  return {
    customer: { externalId: p.customerExternalId },
    tranDate: p.tranDate,
    subsidiary: { id: ids.subsidiary },
    currency: { id: ids.currency },
    payment: amountOf(p.amountMinor, p.currency),
    ...(p.contractId ? { custbody_rl_contract: p.contractId } : {}),
    apply: {
      items: p.appliesTo.map((a) => {
        const id = invoiceIds.get(a.invoiceExternalId);
        if (!id) throw new Error(`No internal id for invoice ${a.invoiceExternalId}`);
        // An invoice without installments has one apply line, line 0.
        return { doc: { id }, line: 0, apply: true, amount: amountOf(a.amountMinor, p.currency) };
      }),
    },
  };
}

export function scheduleBody(s: ErpRevenueSchedule, currencyId: string): Record<string, unknown> {
  const total = s.periods.reduce((sum, p) => sum + BigInt(p.amountMinor), 0n);
  const exponent = currencyExponent(s.currency);
  return {
    name: `${s.contractId} / ${s.obligationId} v${s.scheduleVersion}`,
    custrecord_rl_contract: s.contractId,
    custrecord_rl_obligation: s.obligationId,
    custrecord_rl_version: s.scheduleVersion,
    custrecord_rl_currency: { id: currencyId },
    custrecord_rl_total: formatScaled(total, exponent),
    custrecord_rl_periods: periodsText(s.periods, exponent),
  };
}

/**
 * Recognition moves deferred revenue to revenue; a contract-asset journal moves revenue recognised ahead of billing
 * from deferred revenue to the unbilled receivable (so deferred revenue stays ≥ 0). A negative amount moves it back.
 */
export function revenueJournalBody(
  j: ErpRevenueJournal,
  ids: Ids,
  accounts: GlAccounts,
): Record<string, unknown> {
  const minor = BigInt(j.amount.amountMinor);
  const amount = amountOf(minor < 0n ? -minor : minor, j.amount.currency);
  const asset = j.kind === 'contract_asset';
  const [from, to] = asset
    ? [accounts.deferredRevenue, accounts.unbilledReceivable]
    : [accounts.deferredRevenue, accounts.revenue];
  // Recognition debits deferred revenue and credits revenue; the contract asset debits the unbilled receivable.
  const [debit, credit] = minor >= 0n !== asset ? [from, to] : [to, from];
  const common = {
    class: { externalId: j.productClass },
    custcol_rl_contract: j.contractId,
    custcol_rl_obligation: j.obligationId,
    memo: asset
      ? `Unbilled receivable ${j.period}, ${j.contractId}, schedule v${j.scheduleVersion}`
      : `Revenue ${j.period}, ${j.contractId} / ${j.obligationId}, schedule v${j.scheduleVersion}`,
  };
  return {
    tranDate: j.tranDate ?? periodEnd(j.period),
    subsidiary: { id: ids.subsidiary },
    currency: { id: ids.currency },
    custbody_rl_contract: j.contractId,
    memo: common.memo,
    line: {
      items: [
        { account: { id: debit }, debit: amount, ...common },
        { account: { id: credit }, credit: amount, ...common },
      ],
    },
  };
}

/**
 * A period close's journal as NetSuite's journalEntry: dated the period's last day (a fiscal period's `periodEnd`),
 * its lines as given, each a debit or a credit to the configured account it names; revenue lines carry their product
 * class, detail lines their contract and obligation column fields (a summary line carries none).
 */
export function periodJournalBody(
  j: ErpPeriodJournal,
  ids: Ids,
  accounts: GlAccounts,
): Record<string, unknown> {
  const account: Record<ErpPeriodJournalAccount, string> = {
    deferred_revenue: accounts.deferredRevenue,
    revenue: accounts.revenue,
    unbilled_receivable: accounts.unbilledReceivable,
  };
  return {
    tranDate: j.periodEnd ?? periodEnd(j.period),
    subsidiary: { id: ids.subsidiary },
    currency: { id: ids.currency },
    memo: j.memo,
    line: {
      items: j.lines.map((l) => ({
        account: { id: account[l.account] },
        ...(l.debitMinor === undefined ? {} : { debit: amountOf(l.debitMinor, j.currency) }),
        ...(l.creditMinor === undefined ? {} : { credit: amountOf(l.creditMinor, j.currency) }),
        ...(l.productClass ? { class: { externalId: l.productClass } } : {}),
        ...(l.contractId ? { custcol_rl_contract: l.contractId } : {}),
        ...(l.obligationId ? { custcol_rl_obligation: l.obligationId } : {}),
        memo: l.memo ?? j.memo,
      })),
    },
  };
}
