import { Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { WorkerConfig } from '@revline/config';
import { MetricsService } from '@revline/observability';
import { transaction } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import type { OutboxBacklogRow } from './outbox.repository';
import { OutboxRepository } from './outbox.repository';
import { Queues } from './queues';
import { RecurringTask } from './recurring-task';

const BATCH = 500;
const BATCH_BYTES = 8 * 1024 * 1024;
const IDLE_POLL_MAX_MS = 1_000;
const WAKE_AFTER_MS = 2;

/**
 * Moves committed outbox rows to BullMQ. Rows are claimed with SKIP LOCKED (many relays may run) and marked, then
 * published, all in one transaction that commits only after publishing. Published is not delivered: OutboxRedelivery
 * marks a row delivered once its consumer confirms it, and queues it again if Redis loses it before. A crash after publishing and before the
 * commit publishes the rows again with the same job ids: BullMQ drops the repeat while the job exists, and the
 * consumer's inbox after that.
 */
@Injectable()
export class OutboxRelay
  implements OnApplicationBootstrap, BeforeApplicationShutdown, EntitySubscriberInterface
{
  private readonly loop = new RecurringTask(
    'Outbox relay',
    () => this.config.OUTBOX_POLL_MS,
    async () => {
      const moved = await this.relayOnce();
      return moved === 0 ? 'idle' : moved >= BATCH;
    },
    // A commit of this process wakes the relay at once, so an idle poll only looks for what no wake announced
    // (another process's commits, a run that failed): it slows down to IDLE_POLL_MAX_MS while it finds nothing.
    () => Math.max(this.config.OUTBOX_POLL_MS, IDLE_POLL_MAX_MS),
  );

  private wakeTimer?: NodeJS.Timeout;

  /** Test seam: runs between publishing and the commit that marks the rows published. */
  afterPublish: () => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: Queues,
    private readonly repository: OutboxRepository,
    private readonly config: WorkerConfig,
    private readonly metrics: MetricsService,
  ) {
    // Woken by every commit that wrote outbox rows in this process; the poll catches the rest.
    dataSource.subscribers.push(this);
    metrics.setOutboxBacklogSource(() => this.backlog());
  }

  /**
   * The rows unpublished for longer than OUTBOX_BACKLOG_AGE_SECONDS, or unconfirmed and unchecked for longer than
   * that and OUTBOX_REDELIVER_AFTER_SECONDS, and the rows unconfirmed (for the gauges and readiness).
   */
  backlog(): Promise<OutboxBacklogRow> {
    return this.repository.backlog(
      this.dataSource.manager,
      this.config.OUTBOX_BACKLOG_AGE_SECONDS,
      this.config.OUTBOX_REDELIVER_AFTER_SECONDS,
    );
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as { revlineOutbox?: boolean };
    if (data.revlineOutbox) {
      data.revlineOutbox = false;
      this.wakeSoon();
    }
  }

  /**
   * Wakes the relay WAKE_AFTER_MS after a commit, so that the commits of jobs finishing together share one run (one
   * claim, one publish to Redis) instead of one run each.
   */
  private wakeSoon(): void {
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.loop.wake();
    }, WAKE_AFTER_MS);
  }

  onApplicationBootstrap(): void {
    if (process.env.OUTBOX_RELAY !== 'off') this.start();
  }

  start(): void {
    this.loop.start();
  }

  /** Stops before the shutdown closes the connections a run in progress publishes and commits on. */
  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.wakeTimer);
    await this.loop.stop();
  }

  /**
   * Publishes one batch — at most BATCH messages and BATCH_BYTES of envelopes (at least one), so a run of large
   * messages (a period close's detail journals) never loads hundreds of them at once; returns how many rows it moved.
   * One statement claims and marks the rows (not a select, a second select and an update: the relay runs after
   * every commit that wrote messages).
   */
  async relayOnce(): Promise<number> {
    return transaction(this.dataSource, async (manager) => {
      const rows = await this.repository.claimBatch(manager, BATCH, BATCH_BYTES);
      if (rows.length === 0) return 0;
      await this.queues.publish(rows.map((row) => row.envelope));
      await this.afterPublish();
      for (const row of rows) this.metrics.outboxPublished.inc({ queue: row.queue });
      return rows.length;
    });
  }
}
