import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetSuiteMetadata } from './netsuite-metadata';
import type { SalesforceMetadata } from './salesforce-metadata';

/** Revline's vendor-side custom names: Salesforce fields and objects, NetSuite fields and record types. */
export const VENDOR_FIELD_PATTERN =
  /\b(Revline_\w+__c|custbody_rl_\w+|custcol_rl_\w+|customrecord_rl_\w+|custrecord_rl_\w+)\b/g;

/** Every TypeScript source file (not specs) under the given folders. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(int-|e2e-)?spec\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The names matching a pattern in the sources under the given folders, each with the first file naming it. */
export function namesInSources(dirs: readonly string[], pattern: RegExp): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of dirs.flatMap(sourceFiles)) {
    for (const [name] of readFileSync(file, 'utf8').matchAll(pattern)) {
      if (!found.has(name)) found.set(name, file);
    }
  }
  return found;
}

/** Every vendor custom name the shipped metadata defines. */
export function definedVendorNames(salesforce: SalesforceMetadata, netsuite: NetSuiteMetadata): Set<string> {
  return new Set([
    ...salesforce.fields.map((f) => f.fullName),
    ...salesforce.customObjects.map((o) => o.name),
    ...netsuite.bodyFields.map((f) => f.scriptid),
    ...netsuite.columnFields.map((f) => f.scriptid),
    ...netsuite.recordTypes.flatMap((t) => [t.scriptid, ...t.fields.map((f) => f.scriptid)]),
  ]);
}

/** The names used but not defined, each as `name (first file naming it)`. */
export function undefinedNames(used: ReadonlyMap<string, string>, defined: ReadonlySet<string>): string[] {
  return [...used].filter(([name]) => !defined.has(name)).map(([name, file]) => `${name} (${file})`);
}
