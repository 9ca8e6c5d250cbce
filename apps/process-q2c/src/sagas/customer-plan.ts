import type { ContractBooked } from '@revline/canonical';
import type {
  BillingContractChangePayload,
  CrmWriteBackPayload,
  ErpCustomerPayload,
} from '@revline/messaging';
import type { SagaData } from './saga-data';

/**
 * One customer per Salesforce account in each system. Its ERP external id derives from the account id alone, so
 * every contract of the account names the same ERP customer; its billing customer is the account's too (the
 * billing system API keeps one per account). Both carry the account's name, billing address and currency.
 */
export function erpCustomerExternalId(
  customer: ContractBooked['customer'],
  salesforceAccountId: string,
): string {
  return customer.erpCustomerId ?? `CUST-${salesforceAccountId}`;
}

/** The customer's name: the account's, or (a mapping that does not read it) the account id. */
function nameOf(customer: ContractBooked['customer'], salesforceAccountId: string): string {
  return customer.name ?? salesforceAccountId;
}

/** The customer block of a billing command. */
export function billingCustomer(
  data: SagaData,
  customer: ContractBooked['customer'],
): BillingContractChangePayload['customer'] {
  return {
    ...(data.billingCustomerId ? { billingCustomerId: data.billingCustomerId } : {}),
    name: nameOf(customer, data.salesforceAccountId),
    crmAccountId: data.salesforceAccountId,
    ...(customer.billingAddress ? { address: customer.billingAddress } : {}),
  };
}

/**
 * The ERP customer a booking upserts, or null when the account already names its ERP customer (its ERP id, written
 * back by an earlier booking): a later contract of the account costs the ERP no request.
 */
export function erpCustomerPayload(
  booking: ContractBooked,
  salesforceAccountId: string,
  subsidiary: string,
): ErpCustomerPayload | null {
  const { customer } = booking;
  if (customer.erpCustomerId) return null;
  return {
    externalId: erpCustomerExternalId(customer, salesforceAccountId),
    // NetSuite's companyName holds 83 characters.
    name: nameOf(customer, salesforceAccountId).slice(0, 83),
    subsidiary,
    currency: customer.currency ?? booking.currency,
    ...(customer.billingAddress ? { address: customer.billingAddress } : {}),
  };
}

/**
 * The account's write-back after a booking: its billing and ERP customer ids, when the order did not already carry
 * them (a later contract of an account already written back sends nothing).
 */
export function accountWriteBack(
  data: SagaData,
  customer: ContractBooked['customer'],
): CrmWriteBackPayload | null {
  const fields: CrmWriteBackPayload['fields'] = {};
  if (data.billingCustomerId && data.billingCustomerId !== customer.billingCustomerId)
    fields.billingId = data.billingCustomerId;
  if (data.erpCustomerExternalId && data.erpCustomerExternalId !== customer.erpCustomerId)
    fields.erpId = data.erpCustomerExternalId;
  if (Object.keys(fields).length === 0) return null;
  return { objectType: 'Account', recordId: data.salesforceAccountId, fields };
}
