/**
 * Payloads of every job in the registry. They speak Revline's terms (the canonical model and the system APIs'
 * own DTOs), never a vendor SDK's types. Money is integer minor units as a string with its currency.
 */
export interface MoneyDto {
  amountMinor: string;
  currency: string;
}

export interface CrmRecordChangedPayload {
  objectType: 'Order' | 'Account' | 'Contract';
  recordId: string;
  changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
  commitTimestamp: string;
  /** The CDC replay id, or the poller's `(SystemModstamp, Id)` cursor that saw the change. */
  capturedBy: { channel: 'cdc'; replayId: string } | { channel: 'poller'; cursor: string };
  /** The record as read after the change, with its children (an Order's OrderItems, its Account). */
  record: Record<string, unknown>;
}

export interface CrmWriteBackPayload {
  objectType: 'Order' | 'Account';
  recordId: string;
  fields: Record<string, string | number | boolean | null>;
}

export interface BillingContractChangePayload {
  contractId: string;
  changeKind: 'create' | 'amend' | 'cancel' | 'renew';
  customer: { billingCustomerId?: string; name: string; crmAccountId: string };
  currency: string;
  effectiveDate: string;
  items: Array<{ priceId: string; quantity: string; lineId: string }>;
  prorationBehavior: 'create_prorations' | 'always_invoice' | 'none';
}

export interface BillingReportUsagePayload {
  meterEventName: string;
  events: Array<{ identifier: string; customerId: string; value: string; timestamp: string }>;
}

export interface BillingIssueCreditPayload {
  invoiceId: string;
  reason: 'duplicate' | 'fraudulent' | 'order_change' | 'product_unsatisfactory';
  lines: Array<{ invoiceLineId: string; amount: MoneyDto }>;
}

export interface BillingSubscriptionChangedPayload {
  contractId: string;
  subscriptionId: string;
  customerId: string;
  status: string;
  itemIds: Record<string, string>;
  eventCreatedAt: string;
}

export interface BillingDocumentPayload {
  documentId: string;
  customerId: string;
  subscriptionId?: string;
  total: MoneyDto;
  tax: MoneyDto;
  issuedOn: string;
  lines: Array<{
    lineId: string;
    description: string;
    amount: MoneyDto;
    proration: boolean;
    periodStart?: string;
    periodEnd?: string;
  }>;
  eventCreatedAt: string;
}

export interface BillingPaymentReceivedPayload {
  paymentId: string;
  invoiceId: string;
  customerId: string;
  amount: MoneyDto;
  receivedOn: string;
  eventCreatedAt: string;
}

export interface ErpCustomerPayload {
  externalId: string;
  name: string;
  subsidiary: string;
  currency: string;
}

export interface ErpDocumentPayload {
  externalId: string;
  customerExternalId: string;
  currency: string;
  tranDate: string;
  lines: Array<{ itemExternalId: string; amountMinor: string; description?: string }>;
}

export interface ErpRevenueSchedulePayload {
  externalId: string;
  contractId: string;
  obligationId: string;
  scheduleVersion: number;
  currency: string;
  periods: Array<{ period: string; amountMinor: string }>;
}

export interface ErpRevenueJournalPayload {
  externalId: string;
  contractId: string;
  obligationId: string;
  period: string;
  scheduleVersion: number;
  amount: MoneyDto;
  productClass: string;
  subsidiary: string;
}

export interface ErpPostedPayload {
  commandIdempotencyKey: string;
  recordType: string;
  externalId: string;
  erpId: string;
}

export interface ErpRejectedPayload {
  commandIdempotencyKey: string;
  recordType: string;
  externalId: string;
  errorCode: string;
  message: string;
}

export interface ReconcilePayload {
  scope: string;
  period?: string;
}

export interface RampStepDuePayload {
  contractId: string;
  segmentId: string;
  dueOn: string;
}

export interface RecognisePeriodPayload {
  period: string;
}
