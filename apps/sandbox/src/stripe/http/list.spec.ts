import { describe, expect, it } from 'vitest';
import { ListIndex, paginate, parseRange, VersionedMap } from './list';
import { Params } from './params';

interface Obj {
  id: string;
  created: number;
}

/** Objects created out of order (test clocks make that happen): insertion order is what lists follow. */
function account(): VersionedMap<string, Obj> {
  const map = new VersionedMap<string, Obj>();
  for (const [id, created] of [
    ['a', 100],
    ['b', 300],
    ['c', 200],
    ['d', 300],
    ['e', 150],
  ] as const)
    map.set(id, { id, created });
  return map;
}

const range = (query: Record<string, unknown>) => parseRange(new Params(query), 'created');

describe('lists sliced by created time', () => {
  it('parses gt/gte/lt/lte and exact values into a test and inclusive bounds', () => {
    const r = range({ created: { gt: '100', lt: '300' } });
    expect([r.min, r.max]).toEqual([101, 299]);
    expect([100, 101, 299, 300].map(r.test)).toEqual([false, true, true, false]);
    const exact = range({ created: '200' });
    expect([exact.min, exact.max, exact.test(200), exact.test(201)]).toEqual([200, 200, true, false]);
    const none = range({});
    expect([none.min, none.max]).toEqual([-Infinity, Infinity]);
  });

  it('answers the objects in range in insertion order, as a full scan would', () => {
    const map = account();
    const index = new ListIndex(map);
    const r = range({ created: { gte: '150', lte: '300' } });
    const scan = [...map.values()].filter((o) => r.test(o.created));
    expect(index.within(r).map((o) => o.id)).toEqual(scan.map((o) => o.id));
    expect(index.within(r).map((o) => o.id)).toEqual(['b', 'c', 'd', 'e']);
    expect(index.within(range({ created: { lt: '100' } }))).toEqual([]);
  });

  it('rebuilds its index when the map gains or loses an object', () => {
    const map = account();
    const index = new ListIndex(map);
    const r = range({ created: { gte: '200', lt: '301' } });
    expect(index.within(r).map((o) => o.id)).toEqual(['b', 'c', 'd']);
    map.set('f', { id: 'f', created: 250 });
    map.delete('b');
    expect(index.within(r).map((o) => o.id)).toEqual(['c', 'd', 'f']);
  });

  it('pages the slice newest first with starting_after, as Stripe does', () => {
    const map = account();
    const slice = new ListIndex(map).within(range({ created: { gte: '100' } }));
    const first = paginate(slice, new Params({ limit: '2' }), '/v1/x');
    expect(first.data.map((o) => o.id)).toEqual(['e', 'd']);
    expect(first.has_more).toBe(true);
    const next = paginate(slice, new Params({ limit: '10', starting_after: 'd' }), '/v1/x');
    expect(next.data.map((o) => o.id)).toEqual(['c', 'b', 'a']);
    expect(next.has_more).toBe(false);
  });
});

describe('cursor pagination', () => {
  const all = Array.from({ length: 7 }, (_, i) => ({ id: `o${String(i)}`, created: i }));
  const positions = new Map(all.map((o, i) => [o.id, i]));
  const ids = (query: Record<string, string>, withPositions: boolean) =>
    paginate(all, new Params(query), '/v1/x', withPositions ? positions : undefined);

  it.each([true, false])('pages newest first both ways, with or without positions (%s)', (withPositions) => {
    const first = ids({ limit: '3' }, withPositions);
    expect([first.data.map((o) => o.id), first.has_more]).toEqual([['o6', 'o5', 'o4'], true]);
    const next = ids({ limit: '3', starting_after: 'o4' }, withPositions);
    expect([next.data.map((o) => o.id), next.has_more]).toEqual([['o3', 'o2', 'o1'], true]);
    const last = ids({ limit: '3', starting_after: 'o1' }, withPositions);
    expect([last.data.map((o) => o.id), last.has_more]).toEqual([['o0'], false]);
    const back = ids({ limit: '2', ending_before: 'o3' }, withPositions);
    expect([back.data.map((o) => o.id), back.has_more]).toEqual([['o5', 'o4'], true]);
    const top = ids({ limit: '5', ending_before: 'o4' }, withPositions);
    expect([top.data.map((o) => o.id), top.has_more]).toEqual([['o6', 'o5'], false]);
    expect(() => ids({ starting_after: 'nope' }, withPositions)).toThrow(/No such object/);
  });
});
