/**
 * Revline's view of a CRM, in Revline's terms: what a Salesforce adapter answers today and a HubSpot adapter could
 * answer tomorrow. Quantities and prices are decimal strings; dates are ISO dates; no vendor SDK types.
 */
export type CrmOrderKind = 'new' | 'amendment' | 'renewal';
export type CrmIntegrationStatus = 'not_synced' | 'pending' | 'in_progress' | 'synced' | 'error';

export interface CrmAccount {
  id: string;
  name: string;
  currency: string | null;
  accountNumber: string | null;
  /** The billing address; `countryCode` is the ISO 3166-1 alpha-2 code (orgs with country picklists keep it). */
  billingAddress: {
    street: string | null;
    city: string | null;
    state: string | null;
    postalCode: string | null;
    country: string | null;
    countryCode: string | null;
  };
  /** Ids Revline wrote back: the billing customer and the ERP customer. */
  billingId: string | null;
  erpId: string | null;
  /** The vendor's own field values by API name, for metadata-driven mappings. */
  fields: Record<string, unknown>;
}

export interface CrmProduct {
  id: string;
  code: string | null;
  name: string;
  chargeType: string | null;
  billingFrequency: string | null;
  active: boolean;
  fields: Record<string, unknown>;
}

export interface CrmOrderLine {
  id: string;
  productId: string;
  productCode: string | null;
  /** For an amendment line, the change in quantity (negative for a reduction), as CPQ records it. */
  quantity: string;
  unitPrice: string;
  totalPrice: string;
  serviceStart: string | null;
  serviceEnd: string | null;
  /** The line this amendment line revises. */
  revisesLineId: string | null;
  fields: Record<string, unknown>;
}

/** One line of an activated order with its order's terms: a row of the bulk read reconciliation takes. */
export interface CrmOrderLineRow {
  orderId: string;
  orderKind: CrmOrderKind;
  contractId: string | null;
  activatedAt: string | null;
  effectiveDate: string;
  endDate: string | null;
  currency: string | null;
  lineId: string;
  revisesLineId: string | null;
  productCode: string | null;
  quantity: string;
  unitPrice: string;
}

export interface CrmOrder {
  id: string;
  number: string;
  kind: CrmOrderKind;
  status: string;
  activated: boolean;
  activatedAt: string | null;
  currency: string | null;
  effectiveDate: string;
  endDate: string | null;
  accountId: string;
  /** The contract an amendment amends, or the contract created from this order. */
  contractId: string | null;
  /** For a renewal: the contract it renews. */
  renewsContractId: string | null;
  totalAmount: string;
  lastModifiedAt: string;
  /** The vendor's change stamp (Salesforce SystemModstamp), the poller's cursor. */
  changeStamp: string;
  /** In the CRM's recycle bin: read only when asked for deleted records too. */
  deleted: boolean;
  account: CrmAccount | null;
  lines: CrmOrderLine[];
  products: CrmProduct[];
  integration: CrmIntegrationFields;
  fields: Record<string, unknown>;
}

/** What Revline writes back onto an order or an account. */
export interface CrmIntegrationFields {
  status: CrmIntegrationStatus | null;
  message: string | null;
  correlationId: string | null;
  billingId: string | null;
  erpId: string | null;
  lastSyncedAt: string | null;
}

export interface CrmInvoice {
  invoiceId: string;
  number: string | null;
  amountMinor: string;
  currency: string;
  issuedOn: string;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
}

export interface CrmWriteBack {
  objectType: 'Order' | 'Account';
  recordId: string;
  fields: Partial<CrmIntegrationFields>;
  invoices?: CrmInvoice[];
}

export interface CrmWriteBackResult {
  /** The CRM fields written (every field the command sets: the update is idempotent, not compared first). */
  changedFields: string[];
  invoicesWritten: number;
}

/** One command's outcome in a batch of write-backs: its result, or the error its own record was refused with. */
export type CrmWriteBackOutcome = { ok: true; value: CrmWriteBackResult } | { ok: false; error: unknown };

/** A position in the CRM's change stream: a change stamp and the record id that breaks ties. */
export interface CrmCursor {
  stamp: string;
  id: string;
}

/** One row of the poller's page: an order activated or deleted at `stamp`. */
export interface CrmChangedRecord {
  id: string;
  stamp: string;
  deleted: boolean;
}

export interface CrmChangePage {
  /** In cursor order: by change stamp, ties broken by id. */
  changes: CrmChangedRecord[];
  next: CrmCursor;
  done: boolean;
}

/** One notification from the CRM's change feed, already fanned out to one record. */
export interface CrmChangeNotice {
  objectType: string;
  recordId: string;
  changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
  changedFields: string[];
  commitTimestamp: string;
  /** The change came from Revline's own client or integration user. */
  ownWrite: boolean;
  position: string;
}

export type CrmFeedSignal =
  | { kind: 'changes'; notices: CrmChangeNotice[]; position: string }
  /** The feed lost detail (a gap or overflow event, or an expired position): poll to catch up. */
  | { kind: 'gap'; reason: string; position: string | null };
