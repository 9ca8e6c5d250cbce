import { describe, expect, it } from 'vitest';
import { loadNetSuiteMetadata } from '../apps/sandbox/src/vendor-metadata/netsuite-metadata';
import { loadSalesforceMetadata } from '../apps/sandbox/src/vendor-metadata/salesforce-metadata';
import { vendorDir } from '../apps/sandbox/src/vendor-metadata/vendor-dir';
import { REQUIRED_NETSUITE_FIELDS } from '../apps/system-erp/src/preflight/required-metadata';
import {
  CDC_OBJECTS,
  REQUIRED_SALESFORCE_METADATA,
} from '../apps/system-salesforce/src/preflight/required-metadata';

/**
 * The preflight checks what vendor/ deploys, no more and no less: its lists of required customisations (kept in the
 * system APIs, which run without vendor/) name exactly the fields, objects and change events the shipped metadata
 * defines, so neither can drift from the other.
 */
describe('the preflight’s required customisations against the shipped vendor metadata', () => {
  const vendor = vendorDir();

  it('Salesforce: every shipped custom field and object is checked, and nothing else', () => {
    const shipped = loadSalesforceMetadata(vendor);
    const required = REQUIRED_SALESFORCE_METADATA.flatMap((o) => o.fields.map((f) => `${o.name}.${f.name}`));
    expect(new Set(required)).toEqual(new Set(shipped.fields.map((f) => `${f.object}.${f.fullName}`)));
    expect(REQUIRED_SALESFORCE_METADATA.filter((o) => o.create).map((o) => o.name)).toEqual(
      shipped.customObjects.map((o) => o.name),
    );
    expect(new Set(shipped.changeEvents)).toEqual(new Set(CDC_OBJECTS.map((o) => `${o}ChangeEvent`)));
  });

  it('NetSuite: every shipped custom field and record field is checked, and nothing else', () => {
    const shipped = loadNetSuiteMetadata(vendor);
    const required = new Set(Object.values(REQUIRED_NETSUITE_FIELDS).flat());
    const defined = new Set([
      ...shipped.bodyFields.map((f) => f.scriptid),
      ...shipped.columnFields.map((f) => f.scriptid),
      ...shipped.recordTypes.flatMap((r) => r.fields.map((f) => f.scriptid)),
    ]);
    expect(required).toEqual(defined);
  });
});
