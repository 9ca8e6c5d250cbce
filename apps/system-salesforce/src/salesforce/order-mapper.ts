import type {
  CrmAccount,
  CrmIntegrationFields,
  CrmIntegrationStatus,
  CrmOrder,
  CrmOrderKind,
  CrmOrderLine,
  CrmOrderLineRow,
  CrmProduct,
} from '@revline/crm-port';
import type { SObjectRecord } from './salesforce-api';

const STATUS: Record<string, CrmIntegrationStatus> = {
  'Not Synced': 'not_synced',
  Pending: 'pending',
  'In Progress': 'in_progress',
  Synced: 'synced',
  Error: 'error',
};

export const STATUS_TO_SALESFORCE: Record<CrmIntegrationStatus, string> = {
  not_synced: 'Not Synced',
  pending: 'Pending',
  in_progress: 'In Progress',
  synced: 'Synced',
  error: 'Error',
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const decimal = (v: unknown): string => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '0');

/** The record's own fields, without `attributes` and nested relationships. */
function own(record: SObjectRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === 'attributes' || (typeof v === 'object' && v !== null)) continue;
    out[k] = v;
  }
  return out;
}

/** Salesforce's `…T…+0000` as ISO 8601 with `Z`. */
export function isoDateTime(value: unknown): string | null {
  return typeof value === 'string' ? new Date(value.replace(/\+0000$/, 'Z')).toISOString() : null;
}

export function toIntegration(record: SObjectRecord): CrmIntegrationFields {
  const status = str(record.Revline_Integration_Status__c);
  return {
    status: status ? (STATUS[status] ?? null) : null,
    message: str(record.Revline_Integration_Message__c),
    correlationId: str(record.Revline_Correlation_Id__c),
    billingId: str(record.Revline_Billing_Id__c),
    erpId: str(record.Revline_ERP_Id__c),
    lastSyncedAt: isoDateTime(record.Revline_Last_Synced_At__c),
  };
}

export function toAccount(record: SObjectRecord): CrmAccount {
  return {
    id: record.Id as string,
    name: str(record.Name) ?? '',
    currency: str(record.CurrencyIsoCode),
    accountNumber: str(record.AccountNumber),
    billingAddress: {
      street: str(record.BillingStreet),
      city: str(record.BillingCity),
      state: str(record.BillingState),
      postalCode: str(record.BillingPostalCode),
      country: str(record.BillingCountry),
      countryCode: str(record.BillingCountryCode),
    },
    billingId: str(record.Revline_Billing_Id__c),
    erpId: str(record.Revline_ERP_Id__c),
    fields: own(record),
  };
}

export function toProduct(record: SObjectRecord): CrmProduct {
  return {
    id: record.Id as string,
    code: str(record.ProductCode),
    name: str(record.Name) ?? '',
    chargeType: str(record.SBQQ__ChargeType__c),
    billingFrequency: str(record.SBQQ__BillingFrequency__c),
    active: record.IsActive === true,
    fields: own(record),
  };
}

const KIND: Record<string, CrmOrderKind> = { Amendment: 'amendment', Renewal: 'renewal' };

export function toOrder(record: SObjectRecord): CrmOrder {
  const items = (record.OrderItems as { records?: SObjectRecord[] } | null)?.records ?? [];
  const products = new Map<string, CrmProduct>();
  const lines: CrmOrderLine[] = items.map((item) => {
    const product = item.Product2 as SObjectRecord | null;
    if (product) products.set(product.Id as string, toProduct(product));
    return {
      id: item.Id as string,
      productId: item.Product2Id as string,
      productCode: product ? str(product.ProductCode) : null,
      quantity: decimal(item.Quantity),
      unitPrice: decimal(item.UnitPrice),
      totalPrice: decimal(item.TotalPrice),
      serviceStart: str(item.ServiceDate),
      serviceEnd: str(item.EndDate),
      revisesLineId: str(item.SBQQ__RevisedOrderProduct__c),
      fields: own(item),
    };
  });
  const account = record.Account as SObjectRecord | null;
  return {
    id: record.Id as string,
    number: str(record.OrderNumber) ?? '',
    kind: KIND[str(record.Type) ?? ''] ?? 'new',
    status: str(record.Status) ?? '',
    activated: record.Status === 'Activated',
    activatedAt: isoDateTime(record.ActivatedDate),
    currency: str(record.CurrencyIsoCode),
    effectiveDate: str(record.EffectiveDate) ?? '',
    endDate: str(record.EndDate),
    accountId: record.AccountId as string,
    contractId: str(record.ContractId),
    renewsContractId: str(record.SBQQ__RenewedContract__c),
    totalAmount: decimal(record.TotalAmount),
    lastModifiedAt: isoDateTime(record.LastModifiedDate) ?? '',
    changeStamp: isoDateTime(record.SystemModstamp) ?? '',
    deleted: record.IsDeleted === true,
    account: account ? toAccount(account) : null,
    lines,
    products: [...products.values()],
    integration: toIntegration(record),
    fields: own(record),
  };
}

/** A Bulk API 2.0 CSV cell: Salesforce writes a null as an empty cell. */
const cell = (row: Partial<Record<string, string>>, column: string): string | null => {
  const value = row[column];
  return value === undefined || value === '' ? null : value;
};
/** A Bulk API 2.0 number (`5`, `5.0`, `1200.50`) as the REST path's JSON number reads: `5`, `1200.5`. */
const bulkDecimal = (value: string | null): string => (value === null ? '0' : String(Number(value)));

/** One row of the order-lines bulk query (ORDER_LINE_FIELDS) in the port's terms, as `toOrder` reads the same. */
export function toOrderLineRow(row: Record<string, string>): CrmOrderLineRow {
  return {
    orderId: cell(row, 'OrderId') ?? '',
    orderKind: KIND[cell(row, 'Order.Type') ?? ''] ?? 'new',
    contractId: cell(row, 'Order.ContractId'),
    activatedAt: isoDateTime(cell(row, 'Order.ActivatedDate')),
    effectiveDate: cell(row, 'Order.EffectiveDate') ?? '',
    endDate: cell(row, 'Order.EndDate'),
    currency: cell(row, 'Order.CurrencyIsoCode'),
    lineId: cell(row, 'Id') ?? '',
    revisesLineId: cell(row, 'SBQQ__RevisedOrderProduct__c'),
    productCode: cell(row, 'Product2.ProductCode'),
    quantity: bulkDecimal(cell(row, 'Quantity')),
    unitPrice: bulkDecimal(cell(row, 'UnitPrice')),
  };
}
