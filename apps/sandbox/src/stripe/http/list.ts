import { Params } from './params';
import type { Json } from './params';
import { StripeApiError } from './stripe-error';

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/**
 * Stripe's cursor pagination over newest-first objects: `limit` (1–100), `starting_after`, `ending_before`. `all` is
 * in creation order (oldest first); `positions` (an object's index in `all`) finds a cursor without a scan.
 */
export function paginate<T extends { id: string }>(
  all: readonly T[],
  query: Params,
  url: string,
  positions?: ReadonlyMap<string, number>,
): StripeList<T> {
  const limit = query.int('limit') ?? 10;
  if (limit < 1 || limit > 100) throw StripeApiError.invalid('limit', 'Limit must be between 1 and 100.');
  const after = query.string('starting_after');
  const before = query.string('ending_before');
  const find = (id: string, param: string): number => {
    const index = positions?.get(id) ?? all.findIndex((o) => o.id === id);
    if (index === -1 || all[index]?.id !== id) throw StripeApiError.noSuch('object', id, param);
    return index;
  };
  // Newest first: from index `from` down to `to` (inclusive) of `all`.
  const newestFirst = (from: number, to: number): T[] => {
    const data: T[] = [];
    for (let i = from; i >= to; i--) data.push(all[i]);
    return data;
  };
  if (after) {
    const index = find(after, 'starting_after');
    return {
      object: 'list',
      data: newestFirst(index - 1, Math.max(0, index - limit)),
      has_more: index > limit,
      url,
    };
  }
  if (before) {
    const index = find(before, 'ending_before');
    const top = Math.min(all.length - 1, index + limit);
    return { object: 'list', data: newestFirst(top, index + 1), has_more: top < all.length - 1, url };
  }
  const n = all.length;
  return { object: 'list', data: newestFirst(n - 1, Math.max(0, n - limit)), has_more: n > limit, url };
}

/**
 * A `created[gte]=…` style filter, or an exact `created=…`, parsed once: its test, and the inclusive bounds it allows
 * (for an index to search).
 */
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
 * A map's objects in creation order with their positions, and those created within a range found by binary search
 * over an index by `created`, kept until the map gains or loses an object: a list paged to its end, or sliced by
 * created time (as an export pages it), costs a page or its slice per page, not a scan of the whole account.
 * `created` never changes once an object exists.
 */
export class ListIndex<T extends { id: string; created: number }> {
  private version = -1;
  private list: T[] = [];
  private positionOf = new Map<string, number>();
  private entries: Array<{ created: number; order: number; object: T }> = [];

  constructor(private readonly map: VersionedMap<string, T>) {}

  /** Every object in creation order, and each one's position in it (for `paginate`). */
  all(): { list: readonly T[]; positions: ReadonlyMap<string, number> } {
    this.refresh();
    return { list: this.list, positions: this.positionOf };
  }

  within(range: Range): readonly T[] {
    this.refresh();
    if (range.min === -Infinity && range.max === Infinity) return this.list;
    const from = this.firstAtLeast(range.min);
    const to = this.firstAtLeast(range.max + 1);
    return this.entries
      .slice(from, to)
      .sort((a, b) => a.order - b.order)
      .map((e) => e.object);
  }

  private refresh(): void {
    if (this.version === this.map.version) return;
    this.list = [...this.map.values()];
    this.positionOf = new Map(this.list.map((object, i) => [object.id, i]));
    this.entries = this.list
      .map((object, order) => ({ created: object.created, order, object }))
      .sort((a, b) => a.created - b.created || a.order - b.order);
    this.version = this.map.version;
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
