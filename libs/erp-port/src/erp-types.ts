/**
 * The ERP port's terms: Revline's, not a vendor's. Money is integer minor units as a string with an ISO 4217
 * currency; dates are ISO dates; periods are YYYY-MM; every record carries Revline's deterministic external id.
 */
export interface ErpMoney {
  amountMinor: string;
  currency: string;
}

/** A postal address, every part optional; `country` is an ISO 3166-1 alpha-2 code. */
export interface ErpAddress {
  line1?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
}

export interface ErpCustomer {
  externalId: string;
  name: string;
  /** The default billing address. */
  address?: ErpAddress;
  /** Revline's code of the legal entity that books the customer's transactions. */
  subsidiary: string;
  currency: string;
  email?: string;
}

export interface ErpDocumentLine {
  /** The product (item) the line sells. */
  itemExternalId: string;
  amountMinor: string;
  taxMinor?: string;
  description?: string;
  /** The product class revenue is reported by. */
  productClass?: string;
  obligationId?: string;
  /** The line's service period (inclusive ISO dates), what revenue recognition of the line runs over. */
  serviceStart?: string;
  serviceEnd?: string;
  /**
   * The revenue plan the line carries (an invoice line of an obligation): its schedule version and periods, posted
   * as the line's column fields instead of a revenue schedule record.
   */
  revenueSchedule?: ErpLineSchedule;
}

/** One obligation's schedule version as an invoice line carries it. */
export interface ErpLineSchedule {
  scheduleVersion: number;
  periods: Array<{ period: string; amountMinor: string }>;
}

/** An invoice or a credit memo. Invoiced amounts are deferred revenue until recognised. */
export interface ErpDocument {
  externalId: string;
  customerExternalId: string;
  subsidiary: string;
  currency: string;
  tranDate: string;
  contractId?: string;
  /** A credit memo: the invoice it credits. */
  appliesToExternalId?: string;
  memo?: string;
  lines: ErpDocumentLine[];
}

/**
 * An invoice reversed in full: a credit memo made from it under its own external id, carrying its lines and
 * applied to it, so what it asked the customer for is owed no more.
 */
export interface ErpInvoiceVoid {
  /** The invoice reversed. */
  invoiceExternalId: string;
  /** The reversing credit memo's external id. */
  externalId: string;
  tranDate: string;
  memo?: string;
}

export interface ErpPayment {
  externalId: string;
  customerExternalId: string;
  subsidiary: string;
  currency: string;
  tranDate: string;
  amountMinor: string;
  contractId?: string;
  /** The invoices it pays, with the amount applied to each. */
  appliesTo: Array<{ invoiceExternalId: string; amountMinor: string }>;
}

/** One obligation's schedule from the revenue engine, in one version. */
export interface ErpRevenueSchedule {
  externalId: string;
  contractId: string;
  obligationId: string;
  scheduleVersion: number;
  currency: string;
  periods: Array<{ period: string; amountMinor: string }>;
}

/**
 * A period's journal of one contract. `recognition` (the default): deferred revenue → revenue, by product class
 * and subsidiary. `contract_asset`: the period's change in the contract's unbilled receivable (revenue recognised
 * ahead of billing) — debit the unbilled receivable, credit deferred revenue, so deferred revenue never goes below
 * zero; a negative amount clears it when the invoice comes. A negative amount reverses either.
 */
export type ErpJournalKind = 'recognition' | 'contract_asset';

export interface ErpRevenueJournal {
  externalId: string;
  contractId: string;
  obligationId: string;
  period: string;
  scheduleVersion: number;
  amount: ErpMoney;
  productClass: string;
  subsidiary: string;
  /** The posting date, within the period (its last day by default). */
  tranDate?: string;
  kind?: ErpJournalKind;
}

/** The configured ERP account a period-journal line posts to. */
export type ErpPeriodJournalAccount = 'deferred_revenue' | 'revenue' | 'unbilled_receivable';

/** One line of a period journal: exactly one of a debit or a credit, positive, in minor units. */
export interface ErpPeriodJournalLine {
  account: ErpPeriodJournalAccount;
  /** Revenue lines: the product class revenue is reported by. */
  productClass?: string;
  debitMinor?: string;
  creditMinor?: string;
  /** Detail mode: the contract and obligation of the line; absent on a summary line. */
  contractId?: string;
  obligationId?: string;
  memo?: string;
}

/**
 * A period close's journal: in summary mode one per subsidiary and currency with a line pair per account pair, in
 * detail mode one line per contract obligation (at most 1,000 lines). Debits equal credits; it is dated the
 * period's last day and posted in that period.
 */
export interface ErpPeriodJournal {
  externalId: string;
  period: string;
  /** A fiscal period's last day: the journal's date (a calendar month's journal is dated the month's last day). */
  periodEnd?: string;
  subsidiary: string;
  currency: string;
  memo: string;
  lines: ErpPeriodJournalLine[];
}

export type ErpRecordKind =
  'customer' | 'invoice' | 'creditMemo' | 'payment' | 'revenueSchedule' | 'revenueJournal' | 'periodJournal';

/** What the ERP holds after a write: the record's ERP id under Revline's external id. */
export interface ErpPostingResult {
  kind: ErpRecordKind;
  externalId: string;
  erpId: string;
}

export type ErpDocumentKind = 'invoice' | 'creditMemo' | 'payment' | 'revenueJournal';

/** A posted document as the ERP's books show it, for reconciliation. */
export interface ErpDocumentSummary {
  kind: ErpDocumentKind;
  erpId: string;
  externalId: string | null;
  tranDate: string;
  period: string;
  customerErpId: string | null;
  contractId: string | null;
  /** The document's total, tax included. */
  total: ErpMoney;
  /** The tax it carries (an invoice's or credit memo's tax total, 0 when untaxed); null for a payment or journal. */
  tax: ErpMoney | null;
}

/** A contract's balances in the ERP's ledger at a period end. Deferred is a credit balance shown positive. */
export interface ErpContractBalances {
  contractId: string;
  asOfPeriod: string;
  balances: Array<{
    currency: string;
    deferredMinor: string;
    recognisedMinor: string;
    receivableMinor: string;
    /** The unbilled receivable (contract asset), a debit balance. */
    unbilledMinor: string;
  }>;
}

/**
 * One ledger balance of one contract at a period end, for the bulk balances export: `balance` names the account
 * (deferred revenue and revenue are credit balances shown positive, receivable and unbilled receivable debit balances).
 */
export interface ErpContractBalanceRow {
  contractId: string;
  currency: string;
  balance: 'deferred' | 'recognised' | 'receivable' | 'unbilled';
  amountMinor: string;
}

/**
 * Revenue recognised in a period, by contract, obligation, product class and subsidiary. Revenue a period journal
 * posted in summary (no contract on its lines) comes with contractId and obligationId ''.
 */
/**
 * Which revenue a read takes: an accounting period of the ERP (`YYYY-MM`), or the transactions dated from one day to
 * another inclusive (ISO dates): a fiscal period's, whose period-close journals are dated its last day.
 */
export type ErpPostingWindow = string | { from: string; to: string };

/** A window as reads answer it: the period, or the dates as an ISO 8601 interval `from/to`. */
export const windowLabel = (window: ErpPostingWindow): string =>
  typeof window === 'string' ? window : `${window.from}/${window.to}`;

export interface ErpRevenuePosting {
  /** The accounting period `YYYY-MM`, or the dates `from/to` (ISO 8601 interval) of a dated read. */
  period: string;
  contractId: string | null;
  obligationId: string | null;
  productClass: string | null;
  subsidiary: string;
  amount: ErpMoney;
}
