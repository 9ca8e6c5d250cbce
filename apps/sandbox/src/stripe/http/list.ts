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

/** `created[gte]=…` style filters, or an exact `created=…`, parsed once for lists that test many objects. */
export function rangeFilter(query: Params, key: string): (value: number) => boolean {
  return parseRange(query, key).test;
}

/** A range filter parsed once: its test, and the inclusive bounds it allows (for an index to search). */
export interface Range {
  test: (value: number) => boolean;
  min: number;
  max: number;
}

export function parseRange(query: Params, key: string): Range {
  const range = typeof query.raw[key] === 'string' ? undefined : query.object(key);
  if (!range) {
    const exact = query.int(key);
    return exact === undefined
      ? { test: () => true, min: -Infinity, max: Infinity }
      : { test: (value) => value === exact, min: exact, max: exact };
  }
  const gt = range.int('gt');
  const gte = range.int('gte');
  const lt = range.int('lt');
  const lte = range.int('lte');
  range.end();
  return {
    test: (value) =>
      (gt === undefined || value > gt) &&
      (gte === undefined || value >= gte) &&
      (lt === undefined || value < lt) &&
      (lte === undefined || value <= lte),
    min: Math.max(gt === undefined ? -Infinity : gt + 1, gte ?? -Infinity),
    max: Math.min(lt === undefined ? Infinity : lt - 1, lte ?? Infinity),
  };
}

/** A map that counts its insertions and removals, so a reader can keep an index of it until it changes. */
export class VersionedMap<K, V> extends Map<K, V> {
  version = 0;

  override set(key: K, value: V): this {
    this.version += 1;
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.version += 1;
    return super.delete(key);
  }

  override clear(): void {
    this.version += 1;
    super.clear();
  }
}

/**
 * The objects of a map created within a range, in the map's (creation) order, found by binary search over an index
 * by `created` kept until the map gains or loses an object: a list sliced by created time (as an export pages it)
 * costs its slice, not the whole account, per page. `created` never changes once an object exists.
 */
export class CreatedIndex<T extends { created: number }> {
  private version = -1;
  private entries: Array<{ created: number; order: number; object: T }> = [];

  constructor(private readonly map: VersionedMap<string, T>) {}

  within(range: Range): T[] {
    if (range.min === -Infinity && range.max === Infinity) return [...this.map.values()];
    if (this.version !== this.map.version) {
      let order = 0;
      this.entries = [...this.map.values()]
        .map((object) => ({ created: object.created, order: order++, object }))
        .sort((a, b) => a.created - b.created || a.order - b.order);
      this.version = this.map.version;
    }
    const from = this.firstAtLeast(range.min);
    const to = this.firstAtLeast(range.max + 1);
    return this.entries
      .slice(from, to)
      .sort((a, b) => a.order - b.order)
      .map((e) => e.object);
  }

  private firstAtLeast(created: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid]?.created ?? Infinity) < created) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * `expand[]=latest_invoice`, `expand[]=data.customer`, `expand[]=items.data.price.product`: ids at those paths
 * are replaced by the objects they name, in a copy. Without expansions the stored object itself is answered: it is
 * serialised at once, and StripeApiInterceptor snapshots any answer it keeps for idempotent replays or holds back.
 */
export function expand<T>(object: T, paths: string[], lookup: (id: string) => object | undefined): T {
  if (paths.length === 0) return object;
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
