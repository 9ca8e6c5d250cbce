import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ItemOutcome } from './batcher';
import { Batcher } from './batcher';

interface Item {
  id: string;
  fail?: boolean;
}

/** A batcher whose flush records each batch and answers each item by itself (a failing item is its own error). */
function recording(options: { windowMs?: number; maxItems?: number } = {}) {
  const batches: string[][] = [];
  let transport: Error | undefined;
  const batcher = new Batcher<Item, string>({
    windowMs: () => options.windowMs ?? 1_000,
    maxItems: () => options.maxItems ?? 200,
    flush: (items) => {
      batches.push(items.map((i) => i.id));
      if (transport) return Promise.reject(transport);
      return Promise.resolve(
        items.map((i): ItemOutcome<string> =>
          i.fail
            ? { ok: false, error: new Error(`refused ${i.id}`) }
            : { ok: true, value: `written ${i.id}` },
        ),
      );
    },
  });
  return {
    batcher,
    batches,
    failTransport: (error: Error) => {
      transport = error;
    },
  };
}

/** Each promise's outcome, once settled, as a string. */
const settled = (promises: Array<Promise<string>>) =>
  Promise.all(
    promises.map((p) =>
      p.then(
        (v) => v,
        (e: unknown) => `error: ${(e as Error).message}`,
      ),
    ),
  );

describe('the write-back batcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('groups items submitted within the window into one batch, sent when the window closes', async () => {
    const { batcher, batches } = recording({ windowMs: 1_000 });
    const a = batcher.submit({ id: 'a' });
    await vi.advanceTimersByTimeAsync(400);
    const b = batcher.submit({ id: 'b' });
    await vi.advanceTimersByTimeAsync(599);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([['a', 'b']]);
    expect(await settled([a, b])).toEqual(['written a', 'written b']);
  });

  it('bounds the wait from the first item: a later item does not extend the window', async () => {
    const { batcher, batches } = recording({ windowMs: 1_000 });
    const first = batcher.submit({ id: 'a' });
    for (let i = 0; i < 9; i += 1) {
      await vi.advanceTimersByTimeAsync(100);
      void batcher.submit({ id: `late-${String(i)}` });
    }
    await vi.advanceTimersByTimeAsync(100);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(10);
    expect(await first).toBe('written a');
    const after = batcher.submit({ id: 'next' });
    await vi.advanceTimersByTimeAsync(999);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches.at(-1)).toEqual(['next']);
    expect(await after).toBe('written next');
  });

  it('sends a batch at once when it holds the cap (200, the sObject Collections limit), the rest in the next', async () => {
    const { batcher, batches } = recording({ windowMs: 1_000, maxItems: 200 });
    const all = settled(Array.from({ length: 450 }, (_, i) => batcher.submit({ id: `r${String(i)}` })));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches.map((b) => b.length)).toEqual([200, 200]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(batches.map((b) => b.length)).toEqual([200, 200, 50]);
    expect(batches.flat()).toEqual(Array.from({ length: 450 }, (_, i) => `r${String(i)}`));
    expect((await all).every((o) => o.startsWith('written'))).toBe(true);
  });

  it('answers each item with its own outcome: a refused record fails its own promise only', async () => {
    const { batcher } = recording();
    const ok = batcher.submit({ id: 'a' });
    const refused = batcher.submit({ id: 'b', fail: true });
    const ok2 = batcher.submit({ id: 'c' });
    const outcomes = settled([ok, refused, ok2]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await outcomes).toEqual(['written a', 'error: refused b', 'written c']);
  });

  it('a failed call (transport, 429, limit) is every item of the batch’s error', async () => {
    const { batcher, failTransport } = recording();
    failTransport(
      Object.assign(new Error('REQUEST_LIMIT_EXCEEDED'), { errorCode: 'REQUEST_LIMIT_EXCEEDED' }),
    );
    const outcomes = settled([batcher.submit({ id: 'a' }), batcher.submit({ id: 'b' })]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await outcomes).toEqual(['error: REQUEST_LIMIT_EXCEEDED', 'error: REQUEST_LIMIT_EXCEEDED']);
  });

  it('drain sends what is open without waiting for the window', async () => {
    const { batcher, batches } = recording({ windowMs: 60_000 });
    const a = batcher.submit({ id: 'a' });
    await batcher.drain();
    expect(batches).toEqual([['a']]);
    expect(await a).toBe('written a');
    expect(batcher.size).toBe(0);
  });
});
