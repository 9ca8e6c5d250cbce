import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../apps/process-q2c/src/mappings/default-mapping';
import { ordersByIdSoql } from '../apps/system-salesforce/src/salesforce/soql';

/**
 * Capture reads what the default mapping maps: every Order, Account and OrderItem field the mapping names as a source
 * is selected by the query that reads activated orders (a field left out reaches normalisation as absent, and the
 * mapping's default would apply silently).
 */
describe('the capture query against the default mapping', () => {
  const soql = ordersByIdSoql(['801000000000001AAA']);
  const [outer, items] = /^SELECT (.*?), \(SELECT (.*?) FROM OrderItems/.exec(soql)?.slice(1) ?? [];
  const selected = (list: string | undefined) => new Set((list ?? '').split(', '));

  it('selects every field a mapping rule reads', () => {
    const orderFields = selected(outer);
    const itemFields = selected(items);
    const missing = DEFAULT_MAPPING.fieldMappings
      .map((rule) => rule.source)
      .filter((source) =>
        source.startsWith('OrderItems[].')
          ? !itemFields.has(source.slice('OrderItems[].'.length))
          : !orderFields.has(source),
      );
    expect(missing).toEqual([]);
  });
});
