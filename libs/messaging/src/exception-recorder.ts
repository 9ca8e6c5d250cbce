import { Injectable } from '@nestjs/common';
import { MetricsService } from '@revline/observability';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Envelope } from './envelope';
import { queueOf } from './registry';

export interface ExceptionInput {
  category: string;
  reason: string;
  details?: Record<string, unknown>;
}

/**
 * Records a parked job as an exception. The same job failing again reopens and counts its row instead of
 * adding one, so the workbench shows one line per stuck message.
 */
@Injectable()
export class ExceptionRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  /** Records (or reopens) the exception of a message; in the caller's transaction when a manager is given. */
  async record(envelope: Envelope, input: ExceptionInput, manager?: EntityManager): Promise<void> {
    const schema = this.dataSource.driver.schema ?? 'public';
    await (manager ?? this.dataSource.manager).query(
      `INSERT INTO "${schema}"."exceptions"
         ("category", "reason", "details", "queue", "job", "idempotency_key", "correlation_id", "envelope")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ("job", "idempotency_key") DO UPDATE SET
         "category" = EXCLUDED."category", "reason" = EXCLUDED."reason", "details" = EXCLUDED."details",
         "envelope" = EXCLUDED."envelope", "status" = 'open', "last_seen_at" = now(),
         "resolved_at" = NULL, "resolution" = NULL, "occurrences" = "exceptions"."occurrences" + 1`,
      [
        input.category,
        input.reason,
        JSON.stringify(input.details ?? {}),
        queueOf(envelope.job),
        envelope.job,
        envelope.idempotencyKey,
        envelope.correlationId,
        JSON.stringify(envelope),
      ],
    );
    this.metrics.exceptions.inc({ category: input.category });
  }
}
