import { Logger } from '@nestjs/common';

/** What one run found: more work waiting (true), none waiting after it (false), or nothing to do at all ('idle'). */
export type RunOutcome = boolean | 'idle';

/**
 * Runs a task every interval until stopped: the loop behind the outbox relay and the sweeps. A failed run is
 * logged and tried again at the next interval; a run that says more work is waiting runs again at once; `wake`
 * ends the current wait early (or the next one, when a run is in progress). With `idleMaxMs`, each run in a row
 * that found nothing to do doubles the wait, up to that ceiling; a run that found work, or a wake, goes back to
 * the interval.
 */
export class RecurringTask {
  private readonly logger: Logger;
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;
  private idleRuns = 0;

  constructor(
    private readonly name: string,
    private readonly intervalMs: () => number,
    /** One run. */
    private readonly task: () => Promise<RunOutcome>,
    private readonly idleMaxMs?: () => number,
  ) {
    this.logger = new Logger(name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  wake(): void {
    this.idleRuns = 0;
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  /** The wait before the next run: the interval, grown by the runs in a row that found nothing. */
  waitMs(): number {
    const interval = this.intervalMs();
    if (!this.idleMaxMs || this.idleRuns === 0) return interval;
    return Math.max(interval, Math.min(interval * 2 ** this.idleRuns, this.idleMaxMs()));
  }

  private async run(): Promise<void> {
    while (this.running) {
      let outcome: RunOutcome = false;
      try {
        outcome = await this.task();
      } catch (error) {
        this.logger.warn(`${this.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (outcome === 'idle') this.idleRuns = Math.min(this.idleRuns + 1, 30);
      else this.idleRuns = 0;
      if (outcome !== true) await this.nap(this.waitMs());
    }
  }

  private nap(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
