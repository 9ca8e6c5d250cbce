import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { WorkerConfig } from '@revline/config';
import { MetricsService } from '@revline/observability';
import { DataSource } from 'typeorm';
import { DeliveryReceipts } from './delivery-receipts';
import { jobIdFor } from './envelope';
import type { Envelope } from './envelope';
import { OutboxRepository } from './outbox.repository';
import type { UnconfirmedMessage } from './outbox.repository';
import { Queues } from './queues';
import { RecurringTask } from './recurring-task';
import { queueOf } from './registry';

const RECEIPTS_BATCH = 1_000;
const CHECK_BATCH = 200;
const INTERVAL_MS = 1_000;
const IDLE_MAX_MS = 5_000;

/** What a check against Redis found for one unconfirmed row. */
type Found = 'had' | 'gone' | 'in hand';

/**
 * Delivery confirmed by the consumer: marks outbox rows delivered from the consumers' receipts, and
 * checks the rows published and still unconfirmed after OUTBOX_REDELIVER_AFTER_SECONDS against Redis. A job there
 * completed or failed was had by its consumer (its receipt was lost): the row is marked delivered. A job Redis no
 * longer holds (lost with a restart, an AOF behind, a removal) is queued again under the same job id; its consumer's
 * inbox drops it if it had applied it after all. A job still waiting, delayed or running starts a new window.
 */
@Injectable()
export class OutboxRedelivery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRedelivery.name);
  private readonly loop = new RecurringTask(
    'Outbox delivery',
    () => INTERVAL_MS,
    async () => {
      const confirmed = await this.drainReceipts();
      const checked = await this.redriveOnce();
      if (checked >= CHECK_BATCH) return true;
      return confirmed + checked === 0 ? 'idle' : false;
    },
    () => IDLE_MAX_MS,
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: Queues,
    private readonly receipts: DeliveryReceipts,
    private readonly repository: OutboxRepository,
    private readonly config: WorkerConfig,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    if (process.env.OUTBOX_RELAY !== 'off') this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Marks delivered the rows of this outbox that the receipts read name; returns how many. */
  async drainReceipts(): Promise<number> {
    let marked = 0;
    for (;;) {
      const ids = await this.receipts.read(RECEIPTS_BATCH);
      if (ids.length === 0) break;
      marked += await this.repository.confirm(this.dataSource.manager, ids);
      if (ids.length < RECEIPTS_BATCH) break;
    }
    if (marked > 0) this.metrics.outboxConfirmed.inc({ via: 'receipt' }, marked);
    return marked;
  }

  /** Checks one batch of overdue unconfirmed rows against Redis; returns how many it checked. */
  async redriveOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.repository.claimUnconfirmed(
        manager,
        this.config.OUTBOX_REDELIVER_AFTER_SECONDS,
        CHECK_BATCH,
      );
      if (rows.length === 0) return 0;
      const found = await Promise.all(rows.map((row) => this.find(row.envelope)));
      const pick = (wanted: Found): UnconfirmedMessage[] => rows.filter((_, i) => found[i] === wanted);
      const had = pick('had');
      const gone = pick('gone');
      await this.queues.publish(gone.map((row) => row.envelope));
      await this.repository.markDelivered(
        manager,
        had.map((row) => row.id),
      );
      await this.repository.markPublished(
        manager,
        [...gone, ...pick('in hand')].map((row) => row.id),
      );
      if (had.length > 0) this.metrics.outboxConfirmed.inc({ via: 'redis' }, had.length);
      for (const row of gone) this.metrics.outboxRedriven.inc({ queue: row.queue });
      if (gone.length > 0)
        this.logger.warn(`Queued again ${String(gone.length)} messages Redis no longer held`);
      return rows.length;
    });
  }

  private async find(envelope: Envelope): Promise<Found> {
    const queue = await this.queues.get(queueOf(envelope.job));
    const state = await queue.getJobState(jobIdFor(envelope.job, envelope.idempotencyKey));
    if (state === 'completed' || state === 'failed') return 'had';
    return state === 'unknown' ? 'gone' : 'in hand';
  }
}
