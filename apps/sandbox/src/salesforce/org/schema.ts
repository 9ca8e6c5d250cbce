import type { SalesforceCustomObject } from '../../vendor-metadata/salesforce-metadata';
import { isAbsentField } from './absent-fields';
import { customChildRelationships, customFields, SALESFORCE_METADATA } from './custom-fields';

/**
 * The sObjects this sandbox org knows, with the metadata describe returns and validation needs. The standard objects
 * are defined here; Revline's custom fields and objects come from the metadata a customer deploys (custom-fields.ts).
 */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'reference'
  | 'double'
  | 'currency'
  | 'int'
  | 'date'
  | 'datetime'
  | 'boolean'
  | 'url';

export interface FieldDef {
  name: string;
  type: FieldType;
  label: string;
  /** Must be given on create (not nillable, no default). */
  required?: boolean;
  /** Set by the org, never by a caller (Id, audit fields, auto numbers, formulas). */
  system?: boolean;
  /** May be set on create but not changed afterwards (e.g. OrderItem.OrderId, a master-detail). */
  createOnly?: boolean;
  picklist?: readonly string[];
  referenceTo?: string;
  relationshipName?: string;
  externalId?: boolean;
  length?: number;
  /** A number field's total digits and digits after the point: Number(precision, scale). */
  precision?: number;
  scale?: number;
  defaultValue?: string | number | boolean;
}

export interface ChildRelationship {
  relationshipName: string;
  childSObject: string;
  field: string;
}

export interface ObjectDef {
  name: string;
  label: string;
  keyPrefix: string;
  custom: boolean;
  nameField?: string;
  fields: readonly FieldDef[];
  childRelationships: readonly ChildRelationship[];
  /** Whether Change Data Capture publishes this object's changes. */
  cdc: boolean;
}

const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'KWD', 'CAD', 'AUD'] as const;

const f = (name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type,
  label: name.replace(/__c$/, '').replace(/_/g, ' '),
  ...extra,
});

/** The country codes the sandbox org's country picklist offers (a subset of ISO 3166-1 alpha-2). */
const COUNTRY_CODES = [
  'AU',
  'AT',
  'BE',
  'BR',
  'CA',
  'CH',
  'CN',
  'DE',
  'DK',
  'ES',
  'FI',
  'FR',
  'GB',
  'IE',
  'IN',
  'IT',
  'JP',
  'KW',
  'MX',
  'NL',
  'NO',
  'NZ',
  'PL',
  'PT',
  'SE',
  'SG',
  'US',
  'ZA',
];

const systemFields = (): FieldDef[] => [
  f('Id', 'id', { system: true }),
  f('IsDeleted', 'boolean', { system: true }),
  f('CreatedDate', 'datetime', { system: true }),
  f('CreatedById', 'reference', { system: true, referenceTo: 'User' }),
  f('LastModifiedDate', 'datetime', { system: true }),
  f('LastModifiedById', 'reference', { system: true, referenceTo: 'User' }),
  f('SystemModstamp', 'datetime', { system: true }),
];

const currency = (): FieldDef =>
  f('CurrencyIsoCode', 'picklist', { picklist: CURRENCIES, defaultValue: 'USD' });

const STANDARD_OBJECTS: readonly ObjectDef[] = [
  {
    name: 'Account',
    label: 'Account',
    keyPrefix: '001',
    custom: false,
    nameField: 'Name',
    cdc: true,
    fields: [
      ...systemFields(),
      f('Name', 'string', { required: true, length: 255 }),
      f('AccountNumber', 'string', { length: 40 }),
      f('Type', 'picklist', { picklist: ['Prospect', 'Customer', 'Partner', 'Other'] }),
      f('BillingStreet', 'textarea', { length: 255 }),
      f('BillingCity', 'string', { length: 40 }),
      f('BillingState', 'string', { length: 80 }),
      f('BillingPostalCode', 'string', { length: 20 }),
      f('BillingCountry', 'string', { length: 80 }),
      // With State and Country/Territory Picklists on, Salesforce keeps the ISO 3166-1 alpha-2 code beside the name.
      f('BillingCountryCode', 'picklist', { picklist: COUNTRY_CODES }),
      f('Industry', 'picklist', { picklist: ['Technology', 'Finance', 'Healthcare', 'Retail', 'Other'] }),
      currency(),
    ],
    childRelationships: [
      { relationshipName: 'Orders', childSObject: 'Order', field: 'AccountId' },
      { relationshipName: 'Contracts', childSObject: 'Contract', field: 'AccountId' },
    ],
  },
  {
    name: 'Product2',
    label: 'Product',
    keyPrefix: '01t',
    custom: false,
    nameField: 'Name',
    cdc: true,
    fields: [
      ...systemFields(),
      f('Name', 'string', { required: true, length: 255 }),
      f('ProductCode', 'string', { length: 255 }),
      f('Description', 'textarea', { length: 4000 }),
      f('IsActive', 'boolean', { defaultValue: true }),
      f('Family', 'picklist', { picklist: ['Subscription', 'Add-on', 'Services', 'Usage'] }),
      f('SBQQ__ChargeType__c', 'picklist', { picklist: ['One-Time', 'Recurring', 'Usage'] }),
      f('SBQQ__BillingFrequency__c', 'picklist', {
        picklist: ['Monthly', 'Quarterly', 'Semiannual', 'Annual', 'Invoice Plan'],
      }),
      f('SBQQ__SubscriptionType__c', 'picklist', { picklist: ['Renewable', 'One-time', 'Evergreen'] }),
      currency(),
    ],
    childRelationships: [
      { relationshipName: 'PricebookEntries', childSObject: 'PricebookEntry', field: 'Product2Id' },
    ],
  },
  {
    name: 'Pricebook2',
    label: 'Price Book',
    keyPrefix: '01s',
    custom: false,
    nameField: 'Name',
    cdc: false,
    fields: [
      ...systemFields(),
      f('Name', 'string', { required: true, length: 255 }),
      f('IsActive', 'boolean', { defaultValue: true }),
      f('IsStandard', 'boolean', { system: true }),
      f('Description', 'textarea', { length: 4000 }),
    ],
    childRelationships: [
      { relationshipName: 'PricebookEntries', childSObject: 'PricebookEntry', field: 'Pricebook2Id' },
    ],
  },
  {
    name: 'PricebookEntry',
    label: 'Price Book Entry',
    keyPrefix: '01u',
    custom: false,
    cdc: false,
    fields: [
      ...systemFields(),
      f('Name', 'string', { system: true }),
      f('Pricebook2Id', 'reference', {
        required: true,
        createOnly: true,
        referenceTo: 'Pricebook2',
        relationshipName: 'Pricebook2',
      }),
      f('Product2Id', 'reference', {
        required: true,
        createOnly: true,
        referenceTo: 'Product2',
        relationshipName: 'Product2',
      }),
      f('ProductCode', 'string', { system: true }),
      f('UnitPrice', 'currency', { required: true }),
      f('IsActive', 'boolean', { defaultValue: true }),
      f('UseStandardPrice', 'boolean', { defaultValue: false }),
      currency(),
    ],
    childRelationships: [],
  },
  {
    name: 'Contract',
    label: 'Contract',
    keyPrefix: '800',
    custom: false,
    nameField: 'ContractNumber',
    cdc: true,
    fields: [
      ...systemFields(),
      f('ContractNumber', 'string', { system: true }),
      f('AccountId', 'reference', { required: true, referenceTo: 'Account', relationshipName: 'Account' }),
      f('Status', 'picklist', {
        picklist: ['Draft', 'In Approval Process', 'Activated'],
        defaultValue: 'Draft',
      }),
      f('StartDate', 'date'),
      f('ContractTerm', 'int'),
      f('EndDate', 'date', { system: true }),
      f('SBQQ__Order__c', 'reference', { referenceTo: 'Order', relationshipName: 'SBQQ__Order__r' }),
      f('SBQQ__RenewalTerm__c', 'int'),
      currency(),
    ],
    childRelationships: [{ relationshipName: 'Orders', childSObject: 'Order', field: 'ContractId' }],
  },
  {
    name: 'Order',
    label: 'Order',
    keyPrefix: '801',
    custom: false,
    nameField: 'OrderNumber',
    cdc: true,
    fields: [
      ...systemFields(),
      f('OrderNumber', 'string', { system: true }),
      f('AccountId', 'reference', { required: true, referenceTo: 'Account', relationshipName: 'Account' }),
      f('ContractId', 'reference', { referenceTo: 'Contract', relationshipName: 'Contract' }),
      f('Pricebook2Id', 'reference', { referenceTo: 'Pricebook2', relationshipName: 'Pricebook2' }),
      f('EffectiveDate', 'date', { required: true }),
      f('EndDate', 'date'),
      f('Status', 'picklist', { required: true, picklist: ['Draft', 'Activated'] }),
      f('StatusCode', 'picklist', { system: true, picklist: ['Draft', 'Activated'] }),
      f('Type', 'picklist', { picklist: ['New', 'Amendment', 'Renewal'], defaultValue: 'New' }),
      f('ActivatedDate', 'datetime', { system: true }),
      f('ActivatedById', 'reference', { system: true, referenceTo: 'User' }),
      f('TotalAmount', 'currency', { system: true }),
      f('PoNumber', 'string', { length: 80 }),
      f('Description', 'textarea', { length: 32_000 }),
      f('SBQQ__Quote__c', 'string', { length: 18 }),
      f('SBQQ__Contracted__c', 'boolean', { defaultValue: false }),
      f('SBQQ__RenewedContract__c', 'reference', {
        referenceTo: 'Contract',
        relationshipName: 'SBQQ__RenewedContract__r',
      }),
      currency(),
    ],
    childRelationships: [{ relationshipName: 'OrderItems', childSObject: 'OrderItem', field: 'OrderId' }],
  },
  {
    name: 'OrderItem',
    label: 'Order Product',
    keyPrefix: '802',
    custom: false,
    nameField: 'OrderItemNumber',
    cdc: true,
    fields: [
      ...systemFields(),
      f('OrderItemNumber', 'string', { system: true }),
      f('OrderId', 'reference', {
        required: true,
        createOnly: true,
        referenceTo: 'Order',
        relationshipName: 'Order',
      }),
      f('PricebookEntryId', 'reference', {
        required: true,
        createOnly: true,
        referenceTo: 'PricebookEntry',
        relationshipName: 'PricebookEntry',
      }),
      f('Product2Id', 'reference', {
        createOnly: true,
        referenceTo: 'Product2',
        relationshipName: 'Product2',
      }),
      f('Quantity', 'double', { required: true }),
      f('UnitPrice', 'currency', { required: true }),
      f('ListPrice', 'currency', { system: true }),
      f('TotalPrice', 'currency', { system: true }),
      f('ServiceDate', 'date'),
      f('EndDate', 'date'),
      f('Description', 'string', { length: 255 }),
      f('SBQQ__RevisedOrderProduct__c', 'reference', {
        createOnly: true,
        referenceTo: 'OrderItem',
        relationshipName: 'SBQQ__RevisedOrderProduct__r',
      }),
      f('SBQQ__ChargeType__c', 'picklist', { picklist: ['One-Time', 'Recurring', 'Usage'] }),
      f('SBQQ__BillingFrequency__c', 'picklist', {
        picklist: ['Monthly', 'Quarterly', 'Semiannual', 'Annual', 'Invoice Plan'],
      }),
      // CPQ multi-dimensional quoting: the segments of one ramped line share a segment key.
      f('SBQQ__SegmentKey__c', 'string', { length: 255 }),
    ],
    childRelationships: [],
  },
];

/** The org-assigned key prefixes of Revline's custom objects (a real org picks its own; ids are never parsed). */
const CUSTOM_KEY_PREFIXES: Readonly<Record<string, string>> = { Revline_Billing_Invoice__c: 'a0B' };

function customObject(meta: SalesforceCustomObject): ObjectDef {
  const keyPrefix = CUSTOM_KEY_PREFIXES[meta.name] as string | undefined;
  if (keyPrefix === undefined) throw new Error(`The sandbox org has no key prefix for ${meta.name}`);
  return {
    name: meta.name,
    label: meta.label,
    keyPrefix,
    custom: true,
    nameField: 'Name',
    cdc: true,
    fields: [...systemFields(), f('Name', 'string', { length: 80 }), ...customFields(meta.name), currency()],
    childRelationships: customChildRelationships(meta.name),
  };
}

/** A standard object with the custom fields and child relationships the deployed metadata adds to it. */
const withCustomParts = (object: ObjectDef): ObjectDef => ({
  ...object,
  fields: [...object.fields, ...customFields(object.name)],
  childRelationships: [...object.childRelationships, ...customChildRelationships(object.name)],
});

export const OBJECTS: readonly ObjectDef[] = [
  ...STANDARD_OBJECTS.map(withCustomParts),
  ...SALESFORCE_METADATA.customObjects.map(customObject),
];

const BY_NAME = new Map(OBJECTS.map((o) => [o.name.toLowerCase(), o]));
const BY_PREFIX = new Map(OBJECTS.map((o) => [o.keyPrefix, o]));

/** Object names are case-insensitive in the API, as in Salesforce. */
export function objectDef(name: string): ObjectDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function objectForId(id: string): ObjectDef | undefined {
  return BY_PREFIX.get(id.slice(0, 3));
}

const FIELD_INDEX = new Map(
  OBJECTS.map((o) => [o.name, new Map(o.fields.map((field) => [field.name.toLowerCase(), field]))]),
);

/** Field names are case-insensitive too; the answer carries the canonical spelling. */
export function fieldDef(object: ObjectDef, name: string): FieldDef | undefined {
  if (isAbsentField(object.name, name)) return undefined;
  return FIELD_INDEX.get(object.name)?.get(name.toLowerCase());
}

export function relationshipField(object: ObjectDef, relationshipName: string): FieldDef | undefined {
  const lower = relationshipName.toLowerCase();
  return object.fields.find((field) => field.relationshipName?.toLowerCase() === lower);
}

export function childRelationship(object: ObjectDef, name: string): ChildRelationship | undefined {
  const lower = name.toLowerCase();
  return object.childRelationships.find((c) => c.relationshipName.toLowerCase() === lower);
}

/** An object this org defines, by its API name; for code that names objects literally. */
export function requireObject(name: string): ObjectDef {
  const def = objectDef(name);
  if (!def) throw new Error(`Unknown sObject ${name}`);
  return def;
}
