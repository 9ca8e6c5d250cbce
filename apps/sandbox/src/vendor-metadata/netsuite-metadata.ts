import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { XmlElement } from './xml';
import { children, readXml, text } from './xml';

/** A custom field of the SDF project (a transaction body or column field, or a custom record type's field). */
export interface NetSuiteCustomField {
  readonly scriptid: string;
  /** SDF's generic_customfield_fieldtype: TEXT, CLOBTEXT, INTEGER, CURRENCY, SELECT… */
  readonly fieldtype: string;
  readonly label: string;
  readonly mandatory: boolean;
  readonly maxlength?: number;
  readonly minvalue?: number;
  /** A SELECT field's list: a standard record's negative id (-122 is Currency) or a custom record's reference. */
  readonly selectrecordtype?: string;
  /** A transaction field's "applies to" boxes that are checked (`bodysale`, `bodyjournal`, `colsale`…). */
  readonly appliesTo: readonly string[];
}

export interface NetSuiteCustomRecordType {
  readonly scriptid: string;
  readonly recordname: string;
  readonly fields: readonly NetSuiteCustomField[];
}

/** One permission of a role: SDF's permkey (`TRAN_CUSTINVC`, `[scriptid=customrecord_…]`) and its level. */
export interface NetSuitePermission {
  readonly permkey: string;
  /** NONE, VIEW, CREATE, EDIT or FULL. */
  readonly permlevel: string;
}

export interface NetSuiteMetadata {
  readonly bodyFields: readonly NetSuiteCustomField[];
  readonly columnFields: readonly NetSuiteCustomField[];
  readonly recordTypes: readonly NetSuiteCustomRecordType[];
  /** The integration role's permissions (the project's one `role` object). */
  readonly rolePermissions: readonly NetSuitePermission[];
}

/** The SDF project's folder of custom objects. */
export function netsuiteObjectsDir(vendor: string): string {
  return join(vendor, 'netsuite', 'src', 'Objects');
}

const number = (element: XmlElement, name: string): number | undefined => {
  const value = text(element, name);
  return value === undefined ? undefined : Number(value);
};

const APPLIES_TO = /^(body|col)[a-z]+$/;

function customField(element: XmlElement): NetSuiteCustomField {
  const scriptid = element.$?.scriptid ?? '';
  return {
    scriptid,
    fieldtype: text(element, 'fieldtype') ?? 'TEXT',
    label: text(element, 'label') ?? scriptid,
    mandatory: text(element, 'ismandatory') === 'T',
    maxlength: number(element, 'maxlength'),
    minvalue: number(element, 'minvalue'),
    selectrecordtype: text(element, 'selectrecordtype'),
    appliesTo: Object.keys(element).filter((name) => APPLIES_TO.test(name) && text(element, name) === 'T'),
  };
}

function recordType(element: XmlElement): NetSuiteCustomRecordType {
  return {
    scriptid: element.$?.scriptid ?? '',
    recordname: text(element, 'recordname') ?? '',
    fields: children(element, 'customrecordcustomfields').flatMap((list) =>
      children(list, 'customrecordcustomfield').map(customField),
    ),
  };
}

/** Every object file of the SDF project, parsed: its root element (the SDF object type) and content. */
export function readNetSuiteObjects(vendor: string): { file: string; type: string; element: XmlElement }[] {
  const dir = netsuiteObjectsDir(vendor);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((file) => {
      const { root, element } = readXml(join(dir, file));
      if (`${element.$?.scriptid ?? ''}.xml` !== file)
        throw new Error(`${file}: scriptid is not its file name`);
      return { file, type: root, element };
    });
}

/** The custom fields and record types the SDF project under `vendor/` defines. */
export function loadNetSuiteMetadata(vendor: string): NetSuiteMetadata {
  const objects = readNetSuiteObjects(vendor);
  const of = (type: string) => objects.filter((o) => o.type === type).map((o) => o.element);
  return {
    bodyFields: of('transactionbodycustomfield').map(customField),
    columnFields: of('transactioncolumncustomfield').map(customField),
    recordTypes: of('customrecordtype').map(recordType),
    rolePermissions: of('role').flatMap((role) =>
      children(role, 'permissions').flatMap((list) =>
        children(list, 'permission').map((p) => ({
          permkey: text(p, 'permkey') ?? '',
          permlevel: text(p, 'permlevel') ?? 'NONE',
        })),
      ),
    ),
  };
}
