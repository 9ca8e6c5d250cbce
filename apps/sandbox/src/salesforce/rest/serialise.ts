import { formatDateTime } from '../org/clock';
import { isAbsentField } from '../org/absent-fields';
import type { StoredRecord } from '../org/org-store';
import type { FieldDef, ObjectDef } from '../org/schema';
import { OBJECTS } from '../org/schema';

/** A record as the REST API returns it: `attributes`, then its fields, datetimes as `…T…+0000`. */
export function recordJson(
  apiVersion: string,
  def: ObjectDef,
  record: StoredRecord,
  fields?: readonly FieldDef[],
): Record<string, unknown> {
  const id = record.values.Id as string;
  const out: Record<string, unknown> = {
    attributes: { type: def.name, url: `/services/data/v${apiVersion}/sobjects/${def.name}/${id}` },
  };
  for (const field of fields ?? def.fields) {
    const value = record.values[field.name] ?? null;
    out[field.name] =
      value !== null && field.type === 'datetime' ? formatDateTime(new Date(value as string)) : value;
  }
  return out;
}

function describeField(field: FieldDef): Record<string, unknown> {
  const writable = !field.system;
  const lengths: Partial<Record<FieldDef['type'], number>> = { id: 18, reference: 18, picklist: 255 };
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    length: field.length ?? lengths[field.type] ?? 0,
    nillable: !field.required && field.name !== 'Id',
    precision: field.precision ?? 0,
    scale: field.scale ?? 0,
    createable: writable,
    updateable: writable && !field.createOnly,
    defaultedOnCreate: field.system === true || field.defaultValue !== undefined,
    defaultValue: field.defaultValue ?? null,
    calculated:
      field.system === true &&
      !['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'].includes(field.name),
    autoNumber: ['OrderNumber', 'ContractNumber', 'OrderItemNumber'].includes(field.name),
    custom: field.name.endsWith('__c'),
    externalId: field.externalId === true,
    unique: field.externalId === true,
    idLookup: field.name === 'Id' || field.externalId === true,
    filterable: true,
    sortable: field.type !== 'textarea',
    picklistValues: (field.picklist ?? []).map((value) => ({
      active: true,
      defaultValue: value === field.defaultValue,
      label: value,
      validFor: null,
      value,
    })),
    referenceTo: field.referenceTo ? [field.referenceTo] : [],
    relationshipName: field.relationshipName ?? null,
    soapType: `xsd:${field.type === 'reference' || field.type === 'id' ? 'ID' : 'string'}`,
  };
}

function urls(apiVersion: string, def: ObjectDef): Record<string, string> {
  const base = `/services/data/v${apiVersion}/sobjects/${def.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

export function describeSObject(apiVersion: string, def: ObjectDef): Record<string, unknown> {
  return {
    name: def.name,
    label: def.label,
    labelPlural: `${def.label}s`,
    keyPrefix: def.keyPrefix,
    custom: def.custom,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    retrieveable: true,
    fields: def.fields.filter((field) => !isAbsentField(def.name, field.name)).map(describeField),
    childRelationships: def.childRelationships.map((c) => ({
      childSObject: c.childSObject,
      field: c.field,
      relationshipName: c.relationshipName,
      cascadeDelete: c.childSObject === 'OrderItem',
    })),
    urls: urls(apiVersion, def),
  };
}

export function describeGlobal(apiVersion: string): Record<string, unknown> {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: OBJECTS.map((def) => ({
      name: def.name,
      label: def.label,
      keyPrefix: def.keyPrefix,
      custom: def.custom,
      createable: true,
      updateable: true,
      deletable: true,
      queryable: true,
      urls: urls(apiVersion, def),
    })),
  };
}
