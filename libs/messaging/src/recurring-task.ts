import { Logger } from '@nestjs/common';

/**
 * Runs a task every interval until stopped: the loop behind the outbox relay and the sweeps. A failed run is
 * logged and tried again at the next interval; a run that says more work is waiting runs again at once; `wake`
 * ends the current wait early (or the next one, when a run is in progress).
 */
export class RecurringTask {
  private readonly logger: Logger;
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: () => number,
    /** One run; resolves true when more work is waiting. */
    private readonly task: () => Promise<boolean>,
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
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        more = await this.task();
      } catch (error) {
        this.logger.warn(`${this.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!more) await this.nap(this.intervalMs());
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
