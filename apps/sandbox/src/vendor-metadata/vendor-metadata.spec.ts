import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OBJECTS } from '../salesforce/org/schema';
import { loadNetSuiteMetadata, readNetSuiteObjects } from './netsuite-metadata';
import { loadSalesforceMetadata, salesforceSourceDir } from './salesforce-metadata';
import {
  definedVendorNames,
  namesInSources,
  undefinedNames,
  VENDOR_FIELD_PATTERN,
} from './vendor-field-coverage';
import { vendorDir } from './vendor-dir';
import type { XmlElement } from './xml';
import { children, readXml, text, texts } from './xml';

const VENDOR = vendorDir();
const ROOT = dirname(VENDOR);
const ADAPTERS = ['apps/system-salesforce/src', 'apps/system-erp/src', 'apps/process-q2c/src'].map((d) =>
  join(ROOT, d),
);
const salesforce = loadSalesforceMetadata(VENDOR);
const netsuite = loadNetSuiteMetadata(VENDOR);

const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

function xmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return xmlFiles(path);
    return e.name.endsWith('.xml') ? [path] : [];
  });
}

const component = (folder: string, file: string): XmlElement =>
  readXml(join(salesforceSourceDir(VENDOR, folder), file)).element;

describe('vendor/ metadata files', () => {
  it('are all well-formed XML, and a malformed file is refused naming it', () => {
    const files = xmlFiles(VENDOR);
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) expect(() => readXml(file), file).not.toThrow();
    const broken = join(ROOT, 'package.json');
    expect(() => readXml(broken)).toThrow(/package\.json is not well-formed XML/);
  });

  it('Salesforce components carry the Metadata API namespace', () => {
    for (const file of xmlFiles(join(VENDOR, 'salesforce'))) {
      const { element } = readXml(file);
      expect(element.$?.xmlns, file).toBe(METADATA_NS);
    }
  });
});

describe('Salesforce DX source (Metadata API shapes)', () => {
  it('is a DX project whose package directory holds the source', () => {
    const project = JSON.parse(readFileSync(join(VENDOR, 'salesforce', 'sfdx-project.json'), 'utf8')) as {
      packageDirectories: { path: string; default?: boolean }[];
      sourceApiVersion: string;
    };
    expect(project.packageDirectories).toEqual([{ path: 'force-app', default: true }]);
    expect(project.sourceApiVersion).toMatch(/^\d{2}\.0$/);
  });

  it('defines each CustomField with the elements its type requires', () => {
    const needs: Record<string, string[]> = {
      Text: ['length'],
      LongTextArea: ['length', 'visibleLines'],
      Number: ['precision', 'scale'],
      Currency: ['precision', 'scale'],
      Picklist: ['valueSet'],
      Lookup: ['referenceTo', 'relationshipName', 'deleteConstraint'],
      Date: [],
      DateTime: [],
    };
    const objectsDir = salesforceSourceDir(VENDOR, 'objects');
    for (const object of readdirSync(objectsDir)) {
      for (const file of readdirSync(join(objectsDir, object, 'fields'))) {
        const { root, element } = readXml(join(objectsDir, object, 'fields', file));
        const where = `${object}/${file}`;
        expect(root, where).toBe('CustomField');
        expect(file, where).toBe(`${text(element, 'fullName') ?? ''}.field-meta.xml`);
        expect(text(element, 'fullName'), where).toMatch(/^[A-Za-z][A-Za-z0-9_]*__c$/);
        expect(text(element, 'label'), where).toBeTruthy();
        const type = text(element, 'type') ?? '';
        expect(Object.keys(needs), where).toContain(type);
        for (const name of needs[type]) expect(children(element, name), `${where} ${name}`).toHaveLength(1);
      }
    }
  });

  it('gives each picklist a restricted value set of values with a label', () => {
    const pickLists = salesforce.fields.filter((f) => f.type === 'Picklist');
    expect(pickLists.map((f) => `${f.object}.${f.fullName}`)).toEqual([
      'Account.Revline_Integration_Status__c',
      'Order.Revline_Billing_Timing__c',
      'Order.Revline_Integration_Status__c',
      'Revline_Billing_Invoice__c.Revline_Status__c',
    ]);
    for (const f of pickLists) expect(f.picklist?.length, f.fullName).toBeGreaterThan(1);
    const timing = salesforce.fields.find(
      (f) => f.object === 'Order' && f.fullName === 'Revline_Billing_Timing__c',
    );
    expect(timing?.picklist).toEqual(['advance', 'arrears']);
  });

  it('defines Revline_Billing_Invoice__c as a deployed CustomObject with a text name field', () => {
    const element = component(
      'objects/Revline_Billing_Invoice__c',
      'Revline_Billing_Invoice__c.object-meta.xml',
    );
    expect(text(element, 'label')).toBe('Billing Invoice');
    expect(text(element, 'pluralLabel')).toBe('Billing Invoices');
    expect(text(element, 'deploymentStatus')).toBe('Deployed');
    expect(text(element, 'sharingModel')).toBe('ReadWrite');
    const [nameField] = children(element, 'nameField');
    expect(text(nameField, 'type')).toBe('Text');
    const lookups = salesforce.fields.filter(
      (f) => f.object === 'Revline_Billing_Invoice__c' && f.type === 'Lookup',
    );
    expect(lookups.map((f) => [f.fullName, f.referenceTo])).toEqual([
      ['Revline_Account__c', 'Account'],
      ['Revline_Order__c', 'Order'],
    ]);
  });

  it('grants the integration user every custom field and object Revline uses, API access and View Setup', () => {
    const set = component('permissionsets', 'Revline_Integration.permissionset-meta.xml');
    expect(text(set, 'label')).toBe('Revline Integration');
    const granted = children(set, 'fieldPermissions').map((p) => {
      expect(texts(p, 'readable'), text(p, 'field')).toEqual(['true']);
      return text(p, 'field');
    });
    // The Metadata API refuses field permissions on a required field: the org grants those to everyone.
    const expected = salesforce.fields.filter((f) => !f.required).map((f) => `${f.object}.${f.fullName}`);
    expect([...granted].sort()).toEqual([...expected].sort());
    const objects = children(set, 'objectPermissions').map((p) => text(p, 'object'));
    expect(objects).toEqual(
      expect.arrayContaining(['Account', 'Order', 'OrderItem', 'Revline_Billing_Invoice__c']),
    );
    // Change Data Capture delivers an object's change events only to a user with View All Records on it.
    const viewAll = children(set, 'objectPermissions').filter((p) => text(p, 'viewAllRecords') === 'true');
    expect(viewAll.map((p) => `${text(p, 'object') ?? ''}ChangeEvent`).sort()).toEqual(
      [...salesforce.changeEvents].sort(),
    );
    const users = children(set, 'userPermissions').map((p) => [text(p, 'name'), text(p, 'enabled')]);
    expect(users).toEqual(
      expect.arrayContaining([
        ['ApiEnabled', 'true'],
        ['ViewSetup', 'true'],
      ]),
    );
  });

  it('selects Order and OrderItem for Change Data Capture on the standard channel', () => {
    expect([...salesforce.changeEvents].sort()).toEqual(['OrderChangeEvent', 'OrderItemChangeEvent']);
    const dir = salesforceSourceDir(VENDOR, 'platformEventChannelMembers');
    for (const file of readdirSync(dir)) {
      const member = component('platformEventChannelMembers', file);
      expect(file).toBe(
        `ChangeEvents_${text(member, 'selectedEntity') ?? ''}.platformEventChannelMember-meta.xml`,
      );
    }
    for (const entity of salesforce.changeEvents) {
      const object = OBJECTS.find((o) => `${o.name}ChangeEvent` === entity);
      expect(object?.cdc, entity).toBe(true);
    }
  });
});

describe('NetSuite SDF project (SDF object XML)', () => {
  const objects = readNetSuiteObjects(VENDOR);
  const FIELD_TYPES = [
    'CHECKBOX',
    'CLOBTEXT',
    'CURRENCY',
    'DATE',
    'FLOAT',
    'INTEGER',
    'SELECT',
    'TEXT',
    'TEXTAREA',
  ];
  const PREFIX: Record<string, [string, number]> = {
    transactionbodycustomfield: ['custbody_', 38],
    transactioncolumncustomfield: ['custcol_', 37],
    customrecordtype: ['customrecord_', 40],
    role: ['customrole_', 40],
  };

  const checkField = (field: XmlElement, prefix: string, where: string) => {
    expect(field.$?.scriptid, where).toMatch(new RegExp(`^${prefix}[a-z0-9_]+$`));
    expect(text(field, 'label'), where).toBeTruthy();
    const type = text(field, 'fieldtype') ?? '';
    expect(FIELD_TYPES, where).toContain(type);
    if (type === 'SELECT') expect(text(field, 'selectrecordtype'), where).toBeTruthy();
    for (const flag of ['ismandatory', 'storevalue'])
      expect(['T', 'F'], `${where} ${flag}`).toContain(text(field, flag));
  };

  it('has only the four SDF object types, each named by a script id with its type prefix', () => {
    expect(objects.map((o) => o.type).sort()).toEqual([
      'customrecordtype',
      'role',
      'transactionbodycustomfield',
      ...Array<string>(5).fill('transactioncolumncustomfield'),
    ]);
    for (const { file, type, element } of objects) {
      expect(Object.keys(PREFIX), file).toContain(type);
      const [prefix, max] = PREFIX[type];
      expect(element.$?.scriptid.startsWith(prefix), file).toBe(true);
      expect(element.$?.scriptid.length, file).toBeLessThanOrEqual(max);
    }
  });

  it('defines each transaction field with a documented field type, applied to the transactions Revline writes', () => {
    for (const { file, type, element } of objects.filter((o) => o.type.startsWith('transaction'))) {
      checkField(element, type === 'transactionbodycustomfield' ? 'custbody_' : 'custcol_', file);
    }
    const applies = (id: string) =>
      [...netsuite.bodyFields, ...netsuite.columnFields].find((f) => f.scriptid === id)?.appliesTo;
    expect(applies('custbody_rl_contract')).toEqual(['bodysale', 'bodyjournal', 'bodycustomerpayment']);
    expect(applies('custcol_rl_contract')).toEqual(['colsale', 'coljournal']);
    expect(applies('custcol_rl_schedule_version')).toEqual(['colsale']);
  });

  it('defines the revenue schedule record type with mandatory fields, its currency a Currency list field', () => {
    const [record] = objects.filter((o) => o.type === 'customrecordtype');
    expect(text(record.element, 'recordname')).toBe('Revline Revenue Schedule');
    const fields = children(record.element, 'customrecordcustomfields').flatMap((l) =>
      children(l, 'customrecordcustomfield'),
    );
    for (const field of fields) checkField(field, 'custrecord_', field.$?.scriptid ?? '');
    const currency = fields.find((f) => f.$?.scriptid === 'custrecord_rl_currency');
    expect(currency && [text(currency, 'fieldtype'), text(currency, 'selectrecordtype')]).toEqual([
      'SELECT',
      '-122',
    ]);
  });

  it('defines the integration role with REST, token login, SuiteQL and record permissions at documented levels', () => {
    const [role] = objects.filter((o) => o.type === 'role');
    expect(text(role.element, 'name')).toBe('Revline Integration');
    const permissions = children(role.element, 'permissions').flatMap((p) => children(p, 'permission'));
    const levels = new Map(permissions.map((p) => [text(p, 'permkey'), text(p, 'permlevel')]));
    for (const level of levels.values()) expect(['NONE', 'VIEW', 'CREATE', 'EDIT', 'FULL']).toContain(level);
    for (const key of [
      'ADMI_RESTWEBSERVICES',
      'ADMI_LOGIN_OAUTH',
      'REPO_ANALYTICS',
      'TRAN_CUSTINVC',
      'TRAN_CUSTCRED',
    ]) {
      expect(levels.has(key), key).toBe(true);
    }
    expect(levels.get('[scriptid=customrecord_rl_revenue_schedule]')).toBe('FULL');
  });

  it('has a manifest for an account customization project and a deploy.xml deploying the objects', () => {
    const manifest = readXml(join(VENDOR, 'netsuite', 'src', 'manifest.xml'));
    expect(manifest.root).toBe('manifest');
    expect(manifest.element.$?.projecttype).toBe('ACCOUNTCUSTOMIZATION');
    const features = children(manifest.element, 'dependencies').flatMap((d) =>
      children(d, 'features').flatMap((f) => texts(f, 'feature')),
    );
    expect(features).toEqual(expect.arrayContaining(['CUSTOMRECORDS', 'MULTICURRENCY']));
    const deploy = readXml(join(VENDOR, 'netsuite', 'src', 'deploy.xml'));
    expect(deploy.root).toBe('deploy');
    expect(children(deploy.element, 'objects').flatMap((o) => texts(o, 'path'))).toEqual(['~/Objects/*']);
  });
});

describe('vendor field coverage', () => {
  const used = namesInSources(ADAPTERS, VENDOR_FIELD_PATTERN);
  const defined = definedVendorNames(salesforce, netsuite);

  it('finds the adapters naming vendor custom fields', () => {
    expect([...used.keys()]).toEqual(
      expect.arrayContaining([
        'Revline_Billing_Id__c',
        'custbody_rl_contract',
        'customrecord_rl_revenue_schedule',
      ]),
    );
  });

  it('every vendor custom name the adapters use is defined by the shipped metadata', () => {
    expect(undefinedNames(used, defined)).toEqual([]);
  });

  it('names a field the adapters use that the metadata lacks', () => {
    const without = new Set([...defined].filter((n) => n !== 'custcol_rl_obligation'));
    expect(undefinedNames(used, without)).toEqual([
      expect.stringMatching(/^custcol_rl_obligation \(.+\.ts\)$/),
    ]);
  });

  it('every CPQ field the adapters use is one the sandbox org has', () => {
    const cpq = namesInSources(ADAPTERS, /\bSBQQ__\w+__c\b/g);
    const sandbox = new Set(OBJECTS.flatMap((o) => o.fields.map((f) => f.name)));
    expect(cpq.size).toBeGreaterThan(0);
    expect(undefinedNames(cpq, sandbox)).toEqual([]);
  });

  it('the sandbox org has every Salesforce custom field the metadata defines, on its object', () => {
    for (const field of salesforce.fields) {
      const object = OBJECTS.find((o) => o.name === field.object);
      expect(
        object?.fields.map((f) => f.name),
        `${field.object}.${field.fullName}`,
      ).toContain(field.fullName);
    }
  });
});
