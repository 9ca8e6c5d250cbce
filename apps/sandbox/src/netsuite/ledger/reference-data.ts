/**
 * The sandbox account's reference data: the chart of accounts Revline posts to, currencies and subsidiaries.
 * Internal ids are NetSuite-style strings; Revline's adapter is configured with the account ids by default.
 */
export type AccountType = 'Bank' | 'AcctRec' | 'UnbilledRec' | 'OthCurrLiab' | 'DeferRevenue' | 'Income';

export interface LedgerAccount {
  id: string;
  acctnumber: string;
  acctname: string;
  accttype: AccountType;
}

export const ACCOUNTS: readonly LedgerAccount[] = [
  { id: '1', acctnumber: '1000', acctname: 'Cash', accttype: 'Bank' },
  { id: '2', acctnumber: '1100', acctname: 'Accounts Receivable', accttype: 'AcctRec' },
  { id: '3', acctnumber: '2200', acctname: 'Sales Tax Payable', accttype: 'OthCurrLiab' },
  { id: '4', acctnumber: '2400', acctname: 'Deferred Revenue', accttype: 'DeferRevenue' },
  { id: '5', acctnumber: '4000', acctname: 'Revenue', accttype: 'Income' },
  { id: '6', acctnumber: '1150', acctname: 'Unbilled Receivable', accttype: 'UnbilledRec' },
];

export const ACCOUNT = {
  cash: '1',
  receivable: '2',
  taxPayable: '3',
  deferredRevenue: '4',
  revenue: '5',
  unbilledReceivable: '6',
} as const;

export interface Currency {
  id: string;
  symbol: string;
  name: string;
}

export const CURRENCIES: readonly Currency[] = [
  { id: '1', symbol: 'USD', name: 'US Dollar' },
  { id: '2', symbol: 'GBP', name: 'British pound' },
  { id: '3', symbol: 'CAD', name: 'Canadian Dollar' },
  { id: '4', symbol: 'EUR', name: 'Euro' },
  { id: '5', symbol: 'JPY', name: 'Japanese Yen' },
];

export interface Subsidiary {
  id: string;
  name: string;
  /** The subsidiary's base currency (a currency id). */
  currency: string;
}

export const SUBSIDIARIES: readonly Subsidiary[] = [
  { id: '1', name: 'Revline Inc. (US)', currency: '1' },
  { id: '2', name: 'Revline Ltd (UK)', currency: '2' },
  { id: '3', name: 'Revline GmbH (DE)', currency: '4' },
];

/** SuiteTax tax types: each posts its tax to a payables account (the nexus's tax account). */
export interface TaxType {
  id: string;
  name: string;
  payablesAccount: string;
}

export const TAX_TYPES: readonly TaxType[] = [
  { id: '1', name: 'Sales tax', payablesAccount: ACCOUNT.taxPayable },
  { id: '2', name: 'VAT', payablesAccount: ACCOUNT.taxPayable },
];

/** SuiteTax tax codes, each of one tax type. */
export interface TaxCode {
  id: string;
  name: string;
  taxType: string;
}

export const TAX_CODES: readonly TaxCode[] = [
  { id: '1', name: 'Sales tax (standard)', taxType: '1' },
  { id: '2', name: 'VAT standard rate', taxType: '2' },
];
