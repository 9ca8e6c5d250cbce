/**
 * How many created-time slices a list export is cut into, and how many of them are paged at once: enough that
 * Stripe's pages keep coming while one is parsed, few enough not to add contention on a small machine.
 */
export const EXPORT_SLICES = 64;
export const EXPORT_CONCURRENCY = 4;

/** [gte, lt) cut into `count` consecutive created-time slices of equal length (the last may be shorter). */
export function createdSlices(gte: number, lt: number, count: number): Array<[number, number]> {
  const step = Math.max(1, Math.ceil((lt - gte) / count));
  const slices: Array<[number, number]> = [];
  for (let start = gte; start < lt; start += step) slices.push([start, Math.min(lt, start + step)]);
  return slices;
}

/**
 * Runs up to `concurrency` of the sources at a time and yields their items as they come: a new source starts when
 * one is exhausted. Each source is pulled one item ahead at most (backpressure).
 */
export async function* mergeConcurrently<T>(
  sources: Array<() => AsyncIterator<T>>,
  concurrency: number,
): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ key: number; result: IteratorResult<T> }>>();
  const running = new Map<number, AsyncIterator<T>>();
  let next = 0;
  const pull = (key: number, iterator: AsyncIterator<T>) => {
    const step = iterator.next().then((result) => ({ key, result }));
    step.catch(() => undefined); // raced (and rethrown) on the next turn; not unhandled meanwhile
    pending.set(key, step);
  };
  const startOne = () => {
    const source = sources.at(next);
    if (!source) return;
    const key = next;
    next += 1;
    const iterator = source();
    running.set(key, iterator);
    pull(key, iterator);
  };
  try {
    while (running.size < concurrency && next < sources.length) startOne();
    while (pending.size > 0) {
      const { key, result } = await Promise.race(pending.values());
      pending.delete(key);
      const iterator = running.get(key);
      if (!iterator) continue;
      if (result.done) {
        running.delete(key);
        startOne();
        continue;
      }
      pull(key, iterator);
      yield result.value;
    }
  } finally {
    for (const iterator of running.values()) iterator.return?.().catch(() => undefined);
  }
}
