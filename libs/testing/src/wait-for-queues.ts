import type { Queue } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';

/** Delayed jobs due later than this are scheduled work (a ramp step next year, a monthly job), not work in hand. */
const SCHEDULED_HORIZON_MS = 10 * 60 * 1000;

/** Jobs in hand: waiting, active, prioritised, waiting for children, or delayed and due within the horizon. */
async function busyCounts(queue: Queue): Promise<Record<string, number>> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  if (counts.delayed > 0) {
    const horizon = Date.now() + SCHEDULED_HORIZON_MS;
    const delayed = await queue.getDelayed(0, 999);
    counts.delayed = delayed.filter((job) => job.timestamp + (job.delay || 0) <= horizon).length;
  }
  return counts;
}

/**
 * Resolves once every queue has nothing waiting, active, delayed (due within ten minutes: a retry's backoff, not
 * scheduled work) or prioritised; fails after the timeout.
 */
export async function waitForQueuesIdle(queues: readonly Queue[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(queues.map((q) => busyCounts(q)));
    const busy = counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
    if (busy === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `Queues still busy after ${timeoutMs} ms: ${JSON.stringify(counts.map((c, i) => ({ queue: queues[i]?.name, ...c })))}`,
      );
    }
    await sleep(50);
  }
}

/** Polls until the check returns a truthy value; fails with the last value after the timeout. */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`Condition not met after ${timeoutMs} ms (last value: ${JSON.stringify(value)})`);
    await sleep(intervalMs);
  }
}
