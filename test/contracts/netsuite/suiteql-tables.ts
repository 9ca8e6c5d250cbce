/**
 * The SuiteQL tables and columns Revline relies on, written down from Oracle's NetSuite documentation (the Records
 * Catalog's analytics records, and the SuiteQL and REST web services chapters of the Help Center). Each table names
 * the section it comes from. The contract specs check the adapter's queries and the sandbox against this, never
 * against each other.
 *
 * `absent` lists fields that a reader might expect on a table but NetSuite keeps elsewhere: a query naming one is
 * refused by NetSuite (400, "Field … was not found"), and by the sandbox likewise.
 */
export interface SuiteQlTableReference {
  /** The documentation section. */
  source: string;
  /** The columns, with what each holds. */
  columns: Readonly<Record<string, string>>;
  absent?: readonly string[];
}

const HELP = 'https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help';

export const SUITEQL_TABLES: Readonly<Record<string, SuiteQlTableReference>> = {
  transactionaccountingline: {
    source:
      'Records Catalog (Setup > Records Catalog), record Transaction Accounting Line (transactionaccountingline), ' +
      'analytics data source; one line per transaction line and accounting book',
    columns: {
      account: 'the GL account (internal id)',
      accountingbook: 'the accounting book (internal id): one line per book in a Multi-Book account',
      amount: "the line's amount in the book's base currency (not the transaction's), debits positive",
      credit: 'Amount (Credit)',
      debit: 'Amount (Debit)',
      posting: 'T when the line posts to the general ledger',
      transaction: 'the transaction (internal id), joined to transaction.id',
      transactionline: 'the transaction line (its id within the transaction), joined to transactionline.id',
    },
    absent: [
      'postingperiod',
      'class',
      'subsidiary',
      'currency',
      'entity',
      'trandate',
      'type',
      'custcol_rl_contract',
    ],
  },
  transaction: {
    source:
      'Records Catalog, record Transaction (transaction): the body (header) fields of every transaction type; ' +
      `custom body fields as defined in the account. Type codes: ${HELP}/section_157909186990.html (SuiteQL)`,
    columns: {
      id: 'internal id',
      externalid: 'External ID',
      type: 'the type code (CustInvc, CustCred, CustPymt, Journal)',
      recordtype: 'the record type (invoice, creditmemo, …)',
      trandate: 'Date',
      postingperiod: 'Posting Period: an accountingperiod internal id',
      entity: 'the customer (internal id)',
      currency: 'Currency (internal id)',
      foreigntotal: 'Total (Foreign Currency)',
      taxtotal: 'Tax Total',
      memo: 'Memo',
      createddate: 'Date Created',
      lastmodifieddate: 'Last Modified',
      custbody_rl_contract: "Revline's custom transaction body field: the contract id",
    },
    absent: ['custcol_rl_contract', 'class', 'amount', 'account'],
  },
  transactionline: {
    source:
      'Records Catalog, record Transaction Line (transactionline): line fields, segments (class, department, ' +
      'location, subsidiary) and custom transaction column fields',
    columns: {
      id: "the line's id within its transaction",
      transaction: 'the transaction (internal id)',
      linesequencenumber: 'Line Sequence Number',
      entity: 'the line entity (internal id)',
      subsidiary: 'Subsidiary (internal id)',
      class: 'Class (internal id)',
      memo: 'Memo',
      custcol_rl_contract: "Revline's custom transaction column field: the contract id",
      custcol_rl_obligation: "Revline's custom transaction column field: the performance obligation id",
      custcol_rl_schedule_version:
        "Revline's custom transaction column field (integer): the obligation's schedule version an invoice line carries",
      custcol_rl_schedule_total:
        "Revline's custom transaction column field (decimal text): the carried schedule version's total",
      custcol_rl_schedule_periods:
        "Revline's custom transaction column field (long text): the carried schedule's periods, JSON [{period, amount}]",
      foreignamount:
        "Amount (Foreign Currency): the line's amount in the transaction's currency, debits positive",
    },
    absent: ['postingperiod', 'currency', 'account'],
  },
  accountingbook: {
    source: `Records Catalog, record Accounting Book (accountingbook); Multi-Book Accounting, ${HELP}/section_74095018462.html (isPrimary)`,
    columns: { id: 'internal id', name: 'Name', isprimary: 'T for the primary book' },
  },
  accountingperiod: {
    source: `Records Catalog, record Accounting Period (accountingperiod); REST record ${HELP}/section_0818065706.html (a base period has isYear and isQuarter false)`,
    columns: {
      id: 'internal id, what transaction.postingperiod holds',
      periodname: 'Period Name (e.g. Jan 2026, set up per account)',
      startdate: 'Start Date',
      enddate: 'End Date',
      isyear: 'T for a fiscal year',
      isquarter: 'T for a quarter',
      isadjust: 'T for an adjustment period',
      isposting: 'T for a period transactions post to',
      parent: 'the enclosing quarter or year (internal id)',
      closed: 'T once the period is closed',
    },
  },
  item: {
    source: 'Records Catalog, record Item (item): every item type in one table, told apart by itemType',
    columns: {
      id: 'internal id',
      externalid: 'External ID (what a mapping names as erpItemId)',
      itemid: 'Item Name/Number',
      displayname: 'Display Name',
      itemtype: 'Item Type (Service, NonInvtPart, OthCharge…)',
      isinactive: 'T for an inactive item',
    },
  },
  currency: {
    source: 'Records Catalog, record Currency (currency)',
    columns: { id: 'internal id', symbol: 'ISO 4217 code', name: 'Name' },
  },
  customer: {
    source: 'Records Catalog, record Customer (customer)',
    columns: {
      id: 'internal id',
      externalid: 'External ID',
      companyname: 'Company Name',
      email: 'Email',
      subsidiary: 'Primary Subsidiary (internal id)',
      currency: 'Primary Currency (internal id)',
    },
  },
  subsidiary: {
    source: 'Records Catalog, record Subsidiary (subsidiary)',
    columns: { id: 'internal id', name: 'Name', currency: 'base currency (internal id)' },
  },
  account: {
    source: 'Records Catalog, record Account (account)',
    columns: { id: 'internal id', acctnumber: 'Number', acctname: 'Name', accttype: 'Type' },
  },
  customrecord_rl_revenue_schedule: {
    source:
      "Revline's custom record type (SuiteCloud customization); custom records read as their script id in SuiteQL",
    columns: {
      id: 'internal id',
      externalid: 'External ID',
      name: 'Name',
      custrecord_rl_contract: 'contract id',
      custrecord_rl_obligation: 'obligation id',
      custrecord_rl_version: 'schedule version',
      custrecord_rl_currency: 'currency (internal id)',
      custrecord_rl_total: 'total',
      custrecord_rl_periods: 'the periods as JSON text',
    },
  },
};

/** Paging and the result cap of the REST query service. */
export const SUITEQL_PAGING = {
  source: `${HELP}/section_157909186990.html (Executing SuiteQL Queries Through REST Web Services) and ${HELP}/section_156414087576.html (Collection Paging)`,
  /** The most results of one query, across all its pages (without SuiteAnalytics Connect). */
  maxResults: 100_000,
  /** The largest page. */
  maxLimit: 1000,
} as const;

/** NetSuite's answer to a query naming an unknown field: a 400 whose detail names it. */
export const UNKNOWN_FIELD_ERROR = {
  status: 400,
  code: 'INVALID_PARAMETER',
  detail: /Search error occurred: Field '(\w+)' for record '(\w+)' was not found/,
} as const;
