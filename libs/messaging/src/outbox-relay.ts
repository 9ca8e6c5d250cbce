import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { WorkerConfig } from '@revline/config';
import { MetricsService } from '@revline/observability';
import { transaction } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import type { Envelope } from './envelope';
import { publishOnCommit, takeOutboxWritten } from './outbox';
import type { OutboxBacklogRow } from './outbox.repository';
import { OutboxRepository } from './outbox.repository';
import { Queues } from './queues';
import { RecurringTask } from './recurring-task';
import { queueOf } from './registry';

const BATCH = 500;
const BATCH_BYTES = 8 * 1024 * 1024;
const IDLE_POLL_MAX_MS = 1_000;
const WAKE_AFTER_MS = 2;

/**
 * Moves committed outbox rows to BullMQ, by two paths. The messages a transaction of this process wrote are published
 * as soon as it commits (outboxWritten hands them over; those of transactions committing within WAKE_AFTER_MS go
 * together), with no statement of their own: the row stays unpublished until its consumer's receipt marks it
 * delivered (OutboxRedelivery). The poll is the safety net: it claims (SKIP LOCKED: many relays may run) rows still
 * unpublished after OUTBOX_PUBLISH_GRACE_SECONDS — a process that died between its commit and the publish, a publish
 * that failed, a consumer slower than the grace — and publishes and marks them, in one transaction that commits only
 * after publishing; rows written by other means go that way too. Published is not delivered: OutboxRedelivery marks a
 * row delivered once its consumer confirms it, and queues it again if Redis loses it before. A message published twice
 * (a poll after a direct publish, a crash before the poll's commit) carries the same job id: BullMQ drops the repeat
 * while the job exists, and the consumer's inbox after that.
 */
@Injectable()
export class OutboxRelay
  implements OnApplicationBootstrap, BeforeApplicationShutdown, EntitySubscriberInterface
{
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly loop = new RecurringTask(
    'Outbox relay',
    () => this.config.OUTBOX_POLL_MS,
    async () => {
      const moved = await this.relayOnce();
      return moved === 0 ? 'idle' : moved >= BATCH;
    },
    // The commits of this process are published as they happen, so the poll only looks for what they missed: it
    // slows down to IDLE_POLL_MAX_MS while it finds nothing.
    () => Math.max(this.config.OUTBOX_POLL_MS, IDLE_POLL_MAX_MS),
  );

  /** Whether this process publishes its messages as their transactions commit (the relay runs). */
  private onCommit = false;
  /** Committed messages waiting for the next direct publish, and its timer. */
  private committed: Envelope[] = [];
  private publishTimer?: NodeJS.Timeout;
  /** The direct publishes so far, one after another (in commit order). */
  private publishing: Promise<void> = Promise.resolve();

  /** Test seam: runs between publishing and the commit that marks the rows published. */
  afterPublish: () => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: Queues,
    private readonly repository: OutboxRepository,
    private readonly config: WorkerConfig,
    private readonly metrics: MetricsService,
  ) {
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

  /** The transaction committed (not a savepoint released): its messages go out. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!event.queryRunner.isTransactionActive) this.publishSoon(takeOutboxWritten(event.queryRunner));
  }

  /**
   * Its messages were not written (or, for a savepoint rolled back, may not all be): none goes out directly. A
   * transaction that commits after its savepoint rolled back leaves its rows to the poll.
   */
  afterTransactionRollback(event: TransactionRollbackEvent): void {
    takeOutboxWritten(event.queryRunner);
  }

  onApplicationBootstrap(): void {
    if (process.env.OUTBOX_RELAY !== 'off') this.start();
  }

  /** Runs the poll, and publishes this process's messages as they commit. */
  start(): void {
    this.onCommit = true;
    publishOnCommit(this.dataSource, (envelopes) => {
      this.publishSoon(envelopes);
    });
    this.loop.start();
  }

  /**
   * Publishes what has committed and stops, before the shutdown closes the connections a run in progress publishes
   * and commits on. A message committed after this waits for another process's poll.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.onCommit = false;
    publishOnCommit(this.dataSource, undefined);
    this.publishCommitted();
    await this.publishing;
    await this.loop.stop();
  }

  /**
   * Publishes committed messages WAKE_AFTER_MS from now, so that the commits of jobs finishing together share one
   * publish to Redis instead of one each.
   */
  private publishSoon(envelopes: readonly Envelope[]): void {
    if (!this.onCommit || envelopes.length === 0) return;
    this.committed.push(...envelopes);
    this.publishTimer ??= setTimeout(() => {
      this.publishCommitted();
    }, WAKE_AFTER_MS);
  }

  private publishCommitted(): void {
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    const envelopes = this.committed;
    this.committed = [];
    if (envelopes.length === 0) return;
    this.publishing = this.publishing.then(async () => {
      try {
        await this.queues.publish(envelopes);
        for (const envelope of envelopes) this.metrics.outboxPublished.inc({ queue: queueOf(envelope.job) });
      } catch (error) {
        // Their rows are unpublished: the poll publishes them once the grace is past.
        this.logger.warn(
          `Publishing ${String(envelopes.length)} committed messages failed (the poll takes them up after ` +
            `${String(this.config.OUTBOX_PUBLISH_GRACE_SECONDS)} s): ${(error as Error).message}`,
        );
      }
    });
  }

  /**
   * Publishes one batch — at most BATCH messages and BATCH_BYTES of envelopes (at least one), so a run of large
   * messages (a period close's detail journals) never loads hundreds of them at once — of rows unpublished for longer
   * than the grace (any age, when this process does not publish on commit: OUTBOX_RELAY=off, runs called by hand);
   * returns how many rows it moved. One statement claims and marks the rows.
   */
  async relayOnce(): Promise<number> {
    const grace = this.onCommit ? this.config.OUTBOX_PUBLISH_GRACE_SECONDS : 0;
    return transaction(this.dataSource, async (manager) => {
      const rows = await this.repository.claimBatch(manager, BATCH, BATCH_BYTES, grace);
      if (rows.length === 0) return 0;
      await this.queues.publish(rows.map((row) => row.envelope));
      await this.afterPublish();
      for (const row of rows) this.metrics.outboxPublished.inc({ queue: row.queue });
      return rows.length;
    });
  }
}
