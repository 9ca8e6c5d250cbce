import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunOutcome } from './recurring-task';
import { RecurringTask } from './recurring-task';

describe('RecurringTask', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Starts a task whose runs answer `outcome()`, and returns the times (fake ms) of its runs. */
  function runs(outcome: () => RunOutcome, idleMaxMs?: number): { task: RecurringTask; at: number[] } {
    const at: number[] = [];
    const task = new RecurringTask(
      'test',
      () => 50,
      () => {
        at.push(Date.now());
        return Promise.resolve(outcome());
      },
      idleMaxMs === undefined ? undefined : () => idleMaxMs,
    );
    task.start();
    return { task, at };
  }

  it('runs every interval when it has no idle ceiling', async () => {
    const start = Date.now();
    const { task, at } = runs(() => 'idle');
    await vi.advanceTimersByTimeAsync(1_000);
    await task.stop();
    expect(at.filter((t) => t - start <= 1_000)).toHaveLength(21);
  });

  it('doubles the wait after each run that found nothing, up to the ceiling', async () => {
    const start = Date.now();
    const { task, at } = runs(() => 'idle', 1_000);
    await vi.advanceTimersByTimeAsync(3_600);
    await task.stop();
    expect(at.map((t) => t - start).filter((t) => t <= 3_600)).toEqual([
      0, 100, 300, 700, 1_500, 2_500, 3_500,
    ]);
  });

  it('goes back to the interval after a run that found work, and runs at once when woken', async () => {
    const start = Date.now();
    let found = false;
    const { task, at } = runs(() => (found ? false : 'idle'), 1_000);
    await vi.advanceTimersByTimeAsync(800);
    expect(at.map((t) => t - start)).toEqual([0, 100, 300, 700]);
    task.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(at.at(-1)).toBe(start + 800);
    found = true;
    await vi.advanceTimersByTimeAsync(200);
    await task.stop();
    expect(at.map((t) => t - start).filter((t) => t > 800 && t <= 1_000)).toEqual([900, 950, 1_000]);
  });
});
