import type { SalesforceCustomField } from '../../vendor-metadata/salesforce-metadata';
import { loadSalesforceMetadata } from '../../vendor-metadata/salesforce-metadata';
import { vendorDir } from '../../vendor-metadata/vendor-dir';
import type { ChildRelationship, FieldDef, FieldType } from './schema';

/**
 * The org's custom parts, read at start from the Salesforce DX source a customer deploys (`vendor/salesforce/`), so
 * the sandbox cannot drift from it: Revline's custom fields on standard objects and its custom objects.
 */
export const SALESFORCE_METADATA = loadSalesforceMetadata(vendorDir());

/** The Metadata API's field types the sandbox org knows, as describe names them. */
const FIELD_TYPES: Readonly<Record<string, FieldType>> = {
  Text: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Picklist: 'picklist',
  Number: 'double',
  Currency: 'currency',
  Date: 'date',
  DateTime: 'datetime',
  Checkbox: 'boolean',
  Lookup: 'reference',
  Url: 'url',
};

function toFieldDef(field: SalesforceCustomField): FieldDef {
  const type = FIELD_TYPES[field.type] as FieldType | undefined;
  if (type === undefined)
    throw new Error(`${field.object}.${field.fullName}: the sandbox knows no ${field.type} field`);
  return {
    name: field.fullName,
    type,
    label: field.label,
    ...(field.required && { required: true }),
    ...(field.externalId && { externalId: true }),
    ...(field.length !== undefined && { length: field.length }),
    ...(type === 'double' && { precision: field.precision, scale: field.scale }),
    ...(field.picklist && { picklist: field.picklist }),
    ...(field.referenceTo !== undefined && {
      referenceTo: field.referenceTo,
      relationshipName: field.fullName.replace(/__c$/, '__r'),
    }),
  };
}

/** One object's custom fields, as describe and validation know them. */
export function customFields(object: string): FieldDef[] {
  return SALESFORCE_METADATA.fields.filter((f) => f.object === object).map(toFieldDef);
}

/** The child relationships custom lookups give an object (`Revline_Billing_Invoices__r` on Order and Account). */
export function customChildRelationships(object: string): ChildRelationship[] {
  return SALESFORCE_METADATA.fields
    .filter((f) => f.referenceTo === object && f.relationshipName !== undefined)
    .map((f) => ({
      relationshipName: `${f.relationshipName ?? ''}__r`,
      childSObject: f.object,
      field: f.fullName,
    }));
}
