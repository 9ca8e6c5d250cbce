import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { RecurringTask } from '@revline/messaging';
import { randomUUID } from 'node:crypto';
import { Q2cConfig } from '../mappings/q2c.config';
import { ReportUsage } from './report-usage.usecase';
import { UsageConfig } from './usage.config';
import { UsageRepository } from './usage.repository';

/** Contracts taken per sweep, and events of one contract per ingestion. */
const CONTRACTS_PER_SWEEP = 20;
const EVENTS_PER_INGESTION = 50_000;

/** Who the ingestion records of released usage name as their requester. */
export const PARKED_USAGE_ACTOR = 'revline:parked-usage';

/**
 * Ingests the usage parked for a contract (USAGE_UNKNOWN_CONTRACT=park) once its booking has completed with a billing
 * customer: an ingestion of its own (mode partial, so a late event is a reject of that ingestion, not a refusal of
 * the rest), recorded like an upload and reported to billing the same way; then the events leave the parking.
 * A crash between the two ingests them again, and their identifiers count them once. Swept every PARKED_SWEEP_MS.
 */
@Injectable()
export class ParkedUsageRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ParkedUsageRelay.name);

  private readonly loop = new RecurringTask(
    'Parked usage sweep',
    () => this.config.PARKED_SWEEP_MS,
    async () => ((await this.sweep()) === 0 ? 'idle' : false),
  );

  constructor(
    private readonly repository: UsageRepository,
    private readonly report: ReportUsage,
    private readonly config: Q2cConfig,
    private readonly usage: UsageConfig,
  ) {}

  /** Sweeps only where usage is parked at all. */
  onApplicationBootstrap(): void {
    if (this.usage.USAGE_UNKNOWN_CONTRACT === 'park') this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Ingests the parked usage of contracts now booked; returns how many events left the parking. */
  async sweep(): Promise<number> {
    let released = 0;
    for (const contractId of await this.repository.bookedWithParkedUsage(CONTRACTS_PER_SWEEP)) {
      const rows = await this.repository.parkedOf(contractId, EVENTS_PER_INGESTION);
      if (rows.length === 0) continue;
      const ingestionId = randomUUID();
      await this.report.open(ingestionId, 'partial', 'parked', PARKED_USAGE_ACTOR);
      const outcome = await this.report.execute(ingestionId, {
        lines: rows.map((value, i) => ({ line: i + 1, value })),
        mode: 'partial',
        jsonArray: false,
      });
      await this.repository.unpark(rows.map((r) => r.identifier));
      released += rows.length;
      this.logger.log({
        msg: 'parked usage ingested',
        contractId,
        ingestionId,
        events: rows.length,
        staged: outcome.staged,
        rejected: outcome.rejected,
      });
    }
    return released;
  }
}
