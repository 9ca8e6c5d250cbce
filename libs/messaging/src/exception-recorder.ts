import { Injectable } from '@nestjs/common';
import { MetricsService } from '@revline/observability';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Envelope } from './envelope';
import type { RecordedException } from './exception-forwarding';
import { ExceptionForwarding, RECORDED_COLUMNS } from './exception-forwarding';
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
    private readonly forwarding: ExceptionForwarding,
  ) {}

  /** Records (or reopens) the exception of a message; in the caller's transaction when a manager is given. */
  async record(envelope: Envelope, input: ExceptionInput, manager?: EntityManager): Promise<void> {
    // In a system API the row and its forwarding message are written in one transaction.
    if (!manager && this.forwarding.enabled) {
      await this.dataSource.transaction((tx) => this.record(envelope, input, tx));
      return;
    }
    const schema = this.dataSource.driver.schema ?? 'public';
    const rows = await (manager ?? this.dataSource.manager).query<RecordedException[]>(
      `INSERT INTO "${schema}"."exceptions"
         ("category", "reason", "details", "queue", "job", "idempotency_key", "correlation_id", "envelope")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ("job", "idempotency_key") DO UPDATE SET
         "category" = EXCLUDED."category", "reason" = EXCLUDED."reason", "details" = EXCLUDED."details",
         "envelope" = EXCLUDED."envelope", "status" = 'open', "last_seen_at" = now(),
         "resolved_at" = NULL, "resolution" = NULL, "occurrences" = "exceptions"."occurrences" + 1
       RETURNING ${RECORDED_COLUMNS}`,
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
    if (manager && rows[0]) await this.forwarding.raised(manager, rows[0]);
    this.metrics.exceptions.inc({ category: input.category });
  }

  /**
   * A job of a system API succeeded: the exception an operator retried it from is resolved, and process-q2c told.
   * Nothing to do in an app that does not forward its exceptions (process-q2c settles its own).
   */
  async succeeded(envelope: Envelope): Promise<void> {
    if (!this.forwarding.enabled) return;
    const schema = this.dataSource.driver.schema ?? 'public';
    await this.dataSource.transaction(async (manager) => {
      const [rows] = await manager.query<[Array<{ id: string; occurrences: number }>, number]>(
        `UPDATE "${schema}"."exceptions" SET "status" = 'resolved', "resolved_at" = now(),
           "resolution" = 'The retried job succeeded'
          WHERE "job" = $1 AND "idempotency_key" = $2 AND "status" = 'retrying'
          RETURNING "id", "occurrences"`,
        [envelope.job, envelope.idempotencyKey],
      );
      for (const row of rows) await this.forwarding.cleared(manager, row, 'The retried job succeeded');
    });
  }
}
