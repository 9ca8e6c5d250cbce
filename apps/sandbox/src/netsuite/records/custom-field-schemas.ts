import { z } from 'zod';
import type { NetSuiteCustomField } from '../../vendor-metadata/netsuite-metadata';
import { loadNetSuiteMetadata } from '../../vendor-metadata/netsuite-metadata';
import { vendorDir } from '../../vendor-metadata/vendor-dir';

/**
 * Revline's custom fields and record types, read at start from the SDF project a customer deploys (`vendor/netsuite/`),
 * so the sandbox account cannot drift from it: a field the project does not define is refused like any unknown field.
 */
export const NETSUITE_METADATA = loadNetSuiteMetadata(vendorDir());

/** How the records service takes the values of a few field types it defines itself. */
export interface CustomFieldReadings {
  /** A SELECT field's value: a reference to a record of its list. */
  readonly select: z.ZodType;
  /** A CURRENCY or FLOAT field's value, and the TEXT fields Revline writes decimal text into. */
  readonly decimal: z.ZodType;
  /** TEXT fields the sandbox reads as decimal amounts (their text is a decimal Revline writes exactly). */
  readonly decimalText: ReadonlySet<string>;
}

/** NetSuite's free-form text holds 300 characters and long text 1,000,000, unless the field sets a smaller maximum. */
const TEXT_MAX = 300;
const LONG_TEXT_MAX = 1_000_000;

function text(field: NetSuiteCustomField, max: number): z.ZodType {
  const schema = z.string().max(field.maxlength ?? max);
  return field.mandatory ? schema.min(1) : schema;
}

function integer(field: NetSuiteCustomField): z.ZodType {
  const schema = z.number().int();
  return field.minvalue === undefined ? schema : schema.min(field.minvalue);
}

function valueSchema(field: NetSuiteCustomField, readings: CustomFieldReadings): z.ZodType {
  if (readings.decimalText.has(field.scriptid)) return readings.decimal;
  switch (field.fieldtype) {
    case 'TEXT':
    case 'TEXTAREA':
      return text(field, TEXT_MAX);
    case 'CLOBTEXT':
      return text(field, LONG_TEXT_MAX);
    case 'INTEGER':
      return integer(field);
    case 'CURRENCY':
    case 'FLOAT':
      return readings.decimal;
    case 'SELECT':
      return readings.select;
    case 'CHECKBOX':
      return z.boolean();
    default:
      throw new Error(`${field.scriptid}: the sandbox knows no ${field.fieldtype} custom field`);
  }
}

/** A zod shape of custom fields, each optional unless the metadata makes it mandatory. */
export function customFieldShape(
  fields: readonly NetSuiteCustomField[],
  readings: CustomFieldReadings,
): Record<string, z.ZodType> {
  return Object.fromEntries(
    fields.map((field) => {
      const schema = valueSchema(field, readings);
      return [field.scriptid, field.mandatory ? schema : schema.optional()];
    }),
  );
}

/** The transaction body or column fields that apply to one kind of transaction (`bodysale`, `coljournal`…). */
export function transactionFields(appliesTo: string): readonly NetSuiteCustomField[] {
  const { bodyFields, columnFields } = NETSUITE_METADATA;
  return [...bodyFields, ...columnFields].filter((field) => field.appliesTo.includes(appliesTo));
}

/** One custom record type's fields, by its script id. */
export function recordTypeFields(scriptid: string): readonly NetSuiteCustomField[] {
  const type = NETSUITE_METADATA.recordTypes.find((t) => t.scriptid === scriptid);
  if (type === undefined) throw new Error(`vendor/netsuite defines no custom record type ${scriptid}`);
  return type.fields;
}

/**
 * A strict record schema: its standard fields, plus the custom fields the metadata defines. `Custom` is what the
 * sandbox's own logic reads of them (compile-time only); which exist and their limits come from the metadata.
 */
export function withCustomFields<Custom>() {
  return <Shape extends z.ZodRawShape>(standard: Shape, custom: Record<string, z.ZodType>) =>
    z.strictObject({ ...standard, ...custom }) as unknown as z.ZodType<z.output<z.ZodObject<Shape>> & Custom>;
}
