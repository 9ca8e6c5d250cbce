import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { XmlElement } from './xml';
import { children, readXml, text, texts } from './xml';

/** A CustomField of the Salesforce DX source (`objects/<Object>/fields/<Field>.field-meta.xml`), as deployed. */
export interface SalesforceCustomField {
  readonly object: string;
  readonly fullName: string;
  /** The Metadata API's FieldType: Text, LongTextArea, Picklist, Number, Currency, Date, DateTime, Lookup… */
  readonly type: string;
  readonly label: string;
  readonly required: boolean;
  readonly externalId: boolean;
  readonly length?: number;
  readonly precision?: number;
  readonly scale?: number;
  /** A picklist's value API names, in order. */
  readonly picklist?: readonly string[];
  readonly referenceTo?: string;
  /** A lookup's child relationship name on the parent, without `__r`. */
  readonly relationshipName?: string;
}

/** A CustomObject (`objects/<Object>/<Object>.object-meta.xml`). */
export interface SalesforceCustomObject {
  readonly name: string;
  readonly label: string;
  readonly nameFieldLabel: string;
}

export interface SalesforceMetadata {
  readonly fields: readonly SalesforceCustomField[];
  readonly customObjects: readonly SalesforceCustomObject[];
  /** The change events selected on the standard ChangeEvents channel (PlatformEventChannelMember). */
  readonly changeEvents: readonly string[];
}

const SOURCE = ['salesforce', 'force-app', 'main', 'default'];

/** The DX source's folder of one metadata type. */
export function salesforceSourceDir(vendor: string, folder: string): string {
  return join(vendor, ...SOURCE, folder);
}

/** Reads one metadata file, checking its root element is the type its suffix names. */
function readComponent(path: string, type: string): XmlElement {
  const { root, element } = readXml(path);
  if (root !== type) throw new Error(`${path}: root element ${root}, expected ${type}`);
  return element;
}

const number = (element: XmlElement, name: string): number | undefined => {
  const value = text(element, name);
  return value === undefined ? undefined : Number(value);
};

function picklistValues(field: XmlElement): string[] | undefined {
  const valueSet = children(field, 'valueSet').at(0);
  if (valueSet === undefined) return undefined;
  return children(valueSet, 'valueSetDefinition').flatMap((d) =>
    children(d, 'value').flatMap((v) => texts(v, 'fullName')),
  );
}

function readField(object: string, path: string): SalesforceCustomField {
  const field = readComponent(path, 'CustomField');
  const fullName = text(field, 'fullName') ?? '';
  if (!path.endsWith(`/${fullName}.field-meta.xml`))
    throw new Error(`${path}: fullName ${fullName} is not its name`);
  return {
    object,
    fullName,
    type: text(field, 'type') ?? '',
    label: text(field, 'label') ?? fullName,
    required: text(field, 'required') === 'true',
    externalId: text(field, 'externalId') === 'true',
    length: number(field, 'length'),
    precision: number(field, 'precision'),
    scale: number(field, 'scale'),
    picklist: picklistValues(field),
    referenceTo: text(field, 'referenceTo'),
    relationshipName: text(field, 'relationshipName'),
  };
}

function readObjectFields(objectsDir: string, object: string): SalesforceCustomField[] {
  const dir = join(objectsDir, object, 'fields');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.field-meta.xml'))
    .sort()
    .map((f) => readField(object, join(dir, f)));
}

function readCustomObject(objectsDir: string, object: string): SalesforceCustomObject | undefined {
  const path = join(objectsDir, object, `${object}.object-meta.xml`);
  if (!existsSync(path)) return undefined;
  const element = readComponent(path, 'CustomObject');
  const nameField = children(element, 'nameField').at(0);
  return {
    name: object,
    label: text(element, 'label') ?? object,
    nameFieldLabel: nameField === undefined ? 'Name' : (text(nameField, 'label') ?? 'Name'),
  };
}

function readChangeEvents(vendor: string): string[] {
  const dir = salesforceSourceDir(vendor, 'platformEventChannelMembers');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.platformEventChannelMember-meta.xml'))
    .map((f) => readComponent(join(dir, f), 'PlatformEventChannelMember'))
    .filter((member) => text(member, 'eventChannel') === 'ChangeEvents')
    .map((member) => text(member, 'selectedEntity') ?? '');
}

/** Everything the Salesforce DX source under `vendor/` defines that the sandbox org needs. */
export function loadSalesforceMetadata(vendor: string): SalesforceMetadata {
  const objectsDir = salesforceSourceDir(vendor, 'objects');
  const objects = readdirSync(objectsDir).sort();
  return {
    fields: objects.flatMap((o) => readObjectFields(objectsDir, o)),
    customObjects: objects.flatMap((o) => readCustomObject(objectsDir, o) ?? []),
    changeEvents: readChangeEvents(vendor),
  };
}
