import { Injectable } from '@nestjs/common';

/** The longest a webhook waits for a change's transaction (one whose handler failed before it could say so). */
const MAX_WAIT_MS = 5_000;

interface Issuing {
  done: Promise<void>;
  settle: () => void;
}

/**
 * The invoices a contract change is finalising in this process, until the change's transaction (which announces
 * the invoice with the change's answer) has ended. Stripe sends `invoice.finalized` as it finalises, so its webhook
 * often arrives while that transaction is still open; taken in at once, it would announce the invoice a second
 * time (process-q2c drops the duplicate, after a BullMQ job and a transaction). Its intake waits for the change
 * instead, then finds the invoice announced (ANNOUNCED_WITH_CHANGE) and announces nothing. Only this process's
 * changes are known: a webhook another instance receives is taken in at once, as before.
 */
@Injectable()
export class IssuingInvoices {
  private readonly issuing = new Map<string, Issuing>();

  /** A change is about to finalise this invoice. */
  begin(invoiceId: string): void {
    if (this.issuing.has(invoiceId)) return;
    let settle = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, MAX_WAIT_MS);
      timer.unref();
      settle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.issuing.set(invoiceId, { done, settle });
    void done.then(() => this.issuing.delete(invoiceId));
  }

  /** The change's transaction has ended (committed or not). */
  settle(invoiceIds: ReadonlyArray<string | undefined>): void {
    for (const id of invoiceIds) if (id) this.issuing.get(id)?.settle();
  }

  /** Resolves once no change of this process is finalising any of these invoices. */
  async settled(invoiceIds: readonly string[]): Promise<void> {
    const waits = invoiceIds.flatMap((id) => this.issuing.get(id)?.done ?? []);
    if (waits.length > 0) await Promise.all(waits);
  }
}
