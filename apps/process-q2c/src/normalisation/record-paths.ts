/** One step of a field path: a field name, and whether it walks a collection (`OrderItems[]`). */
interface Step {
  name: string;
  many: boolean;
}

const cache = new Map<string, Step[]>();

function stepsOf(path: string): Step[] {
  let steps = cache.get(path);
  if (!steps) {
    steps = path
      .split('.')
      .map((part) =>
        part.endsWith('[]') ? { name: part.slice(0, -2), many: true } : { name: part, many: false },
      );
    cache.set(path, steps);
  }
  return steps;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The items of a collection: an array, or a SOQL sub-query result `{ records: [...] }`. */
export function itemsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isRecord(value) && Array.isArray(value.records)) return value.records;
  return [];
}

/**
 * Every value a field path reaches in a record: `Account.Revline_Billing_Id__c` gives one value (or none),
 * `OrderItems[].Product2.ProductCode` one per line. Missing fields and null relationships give nothing.
 */
export function readPath(record: unknown, path: string): unknown[] {
  let current: unknown[] = [record];
  for (const step of stepsOf(path)) {
    const next: unknown[] = [];
    for (const value of current) {
      if (!isRecord(value)) continue;
      const field = value[step.name];
      if (step.many) next.push(...itemsOf(field));
      else if (field !== undefined && field !== null) next.push(field);
    }
    current = next;
  }
  return current;
}

/** The first value a path reaches, or undefined. */
export function readOne(record: unknown, path: string): unknown {
  return readPath(record, path)[0];
}
