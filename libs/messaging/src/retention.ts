import { Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { RetentionConfig } from '@revline/config';
import { MetricsService } from '@revline/observability';
import { DataSource } from 'typeorm';
import { RecurringTask } from './recurring-task';
import type { RetentionTarget } from './retention-target';
import { messagingRetentionTargets } from './retention-target';
import { RetentionRepository } from './retention.repository';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Prunes the rows an app keeps only for deduplication and history (delivered outbox rows, inbox rows, and what
 * the app's own modules register: processed webhooks, lineage) once older than their window (RetentionConfig).
 * Each run deletes one batch per table and runs again at once while a table had a full batch; then it waits
 * RETENTION_INTERVAL_SECONDS.
 */
@Injectable()
export class Retention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly targets: RetentionTarget[];
  private readonly loop = new RecurringTask(
    'Retention',
    () => this.config.RETENTION_INTERVAL_SECONDS * 1000,
    async () => {
      const pruned = await this.pruneOnce();
      return Object.values(pruned).some((rows) => rows >= this.config.RETENTION_BATCH_ROWS);
    },
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: RetentionRepository,
    private readonly config: RetentionConfig,
    private readonly metrics: MetricsService,
  ) {
    this.targets = messagingRetentionTargets(dataSource.driver.schema ?? 'public');
  }

  /** Adds a table of the app's own (its owning module registers it when it starts). */
  register(target: RetentionTarget): void {
    this.targets.push(target);
  }

  onApplicationBootstrap(): void {
    if (this.config.RETENTION_ENABLED) this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Deletes one batch of each table's expired rows, as of `now`; returns the rows deleted by `schema.table`. */
  async pruneOnce(now = new Date()): Promise<Record<string, number>> {
    const pruned: Record<string, number> = {};
    for (const target of this.targets) {
      const cutoff = new Date(now.getTime() - target.days(this.config) * DAY_MS);
      const rows = await this.repository.pruneBatch(
        this.dataSource.manager,
        target,
        cutoff,
        this.config.RETENTION_BATCH_ROWS,
      );
      const name = `${target.schema}.${target.table}`;
      pruned[name] = rows;
      if (rows > 0) this.metrics.retentionPruned.inc({ table: name }, rows);
    }
    return pruned;
  }
}
