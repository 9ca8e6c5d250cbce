import type { CrmRecordChangedPayload } from '@revline/messaging';

/**
 * Salesforce Order records as system-salesforce reads them (Order fields, `Account` and each OrderItem's
 * `Product2` as parent relationships, `OrderItems` as a SOQL sub-query), for the booking scenario every Revline test knows.
 */
export const ACCOUNT_ID = '001Dn00000Ab3dEIAR';
export const BOOKING_ORDER_ID = '801Dn00000Booking1';
export const SF_CONTRACT_ID = '800Dn00000Contrct1';
export const SEATS_ITEM_ID = '802Dn00000SeatsL01';

export interface ItemInput {
  Id: string;
  code: string;
  Quantity: number;
  UnitPrice: number;
  ServiceDate?: string;
  EndDate?: string;
  revises?: string;
  chargeType?: string;
  frequency?: string;
  segmentKey?: string;
}

export function item(input: ItemInput): Record<string, unknown> {
  return {
    attributes: { type: 'OrderItem' },
    Id: input.Id,
    Quantity: input.Quantity,
    UnitPrice: input.UnitPrice,
    TotalPrice: input.Quantity * input.UnitPrice,
    ServiceDate: input.ServiceDate ?? null,
    EndDate: input.EndDate ?? null,
    SBQQ__RevisedOrderProduct__c: input.revises ?? null,
    SBQQ__ChargeType__c: input.chargeType ?? 'Recurring',
    SBQQ__BillingFrequency__c: input.frequency ?? 'Annual',
    ...(input.segmentKey ? { SBQQ__SegmentKey__c: input.segmentKey } : {}),
    Product2: {
      attributes: { type: 'Product2' },
      Id: `01t${input.code}`,
      ProductCode: input.code,
      Name: input.code,
    },
  };
}

export interface OrderInput {
  Id: string;
  Type?: 'New' | 'Amendment' | 'Renewal' | null;
  Status?: string;
  EffectiveDate: string;
  EndDate?: string | null;
  ContractId?: string | null;
  RenewedContract?: string | null;
  /** Revline's Order.Revline_Bill_Cycle_Day__c, a Number(2, 0) field: jsforce reads a number or null. */
  BillCycleDay?: unknown;
  CurrencyIsoCode?: string;
  account?: Partial<Record<string, string | null>>;
  AccountId?: string;
  items: Array<Record<string, unknown>>;
}

export function orderRecord(input: OrderInput): Record<string, unknown> {
  const accountId = input.AccountId ?? ACCOUNT_ID;
  return {
    attributes: { type: 'Order' },
    Id: input.Id,
    OrderNumber: '00000100',
    Type: input.Type === undefined ? 'New' : input.Type,
    Status: input.Status ?? 'Activated',
    EffectiveDate: input.EffectiveDate,
    EndDate: input.EndDate === undefined ? null : input.EndDate,
    AccountId: accountId,
    ContractId: input.ContractId ?? null,
    SBQQ__RenewedContract__c: input.RenewedContract ?? null,
    Revline_Bill_Cycle_Day__c: input.BillCycleDay ?? null,
    CurrencyIsoCode: input.CurrencyIsoCode ?? 'USD',
    Account: {
      attributes: { type: 'Account' },
      Id: accountId,
      Name: 'Acme Analytics',
      CurrencyIsoCode: 'USD',
      Revline_Billing_Id__c: null,
      Revline_ERP_Id__c: null,
      ...input.account,
    },
    OrderItems: { totalSize: input.items.length, done: true, records: input.items },
  };
}

/** G1: 10 seats at 100 USD/seat/month, 2026-01-01..2026-12-31, billed annually in advance. */
export function bookingRecord(overrides: Partial<OrderInput> = {}): Record<string, unknown> {
  return orderRecord({
    Id: BOOKING_ORDER_ID,
    EffectiveDate: '2026-01-01',
    EndDate: '2026-12-31',
    items: [
      item({
        Id: SEATS_ITEM_ID,
        code: 'SEAT',
        Quantity: 10,
        UnitPrice: 100,
        ServiceDate: '2026-01-01',
        EndDate: '2026-12-31',
      }),
    ],
    ...overrides,
  });
}

/** G2: +5 seats from 2026-03-15 and the premium analytics module, co-terminating on 2026-12-31. */
export function expansionRecord(overrides: Partial<OrderInput> = {}): Record<string, unknown> {
  return orderRecord({
    Id: '801Dn00000Amend001',
    Type: 'Amendment',
    EffectiveDate: '2026-03-15',
    EndDate: '2026-12-31',
    ContractId: SF_CONTRACT_ID,
    items: [
      item({
        Id: '802Dn00000AmendL01',
        code: 'SEAT',
        Quantity: 5,
        UnitPrice: 100,
        ServiceDate: '2026-03-15',
        EndDate: '2026-12-31',
        revises: SEATS_ITEM_ID,
      }),
      item({
        Id: '802Dn00000AmendL02',
        code: 'ANALYTICS-PREMIUM',
        Quantity: 1,
        UnitPrice: 250,
        ServiceDate: '2026-03-15',
        EndDate: '2026-12-31',
      }),
    ],
    ...overrides,
  });
}

/** A crm.record-changed payload around a record. */
export function changedPayload(record: Record<string, unknown>, replayId = '1001'): CrmRecordChangedPayload {
  return {
    objectType: 'Order',
    recordId: String(record.Id),
    changeType: 'UPDATE',
    commitTimestamp: '2026-03-15T09:30:00.000Z',
    capturedBy: { channel: 'cdc', replayId },
    record,
  };
}
