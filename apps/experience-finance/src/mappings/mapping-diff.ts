import { isDeepStrictEqual } from 'node:util';

/** The parts of a mapping definition the diff compares, each entry by its key. */
export const DIFF_SECTIONS = ['fieldMappings', 'productCatalogue', 'systemsOfRecord'] as const;
export type DiffSection = (typeof DIFF_SECTIONS)[number];

/** One entry of a definition that differs between two versions. */
export interface MappingDiffEntry {
  section: DiffSection;
  /** The entry's key: a field mapping's target, a product code, a system-of-record domain. */
  key: string;
  before: unknown;
  after: unknown;
  /** The entry's fields that differ (a changed entry), or every field (an added or removed one). */
  fields: string[];
}

export interface MappingDiff {
  from: number;
  to: number;
  added: MappingDiffEntry[];
  removed: MappingDiffEntry[];
  changed: MappingDiffEntry[];
}

/** The parts of a definition the diff reads; the rest is ignored. */
export interface DiffableDefinition {
  fieldMappings?: Array<{ target: string } & Record<string, unknown>>;
  productCatalogue?: Array<{ productCode: string } & Record<string, unknown>>;
  systemsOfRecord?: Record<string, unknown>;
}

function entries(definition: DiffableDefinition, section: DiffSection): Map<string, unknown> {
  switch (section) {
    case 'fieldMappings':
      return new Map((definition.fieldMappings ?? []).map((m) => [m.target, m]));
    case 'productCatalogue':
      return new Map((definition.productCatalogue ?? []).map((p) => [p.productCode, p]));
    case 'systemsOfRecord':
      return new Map(Object.entries(definition.systemsOfRecord ?? {}));
  }
}

const fieldsOf = (value: unknown): string[] =>
  typeof value === 'object' && value !== null ? Object.keys(value).sort() : [];

function changedFields(before: unknown, after: unknown): string[] {
  const a = (typeof before === 'object' && before !== null ? before : {}) as Record<string, unknown>;
  const b = (typeof after === 'object' && after !== null ? after : {}) as Record<string, unknown>;
  if (fieldsOf(before).length === 0 && fieldsOf(after).length === 0) return [];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((field) => !isDeepStrictEqual(a[field], b[field]))
    .sort();
}

/**
 * What changed between two mapping definitions, entry by entry: field mappings by their canonical target, catalogue
 * entries by product code, systems of record by domain. Added, removed and changed entries, each section in order
 * and each entry by key, so the same two versions always answer the same diff.
 */
export function diffMappings(
  from: { version: number; definition: DiffableDefinition },
  to: { version: number; definition: DiffableDefinition },
): MappingDiff {
  const diff: MappingDiff = { from: from.version, to: to.version, added: [], removed: [], changed: [] };
  for (const section of DIFF_SECTIONS) {
    const before = entries(from.definition, section);
    const after = entries(to.definition, section);
    const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
    for (const key of keys) {
      const old = before.get(key);
      const now = after.get(key);
      if (!before.has(key))
        diff.added.push({ section, key, before: null, after: now, fields: fieldsOf(now) });
      else if (!after.has(key))
        diff.removed.push({ section, key, before: old, after: null, fields: fieldsOf(old) });
      else if (!isDeepStrictEqual(old, now))
        diff.changed.push({ section, key, before: old, after: now, fields: changedFields(old, now) });
    }
  }
  return diff;
}
