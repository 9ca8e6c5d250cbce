import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WorkerConfig } from '@revline/config';
import { MetricsService } from '@revline/observability';
import { DataSource } from 'typeorm';
import type { EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import type { Envelope } from './envelope';
import { OutboxMessageEntity } from './entities';
import { Queues } from './queues';

const BATCH = 500;

/**
 * Moves committed outbox rows to BullMQ. Rows are claimed with SKIP LOCKED (many relays may run), published,
 * then marked, all in one transaction. A crash after publishing and before marking publishes the rows again
 * with the same job ids: BullMQ drops the repeat while the job exists, and the consumer's inbox after that.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown, EntitySubscriberInterface {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;

  /** Test seam: runs between publishing and marking. */
  afterPublish: () => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: Queues,
    private readonly config: WorkerConfig,
    private readonly metrics: MetricsService,
  ) {
    // Woken by every commit that wrote outbox rows in this process; the poll catches the others' commits.
    dataSource.subscribers.push(this);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as { revlineOutbox?: boolean };
    if (data.revlineOutbox) {
      data.revlineOutbox = false;
      this.wake();
    }
  }

  onApplicationBootstrap(): void {
    if (process.env.OUTBOX_RELAY !== 'off') this.start();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Publishes one batch; returns how many rows it moved. */
  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .getRepository(OutboxMessageEntity)
        .createQueryBuilder('o')
        .where('o.published_at IS NULL')
        .orderBy('o.id')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (rows.length === 0) return 0;
      await this.queues.publish(rows.map((row) => row.envelope as Envelope));
      await this.afterPublish();
      await manager
        .createQueryBuilder()
        .update(OutboxMessageEntity)
        .set({ publishedAt: () => 'now()' })
        .whereInIds(rows.map((row) => row.id))
        .execute();
      for (const row of rows) this.metrics.outboxPublished.inc({ queue: row.queue });
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let moved = 0;
      try {
        moved = await this.relayOnce();
      } catch (error) {
        this.logger.warn(`Outbox relay: ${(error as Error).message}`);
      }
      if (moved < BATCH) await this.nap(this.config.OUTBOX_POLL_MS);
    }
  }

  /** Waits for the poll interval, or less when a local commit wrote outbox rows or the app is closing. */
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

  /** Ends the current nap, or the next one before it starts when a batch is in progress. */
  private wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }
}
