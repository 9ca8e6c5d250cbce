import { Injectable } from '@nestjs/common';
import { moneyFromMajor } from '@revline/canonical';
import type {
  ErpContractBalanceRow,
  ErpContractBalances,
  ErpCustomer,
  ErpDocument,
  ErpDocumentKind,
  ErpDocumentSummary,
  ErpInvoiceVoid,
  ErpPayment,
  ErpPeriodJournal,
  ErpPostingResult,
  ErpRecordKind,
  ErpRevenueJournal,
  ErpPostingWindow,
  ErpRevenuePosting,
  ErpRevenueSchedule,
} from '@revline/erp-port';
import {
  ERP_EXTERNAL_ID,
  ErpPort,
  ErpRejectedError,
  ErpUnavailableError,
  windowLabel,
} from '@revline/erp-port';
import { NetSuiteConfig } from './netsuite.config';
import { NetSuiteClient } from './netsuite-client';
import {
  checkExternalId,
  creditMemoFromInvoice,
  invoiceIdOf,
  voidByCreditMemo,
} from './netsuite-invoice-void';
import type { GlAccounts, TaxSettings } from './netsuite-records';
import {
  CREDIT_MEMO_REPLACED_SUBLISTS,
  creditMemoTransformBody,
  customerBody,
  documentBody,
  paymentBody,
  periodJournalBody,
  revenueJournalBody,
  scheduleBody,
} from './netsuite-records';
import { NetSuiteReferences } from './netsuite-references';
import type { SuiteQlRow } from './netsuite-suiteql';
import { SUITEQL_MAX_RESULTS, sqlDate, sqlText, suiteQlRows, suiteQlSlices } from './netsuite-suiteql';

const RECORD_TYPE: Record<ErpRecordKind, string> = {
  customer: 'customer',
  invoice: 'invoice',
  creditMemo: 'creditMemo',
  payment: 'customerPayment',
  revenueSchedule: 'customrecord_rl_revenue_schedule',
  revenueJournal: 'journalEntry',
  periodJournal: 'journalEntry',
};

const TRANSACTION_TYPE: Record<ErpDocumentKind, string> = {
  invoice: 'CustInvc',
  creditMemo: 'CustCred',
  payment: 'CustPymt',
  revenueJournal: 'Journal',
};

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/** An internal id read back from NetSuite, as a SuiteQL number. */
function idNumber(id: string): string {
  if (!/^\d+$/.test(id)) throw new ErpUnavailableError(`NetSuite answered a non-numeric internal id ${id}`);
  return id;
}

/** The sublists of the records Revline upserts (invoice and credit memo items and tax, payment applies, lines). */
const SUBLISTS = new Set(['item', 'taxDetails', 'apply', 'line', 'addressBook']);

function checkPeriod(period: string): string {
  if (!PERIOD.test(period))
    throw new ErpRejectedError('validation', 'INVALID_PERIOD', `${period} is not a period YYYY-MM`, 'period');
  return period;
}

/**
 * The general ledger as SuiteQL reads it: an accounting line (account, book) with its transaction's header fields
 * (`t`: posting period, currency) and its transaction line's segments, column fields and amount (`tl`), in the
 * primary accounting book only (a multi-book account has a line per book), posting lines only. Amounts are summed
 * from `tl.foreignamount`, in the transaction's currency: `tal.amount` is in the subsidiary's base currency, which
 * differs for a transaction in a foreign currency.
 */
const LEDGER =
  'FROM transactionaccountingline tal ' +
  'JOIN transaction t ON t.id = tal.transaction ' +
  'JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline ' +
  'JOIN accountingbook ab ON ab.id = tal.accountingbook ';
const POSTED_IN_PRIMARY_BOOK = "ab.isprimary = 'T' AND tal.posting = 'T'";
/** The ledger up to a period's end: its lines' posting periods, by their start date. */
const LEDGER_WITH_PERIODS = `${LEDGER}JOIN accountingperiod ap ON ap.id = t.postingperiod `;
const asOf = (period: string) => `ap.startdate <= ${sqlDate(`${checkPeriod(period)}-01`)}`;

/**
 * NetSuite behind the ERP port. Every write is `PUT /services/rest/record/v1/<type>/eid:<externalId>`, an upsert:
 * a retry after a lost response updates the record it created instead of adding a second. Reads for
 * reconciliation are SuiteQL over transactions and their accounting lines.
 */
@Injectable()
export class NetSuiteErpAdapter extends ErpPort {
  readonly system = 'netsuite';

  /** The cap on one SuiteQL query's results the reads keep within: NetSuite's (lowered only by tests). */
  suiteQlMaxResults = SUITEQL_MAX_RESULTS;

  constructor(
    private readonly client: NetSuiteClient,
    private readonly refs: NetSuiteReferences,
    private readonly config: NetSuiteConfig,
  ) {
    super();
  }

  /** Accounting period internal ids by `YYYY-MM` (periods are set up once and keep their ids). */
  private readonly periodIds = new Map<string, Promise<string>>();

  /** The internal id of the base accounting period of a `YYYY-MM` month (NetSuite names periods by id). */
  private periodId(period: string): Promise<string> {
    checkPeriod(period);
    let id = this.periodIds.get(period);
    if (!id) {
      id = suiteQlRows(
        this.client,
        `SELECT id FROM accountingperiod WHERE startdate = ${sqlDate(`${period}-01`)} ` +
          "AND isyear = 'F' AND isquarter = 'F' AND isadjust = 'F'",
      ).then((rows) => {
        const id = rows.length === 1 ? rows.at(0)?.id : undefined;
        if (!id) {
          throw new ErpRejectedError(
            'validation',
            'UNKNOWN_PERIOD',
            `NetSuite has ${rows.length === 0 ? 'no' : 'more than one'} accounting period starting ${period}-01`,
            'period',
          );
        }
        return id;
      });
      id.catch(() => this.periodIds.delete(period));
      this.periodIds.set(period, id);
    }
    return id;
  }

  async upsertCustomer(customer: ErpCustomer): Promise<ErpPostingResult> {
    const ids = {
      subsidiary: this.refs.subsidiaryId(customer.subsidiary),
      currency: await this.refs.currencyId(customer.currency),
    };
    return this.upsert('customer', customer.externalId, customerBody(customer, ids));
  }

  async postInvoice(invoice: ErpDocument): Promise<ErpPostingResult> {
    return this.upsert(
      'invoice',
      invoice.externalId,
      documentBody(invoice, await this.ids(invoice), this.tax()),
    );
  }

  /**
   * A credit memo for a credit note. One that applies to an invoice is made from it, as REST web services
   * document (`POST invoice/<id>/!transform/creditMemo`, its lines and tax replaced by the credit note's), so it is
   * linked to the invoice and applied to it. An invoice NetSuite no longer lets be credited (paid or credited in
   * full: INVALID_INITIALIZE_REF) gets a standalone credit memo, the customer's unapplied credit.
   */
  async postCreditMemo(creditMemo: ErpDocument): Promise<ErpPostingResult> {
    const standalone = async () =>
      this.upsert(
        'creditMemo',
        creditMemo.externalId,
        documentBody(creditMemo, await this.ids(creditMemo), this.tax()),
      );
    const invoiceExternalId = creditMemo.appliesToExternalId;
    if (!invoiceExternalId) return standalone();
    checkExternalId(creditMemo.externalId, 'externalId');
    await this.ids(creditMemo); // the subsidiary and currency are known before anything is sent
    try {
      return await creditMemoFromInvoice(
        this.client,
        invoiceExternalId,
        creditMemo.externalId,
        () => creditMemoTransformBody(creditMemo, this.tax()),
        CREDIT_MEMO_REPLACED_SUBLISTS,
      );
    } catch (error) {
      if (error instanceof ErpRejectedError && error.vendorCode === 'INVALID_INITIALIZE_REF')
        return standalone();
      throw error;
    }
  }

  async voidInvoice(reversal: ErpInvoiceVoid): Promise<ErpPostingResult> {
    return voidByCreditMemo(this.client, reversal);
  }

  /** A customer payment, applied to invoices by their internal ids (looked up by external id). */
  async postPayment(payment: ErpPayment): Promise<ErpPostingResult> {
    const ids = await this.ids(payment);
    const invoiceIds = new Map<string, string>();
    for (const a of payment.appliesTo)
      if (!invoiceIds.has(a.invoiceExternalId))
        invoiceIds.set(
          a.invoiceExternalId,
          await invoiceIdOf(this.client, a.invoiceExternalId, 'appliesTo.invoiceExternalId'),
        );
    return this.upsert('payment', payment.externalId, paymentBody(payment, ids, invoiceIds));
  }

  async upsertRevenueSchedule(schedule: ErpRevenueSchedule): Promise<ErpPostingResult> {
    const body = scheduleBody(schedule, await this.refs.currencyId(schedule.currency));
    return this.upsert('revenueSchedule', schedule.externalId, body);
  }

  async postRevenueJournal(journal: ErpRevenueJournal): Promise<ErpPostingResult | null> {
    checkPeriod(journal.period);
    if (BigInt(journal.amount.amountMinor) === 0n) {
      await this.removeIfPresent('revenueJournal', journal.externalId);
      return null;
    }
    const ids = {
      subsidiary: this.refs.subsidiaryId(journal.subsidiary),
      currency: await this.refs.currencyId(journal.amount.currency),
    };
    return this.upsert(
      'revenueJournal',
      journal.externalId,
      revenueJournalBody(journal, ids, this.glAccounts()),
    );
  }

  async postPeriodJournal(journal: ErpPeriodJournal): Promise<ErpPostingResult> {
    // A fiscal period posts by its last day: NetSuite files the journal in the accounting period holding it.
    if (journal.periodEnd === undefined) checkPeriod(journal.period);
    const body = periodJournalBody(journal, await this.ids(journal), this.glAccounts());
    try {
      return await this.upsert('periodJournal', journal.externalId, body);
    } catch (error) {
      // The refusal names the period in Revline's terms, whatever NetSuite calls it.
      if (!(error instanceof ErpRejectedError && error.category === 'closed_period')) throw error;
      const message = `Period ${journal.period} is closed in NetSuite: ${error.message}`;
      throw new ErpRejectedError('closed_period', error.vendorCode, message, error.field);
    }
  }

  async *exportDocuments(
    kind: ErpDocumentKind,
    window: ErpPostingWindow,
  ): AsyncIterable<ErpDocumentSummary[]> {
    const period = windowLabel(window);
    const within = await this.within(window);
    const query = (after: string | null) =>
      'SELECT t.id, t.externalid, t.trandate, t.entity, t.custbody_rl_contract, t.currency, t.foreigntotal, t.taxtotal ' +
      'FROM transaction t ' +
      `WHERE t.type = ${sqlText(TRANSACTION_TYPE[kind])} AND ${within} ` +
      (after === null ? '' : `AND t.id > ${idNumber(after)} `) +
      'ORDER BY t.id';
    // Pages side by side within the account's concurrency limit (less one slot, left to the posting workers);
    // a period with more documents than one query returns is read in id ranges.
    const concurrency = Math.max(1, this.config.NETSUITE_CONCURRENCY_LIMIT - 1);
    for await (const rows of suiteQlSlices(this.client, {
      query,
      key: (row) => row.id ?? '',
      unique: true,
      concurrency,
      maxResults: this.suiteQlMaxResults,
    })) {
      yield await Promise.all(rows.map((row) => this.summary(kind, row, period)));
    }
  }

  /**
   * The revenue account's postings of a period, by contract, obligation, class, subsidiary and currency. Read in
   * slices within NetSuite's result cap: the lines with a contract in contract ranges; the lines without one (a
   * period journal's summary lines) in transaction id ranges, summed here.
   */
  async revenuePostings(window: ErpPostingWindow): Promise<ErpRevenuePosting[]> {
    const period = windowLabel(window);
    const where =
      `${LEDGER}WHERE ${POSTED_IN_PRIMARY_BOOK} ` +
      `AND tal.account = ${sqlText(this.config.NETSUITE_REVENUE_ACCOUNT_ID)} AND ${await this.within(window)} `;
    const withContract = (from: string | null) =>
      'SELECT tl.custcol_rl_contract, tl.custcol_rl_obligation, tl.class, tl.subsidiary, t.currency, SUM(tl.foreignamount) AS amount ' +
      `${where}AND tl.custcol_rl_contract IS NOT NULL ` +
      (from === null ? '' : `AND tl.custcol_rl_contract >= ${sqlText(from)} `) +
      'GROUP BY tl.custcol_rl_contract, tl.custcol_rl_obligation, tl.class, tl.subsidiary, t.currency ' +
      'ORDER BY tl.custcol_rl_contract, tl.custcol_rl_obligation, tl.class, tl.subsidiary, t.currency';
    const withoutContract = (from: string | null) =>
      'SELECT t.id, tl.custcol_rl_obligation, tl.class, tl.subsidiary, t.currency, SUM(tl.foreignamount) AS amount ' +
      `${where}AND tl.custcol_rl_contract IS NULL ` +
      (from === null ? '' : `AND t.id >= ${idNumber(from)} `) +
      'GROUP BY t.id, tl.custcol_rl_obligation, tl.class, tl.subsidiary, t.currency ' +
      'ORDER BY t.id, tl.custcol_rl_obligation, tl.class, tl.subsidiary, t.currency';
    const postings: ErpRevenuePosting[] = [];
    const posting = async (row: SuiteQlRow, contractId: string): Promise<ErpRevenuePosting> => {
      const currency = await this.refs.currencyCode(row.currency ?? '');
      return {
        period,
        contractId,
        obligationId: row.custcol_rl_obligation ?? '',
        productClass: row.class ?? null,
        subsidiary: row.subsidiary ?? '',
        amount: { amountMinor: (-this.minor(row.amount, currency)).toString(), currency },
      };
    };
    for await (const rows of this.slices(withContract, (row) => row.custcol_rl_contract ?? ''))
      for (const row of rows) postings.push(await posting(row, row.custcol_rl_contract ?? ''));
    // A period journal's summary line carries no contract column: '' (its revenue still counts), summed over the
    // transactions by obligation, class, subsidiary and currency.
    const uncontracted = new Map<string, ErpRevenuePosting>();
    for await (const rows of this.slices(withoutContract, (row) => row.id ?? '')) {
      for (const row of rows) {
        const p = await posting(row, '');
        const key = JSON.stringify([p.obligationId, p.productClass, p.subsidiary, p.amount.currency]);
        const sum = uncontracted.get(key);
        if (!sum) uncontracted.set(key, p);
        else
          sum.amount = {
            ...sum.amount,
            amountMinor: (BigInt(sum.amount.amountMinor) + BigInt(p.amount.amountMinor)).toString(),
          };
      }
    }
    postings.push(...uncontracted.values());
    return postings;
  }

  /** The SuiteQL condition on a transaction of the window: its posting period, or its date between two days. */
  private async within(window: ErpPostingWindow): Promise<string> {
    if (typeof window === 'string') return `t.postingperiod = ${idNumber(await this.periodId(window))}`;
    return `t.trandate >= ${sqlDate(window.from)} AND t.trandate <= ${sqlDate(window.to)}`;
  }

  /**
   * A contract's balances. Deferred revenue, revenue and the unbilled receivable are on lines carrying the
   * contract's column field (item lines, revenue journal lines); the receivable is on an invoice's or credit memo's
   * main line and a payment's lines, which carry no column field: it is read by the transaction's contract body
   * field. Period journals name no contract on their body, and their summary lines none on the line, so they
   * count in no contract's balances. Grouped by account and currency, a contract's rows stay far within NetSuite's
   * result cap (one per account and currency), so each read is one query.
   */
  async contractBalances(contractId: string, asOfPeriod: string): Promise<ErpContractBalances> {
    const kinds = this.balanceAccounts();
    const bound = asOf(asOfPeriod);
    const read = (contract: string, accounts: string[]) =>
      suiteQlRows(
        this.client,
        `SELECT tal.account, t.currency, SUM(tl.foreignamount) AS balance ${LEDGER_WITH_PERIODS}` +
          `WHERE ${POSTED_IN_PRIMARY_BOOK} AND ${contract} = ${sqlText(contractId)} AND ${bound} ` +
          `AND tal.account IN (${accounts.map(sqlText).join(', ')}) ` +
          'GROUP BY tal.account, t.currency ORDER BY t.currency, tal.account',
      );
    const rows = [
      ...(await read('tl.custcol_rl_contract', this.lineAccounts())),
      ...(await read('t.custbody_rl_contract', [this.config.NETSUITE_RECEIVABLE_ACCOUNT_ID])),
    ];
    const byCurrency = new Map<string, Record<ErpContractBalanceRow['balance'], bigint>>();
    for (const row of rows) {
      const kind = kinds.get(row.account ?? '');
      if (!kind) continue;
      const currency = await this.refs.currencyCode(row.currency ?? '');
      const totals = byCurrency.get(currency) ?? {
        deferred: 0n,
        recognised: 0n,
        receivable: 0n,
        unbilled: 0n,
      };
      totals[kind] += this.signed(kind, this.minor(row.balance, currency));
      byCurrency.set(currency, totals);
    }
    return {
      contractId,
      asOfPeriod,
      balances: [...byCurrency]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([currency, t]) => ({
          currency,
          deferredMinor: t.deferred.toString(),
          recognisedMinor: t.recognised.toString(),
          receivableMinor: t.receivable.toString(),
          unbilledMinor: t.unbilled.toString(),
        })),
    };
  }

  /** Every contract's balances, as `contractBalances` reads them: line accounts by line, the receivable by body. */
  async *exportContractBalances(asOfPeriod: string): AsyncIterable<ErpContractBalanceRow[]> {
    const kinds = this.balanceAccounts();
    const bound = asOf(asOfPeriod);
    // Grouped by contract: a large account is read in contract ranges, each query within NetSuite's result cap.
    const query = (contract: string, accounts: string[]) => (from: string | null) =>
      `SELECT ${contract} AS contract, tal.account, t.currency, SUM(tl.foreignamount) AS balance ${LEDGER_WITH_PERIODS}` +
      `WHERE ${POSTED_IN_PRIMARY_BOOK} AND ${contract} IS NOT NULL AND ${bound} ` +
      (from === null ? '' : `AND ${contract} >= ${sqlText(from)} `) +
      `AND tal.account IN (${accounts.map(sqlText).join(', ')}) ` +
      `GROUP BY ${contract}, tal.account, t.currency ` +
      `ORDER BY ${contract}, tal.account, t.currency`;
    for (const read of [
      query('tl.custcol_rl_contract', this.lineAccounts()),
      query('t.custbody_rl_contract', [this.config.NETSUITE_RECEIVABLE_ACCOUNT_ID]),
    ]) {
      for await (const rows of this.slices(read, (row) => row.contract ?? '')) {
        const page: ErpContractBalanceRow[] = [];
        for (const row of rows) {
          const balance = kinds.get(row.account ?? '');
          if (!balance || !row.contract) continue;
          const currency = await this.refs.currencyCode(row.currency ?? '');
          const amount = this.minor(row.balance, currency);
          page.push({
            contractId: row.contract,
            currency,
            balance,
            amountMinor: this.signed(balance, amount).toString(),
          });
        }
        yield page;
      }
    }
  }

  /** A grouped read in slices by a key shared by several rows, within the reads' result cap. */
  private slices(
    query: (from: string | null) => string,
    key: (row: SuiteQlRow) => string,
  ): AsyncGenerator<SuiteQlRow[]> {
    return suiteQlSlices(this.client, { query, key, unique: false, maxResults: this.suiteQlMaxResults });
  }

  /** The balance accounts read by a line's contract: all but the receivable. */
  private lineAccounts(): string[] {
    const receivable = this.config.NETSUITE_RECEIVABLE_ACCOUNT_ID;
    return [...this.balanceAccounts().keys()].filter((account) => account !== receivable);
  }

  /** The configured GL accounts revenue and period journals post to. */
  private glAccounts(): GlAccounts {
    return {
      deferredRevenue: this.config.NETSUITE_DEFERRED_REVENUE_ACCOUNT_ID,
      revenue: this.config.NETSUITE_REVENUE_ACCOUNT_ID,
      unbilledReceivable: this.config.NETSUITE_UNBILLED_RECEIVABLE_ACCOUNT_ID,
    };
  }

  /** The GL accounts a contract's balances read, by the balance each holds. */
  private balanceAccounts(): Map<string, ErpContractBalanceRow['balance']> {
    const c = this.config;
    return new Map<string, ErpContractBalanceRow['balance']>([
      [c.NETSUITE_DEFERRED_REVENUE_ACCOUNT_ID, 'deferred'],
      [c.NETSUITE_REVENUE_ACCOUNT_ID, 'recognised'],
      [c.NETSUITE_RECEIVABLE_ACCOUNT_ID, 'receivable'],
      [c.NETSUITE_UNBILLED_RECEIVABLE_ACCOUNT_ID, 'unbilled'],
    ]);
  }

  /** Ledger amounts are debits positive: the receivables are debit balances, revenue and deferral credit ones. */
  private signed(kind: ErpContractBalanceRow['balance'], amount: bigint): bigint {
    return kind === 'receivable' || kind === 'unbilled' ? amount : -amount;
  }

  private tax(): TaxSettings {
    const c = this.config;
    return {
      mode: c.NETSUITE_TAX_MODE,
      taxTypeId: c.NETSUITE_TAX_TYPE_ID,
      taxCodeId: c.NETSUITE_TAX_CODE_ID,
      taxItemExternalId: c.NETSUITE_TAX_ITEM_EXTERNAL_ID,
    };
  }

  private async ids(doc: {
    subsidiary: string;
    currency: string;
  }): Promise<{ subsidiary: string; currency: string }> {
    return {
      subsidiary: this.refs.subsidiaryId(doc.subsidiary),
      currency: await this.refs.currencyId(doc.currency),
    };
  }

  /**
   * Upserts a record by external id. NetSuite's update adds the sublist lines it is sent to the record's own unless
   * the request names the sublist in `replace`, so a re-sent upsert names every sublist its body carries: a retry
   * leaves the record as the body says, never with its lines twice.
   */
  private async upsert(
    kind: ErpRecordKind,
    externalId: string,
    body: Record<string, unknown>,
  ): Promise<ErpPostingResult> {
    const replace = Object.keys(body)
      .filter((key) => SUBLISTS.has(key))
      .join(',');
    if (!ERP_EXTERNAL_ID.test(externalId)) {
      throw new ErpRejectedError(
        'validation',
        'INVALID_EXTERNAL_ID',
        `External id ${externalId} may contain only letters, digits, _ and -`,
        'externalId',
      );
    }
    const response = await this.client.request({
      method: 'PUT',
      path: `/services/rest/record/v1/${RECORD_TYPE[kind]}/eid:${externalId}${replace ? `?replace=${replace}` : ''}`,
      body,
    });
    const erpId = response.location?.split('/').pop();
    if (!erpId)
      throw new ErpUnavailableError(`NetSuite saved ${kind} ${externalId} but answered no Location`);
    return { kind, externalId, erpId };
  }

  private async removeIfPresent(kind: ErpRecordKind, externalId: string): Promise<void> {
    try {
      await this.client.request({
        method: 'DELETE',
        path: `/services/rest/record/v1/${RECORD_TYPE[kind]}/eid:${externalId}`,
      });
    } catch (error) {
      if (!(error instanceof ErpRejectedError && error.category === 'not_found')) throw error;
    }
  }

  private async summary(kind: ErpDocumentKind, row: SuiteQlRow, period: string): Promise<ErpDocumentSummary> {
    const currency = await this.refs.currencyCode(row.currency ?? '');
    return {
      kind,
      erpId: row.id ?? '',
      externalId: row.externalid ?? null,
      tranDate: row.trandate ?? '',
      period,
      customerErpId: row.entity ?? null,
      contractId: row.custbody_rl_contract ?? null,
      total: { amountMinor: this.minor(row.foreigntotal, currency).toString(), currency },
      // NetSuite's tax total of an invoice or credit memo (a field it leaves out when empty: no tax).
      tax:
        kind === 'invoice' || kind === 'creditMemo'
          ? { amountMinor: this.minor(row.taxtotal, currency).toString(), currency }
          : null,
    };
  }

  private minor(amount: string | undefined, currency: string): bigint {
    return BigInt(moneyFromMajor(amount ?? '0', currency).amountMinor);
  }
}
