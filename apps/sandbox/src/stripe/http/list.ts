import { Params } from './params';
import type { Json } from './params';
import { StripeApiError } from './stripe-error';

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** Stripe's cursor pagination over newest-first objects: `limit` (1–100), `starting_after`, `ending_before`. */
export function paginate<T extends { id: string }>(all: T[], query: Params, url: string): StripeList<T> {
  const limit = query.int('limit') ?? 10;
  if (limit < 1 || limit > 100) throw StripeApiError.invalid('limit', 'Limit must be between 1 and 100.');
  const after = query.string('starting_after');
  const before = query.string('ending_before');
  const newestFirst = [...all].reverse();
  let slice = newestFirst;
  if (after) {
    const index = newestFirst.findIndex((o) => o.id === after);
    if (index === -1) throw StripeApiError.noSuch('object', after, 'starting_after');
    slice = newestFirst.slice(index + 1);
  } else if (before) {
    const index = newestFirst.findIndex((o) => o.id === before);
    if (index === -1) throw StripeApiError.noSuch('object', before, 'ending_before');
    slice = newestFirst.slice(Math.max(0, index - limit), index);
    return { object: 'list', data: slice, has_more: index - limit > 0, url };
  }
  return { object: 'list', data: slice.slice(0, limit), has_more: slice.length > limit, url };
}

/** `created[gte]=…` style filters, or an exact `created=…`. */
export function inRange(value: number, query: Params, key: string): boolean {
  return rangeFilter(query, key)(value);
}

/** The same filter parsed once, for lists that test many objects. */
export function rangeFilter(query: Params, key: string): (value: number) => boolean {
  const range = query.object(key);
  if (!range) {
    const exact = query.int(key);
    return (value) => exact === undefined || value === exact;
  }
  const gt = range.int('gt');
  const gte = range.int('gte');
  const lt = range.int('lt');
  const lte = range.int('lte');
  range.end();
  return (value) =>
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte) &&
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte);
}

/**
 * `expand[]=latest_invoice`, `expand[]=data.customer`, `expand[]=items.data.price.product`: ids at those paths
 * are replaced by the objects they name. Answers are copies, never the stored objects.
 */
export function expand<T>(object: T, paths: string[], lookup: (id: string) => object | undefined): T {
  const copy = structuredClone(object) as unknown;
  for (const path of paths) expandPath(copy, path.split('.'), lookup);
  return copy as T;
}

function expandPath(node: unknown, parts: string[], lookup: (id: string) => object | undefined): void {
  if (node === null || typeof node !== 'object') return;
  const [head, ...rest] = parts as [string | undefined, ...string[]];
  if (head === undefined) return;
  if (Array.isArray(node)) {
    for (const entry of node) expandPath(entry, parts, lookup);
    return;
  }
  const record = node as Json;
  const value = record[head];
  if (rest.length === 0) {
    if (typeof value === 'string') {
      const found = lookup(value);
      if (found) record[head] = structuredClone(found);
    }
    return;
  }
  if (typeof value === 'string') {
    const found = lookup(value);
    if (!found) return;
    record[head] = structuredClone(found);
  }
  expandPath(record[head], rest, lookup);
}

export function expansions(body: unknown, query: unknown): string[] {
  const fromBody = new Params(body).stringArray('expand') ?? [];
  const fromQuery = new Params(query).stringArray('expand') ?? [];
  return [...fromBody, ...fromQuery];
}
