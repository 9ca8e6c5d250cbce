/** SOQL text for the queries Revline issues; every value goes through a quoting function. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A SOQL datetime literal (unquoted): `2026-03-15T10:00:00.000Z`. */
export function datetime(iso: string): string {
  const date = new Date(iso.replace(/\+0000$/, 'Z'));
  if (Number.isNaN(date.getTime())) throw new Error(`not a datetime: ${iso}`);
  return date.toISOString();
}

export const SALESFORCE_ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

export const WRITE_BACK_FIELDS = [
  'Revline_Integration_Status__c',
  'Revline_Integration_Message__c',
  'Revline_Correlation_Id__c',
  'Revline_Billing_Id__c',
  'Revline_ERP_Id__c',
  'Revline_Last_Synced_At__c',
] as const;

const ACCOUNT_FIELDS = [
  'Id',
  'Name',
  'AccountNumber',
  'CurrencyIsoCode',
  'Type',
  'BillingStreet',
  'BillingCity',
  'BillingState',
  'BillingPostalCode',
  'BillingCountry',
  'BillingCountryCode',
  ...WRITE_BACK_FIELDS,
];
const PRODUCT_FIELDS = [
  'Id',
  'Name',
  'ProductCode',
  'IsActive',
  'Family',
  'SBQQ__ChargeType__c',
  'SBQQ__BillingFrequency__c',
];
const ORDER_FIELDS = [
  'Id',
  'OrderNumber',
  'Status',
  'Type',
  'EffectiveDate',
  'EndDate',
  'ActivatedDate',
  'AccountId',
  'ContractId',
  'SBQQ__RenewedContract__c',
  'Revline_Bill_Cycle_Day__c',
  'Revline_Billing_Timing__c',
  'Pricebook2Id',
  'CurrencyIsoCode',
  'TotalAmount',
  'PoNumber',
  'SBQQ__Quote__c',
  'CreatedDate',
  'LastModifiedDate',
  'SystemModstamp',
  'IsDeleted',
  ...WRITE_BACK_FIELDS,
];
const ITEM_FIELDS = [
  'Id',
  'Product2Id',
  'PricebookEntryId',
  'Quantity',
  'UnitPrice',
  'TotalPrice',
  'ServiceDate',
  'EndDate',
  'SBQQ__RevisedOrderProduct__c',
  'SBQQ__ChargeType__c',
  'SBQQ__BillingFrequency__c',
  'SBQQ__SegmentKey__c',
];

export function ordersByIdSoql(ids: readonly string[]): string {
  const account = ACCOUNT_FIELDS.map((f) => `Account.${f}`);
  const product = PRODUCT_FIELDS.map((f) => `Product2.${f}`);
  return `SELECT ${[...ORDER_FIELDS, ...account].join(', ')}, (SELECT ${[...ITEM_FIELDS, ...product].join(', ')} FROM OrderItems ORDER BY Id) FROM Order WHERE Id IN (${ids.map(quote).join(', ')})`;
}

export function accountSoql(id: string): string {
  return `SELECT ${ACCOUNT_FIELDS.join(', ')} FROM Account WHERE Id = ${quote(id)}`;
}

export function productSoql(id: string): string {
  return `SELECT ${PRODUCT_FIELDS.join(', ')} FROM Product2 WHERE Id = ${quote(id)}`;
}

/**
 * The poller's page, run through `queryAll` so deleted orders are seen too: activated orders, and deleted ones
 * (an order is deactivated before it can be deleted), after the compound `(SystemModstamp, Id)` cursor, in cursor
 * order. A delete stamps SystemModstamp, so it sorts where it happened.
 */
export function changedOrdersSoql(stamp: string, id: string, limit: number): string {
  const t = datetime(stamp);
  return `SELECT Id, SystemModstamp, IsDeleted FROM Order WHERE (Status = 'Activated' OR IsDeleted = true) AND (SystemModstamp > ${t} OR (SystemModstamp = ${t} AND Id > ${quote(id)})) ORDER BY SystemModstamp, Id LIMIT ${String(limit)}`;
}

/** The order-lines bulk read's fields: each line with its order's terms (child-to-parent, as Bulk API 2.0 allows). */
export const ORDER_LINE_FIELDS = [
  'Id',
  'OrderId',
  'Order.Type',
  'Order.ContractId',
  'Order.ActivatedDate',
  'Order.EffectiveDate',
  'Order.EndDate',
  'Order.CurrencyIsoCode',
  'SBQQ__RevisedOrderProduct__c',
  'Product2.ProductCode',
  'Quantity',
  'UnitPrice',
] as const;

/** Every line of the activated orders stamped at or after `since`: one Bulk API 2.0 query over OrderItem. */
export function activatedOrderLinesSoql(since: string): string {
  return `SELECT ${ORDER_LINE_FIELDS.join(', ')} FROM OrderItem WHERE Order.Status = 'Activated' AND Order.SystemModstamp >= ${datetime(since)}`;
}
