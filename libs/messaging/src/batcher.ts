/** What a flush answers for one item: its own result, or its own error. */
export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface BatcherOptions<T, R> {
  /** How long the first item of a batch waits for others to join it. */
  windowMs: () => number;
  /** A batch is sent at once when it holds this many items. */
  maxItems: () => number;
  /** Sends a batch: one outcome per item, in order. A rejection is every item's error. */
  flush: (items: readonly T[]) => Promise<ReadonlyArray<ItemOutcome<R>>>;
}

interface Pending<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects items submitted from anywhere in the process into batches: a batch goes out `windowMs` after its first
 * item, or at once when it holds `maxItems`. Each submitter's promise settles with its own item's outcome, so a job
 * is answered (and acknowledged) only once its own record has been written. Batches are sent one at a time; items
 * submitted meanwhile form the next.
 */
export class Batcher<T, R> {
  private open: Array<Pending<T, R>> = [];
  private readonly waiting: Array<Pending<T, R>> = [];
  private timer?: NodeJS.Timeout;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly options: BatcherOptions<T, R>) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.fill();
    });
  }

  /** Items submitted and not yet answered. */
  get size(): number {
    return this.open.length + this.waiting.length;
  }

  /** Sends what is open now, without waiting for the window (at shutdown). */
  async drain(): Promise<void> {
    while (this.open.length > 0 || this.waiting.length > 0) {
      this.send();
      await this.sending;
    }
    await this.sending;
  }

  /**
   * Moves waiting items into the open batch, in order, until it is full; a full batch goes out at once, otherwise
   * the window starts with its first item.
   */
  private fill(): void {
    const max = Math.max(1, this.options.maxItems());
    while (this.waiting.length > 0 && this.open.length < max)
      this.open.push(this.waiting.shift() as Pending<T, R>);
    if (this.open.length >= max) this.send();
    else if (this.open.length > 0)
      this.timer ??= setTimeout(() => {
        this.send();
      }, this.options.windowMs());
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.open;
    this.open = [];
    if (batch.length > 0) this.flushAfterPrevious(batch);
    // Items beyond a full batch open the next one, sent after this one.
    if (this.waiting.length > 0) this.fill();
  }

  private flushAfterPrevious(batch: Array<Pending<T, R>>): void {
    this.sending = this.sending.then(async () => {
      try {
        const outcomes = await this.options.flush(batch.map((p) => p.item));
        batch.forEach((p, i) => {
          const outcome = outcomes.at(i);
          if (!outcome) p.reject(new Error('the batch answered fewer outcomes than it was sent items'));
          else if (outcome.ok) p.resolve(outcome.value);
          else p.reject(outcome.error);
        });
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    });
  }
}
