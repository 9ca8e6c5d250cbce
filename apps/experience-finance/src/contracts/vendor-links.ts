import type { ConsoleConfig } from '../console/console.config';

/** What a lineage hop names: the system, its object type there, and the record's id. */
export interface HopRef {
  system: string;
  objectType: string;
  externalId: string;
}

const SALESFORCE_OBJECT = /^[A-Z][A-Za-z0-9_]*$/;
const SALESFORCE_ID = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/;
const STRIPE_PATHS: Record<string, string> = {
  Customer: 'customers',
  Account: 'customers',
  Subscription: 'subscriptions',
  Invoice: 'invoices',
};
/** NetSuite's transaction records (the rest of the ERP hops are commands or journals of Revline's own). */
const NETSUITE_TRANSACTIONS = new Set(['invoice', 'creditMemo', 'payment', 'salesOrder', 'journalEntry']);

const trimmed = (base: string): string => base.replace(/\/+$/, '');
const id = (value: string): string => encodeURIComponent(value);

/**
 * The record's page in its vendor's own UI, when that vendor's base URL is configured and the hop names a record
 * there: a Salesforce record (Lightning), a Stripe customer, subscription or invoice, a NetSuite transaction or
 * customer. Null otherwise (Revline's own hops, commands, journals).
 */
export function vendorUrl(hop: HopRef, config: ConsoleConfig): string | null {
  const { system, objectType, externalId } = hop;
  if (system === 'salesforce') {
    const base = config.SALESFORCE_UI_BASE_URL;
    if (!base || !SALESFORCE_OBJECT.test(objectType) || !SALESFORCE_ID.test(externalId)) return null;
    return `${trimmed(base)}/lightning/r/${objectType}/${id(externalId)}/view`;
  }
  if (system === 'billing') {
    const base = config.STRIPE_DASHBOARD_URL;
    const path = STRIPE_PATHS[objectType];
    if (!base || !path) return null;
    return `${trimmed(base)}/${path}/${id(externalId)}`;
  }
  if (system === 'erp') {
    const base = config.NETSUITE_UI_BASE_URL;
    if (!base) return null;
    if (objectType === 'customer') return `${trimmed(base)}/app/common/entity/entity.nl?id=${id(externalId)}`;
    if (NETSUITE_TRANSACTIONS.has(objectType))
      return `${trimmed(base)}/app/accounting/transactions/transaction.nl?id=${id(externalId)}`;
  }
  return null;
}
