import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '@revline/observability';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import type { RecordedException } from './exception-forwarding';
import { ExceptionForwarding, RECORDED_COLUMNS } from './exception-forwarding';

export interface ConnectionOutage {
  connection: string;
  since: string;
  reason: string;
}

/**
 * Connection-level failures (bad credentials, the vendor down, its circuit open) as one alert per connection, not
 * one per job: while a connection is down, /health reports it degraded, `revline_connection_up` is 0 and
 * `revline_connection_failures_total` counts the failed jobs, and the app's workbench holds one exception for the
 * connection (reopened and counted on the next outage, resolved when a job of the same queue succeeds again).
 */
@Injectable()
export class ConnectionAlerts {
  private readonly logger = new Logger(ConnectionAlerts.name);
  private readonly down = new Map<string, ConnectionOutage & { queues: Set<string> }>();
  private readonly failures: Counter<'connection'>;
  private readonly up: Gauge<'connection'>;

  constructor(
    private readonly dataSource: DataSource,
    metrics: MetricsService,
    private readonly forwarding: ExceptionForwarding,
  ) {
    this.failures = new Counter({
      name: 'revline_connection_failures_total',
      help: 'Jobs that met a connection-level failure (bad credentials, vendor down), by connection',
      labelNames: ['connection'] as const,
      registers: [metrics.registry],
    });
    this.up = new Gauge({
      name: 'revline_connection_up',
      help: '1 while the connection works, 0 while it is down',
      labelNames: ['connection'] as const,
      registers: [metrics.registry],
    });
  }

  /** The connections down now. */
  get outages(): ConnectionOutage[] {
    return [...this.down.values()].map(({ connection, since, reason }) => ({ connection, since, reason }));
  }

  async failed(connection: string, queue: string, reason: string): Promise<void> {
    this.failures.inc({ connection });
    this.up.set({ connection }, 0);
    const known = this.down.get(connection);
    if (known) {
      known.queues.add(queue);
      known.reason = reason;
      return;
    }
    this.down.set(connection, {
      connection,
      since: new Date().toISOString(),
      reason,
      queues: new Set([queue]),
    });
    this.logger.error({ msg: 'connection down', connection, reason });
    const schema = this.dataSource.driver.schema ?? 'public';
    const key = `connection:${connection}`;
    await this.dataSource.transaction(async (manager) => {
      const rows = await manager.query<RecordedException[]>(
        `INSERT INTO "${schema}"."exceptions"
         ("category", "reason", "details", "queue", "job", "idempotency_key", "correlation_id", "envelope")
       VALUES ('connection_failed', $1, $2, $3, $4, $4, $4, '{}')
       ON CONFLICT ("job", "idempotency_key") DO UPDATE SET
         "reason" = EXCLUDED."reason", "details" = EXCLUDED."details", "status" = 'open', "last_seen_at" = now(),
         "resolved_at" = NULL, "resolution" = NULL,
         "occurrences" = "exceptions"."occurrences" + CASE WHEN "exceptions"."status" = 'resolved' THEN 1 ELSE 0 END
       RETURNING ${RECORDED_COLUMNS}`,
        [
          `The ${connection} connection is down: ${reason}. Its jobs wait and resume when it is back.`,
          JSON.stringify({ connection }),
          queue,
          key,
        ],
      );
      if (rows[0]) await this.forwarding.raised(manager, rows[0]);
    });
  }

  /** A job of `queue` succeeded: the connections it had found down work again. */
  async succeeded(queue: string): Promise<void> {
    if (this.down.size === 0) return;
    for (const [connection, outage] of this.down) {
      if (!outage.queues.has(queue)) continue;
      this.down.delete(connection);
      this.up.set({ connection }, 1);
      this.logger.log({ msg: 'connection back', connection, downSince: outage.since });
      const schema = this.dataSource.driver.schema ?? 'public';
      await this.dataSource.transaction(async (manager) => {
        const [rows] = await manager.query<[Array<{ id: string; occurrences: number }>, number]>(
          `UPDATE "${schema}"."exceptions" SET "status" = 'resolved', "resolved_at" = now(),
             "resolution" = 'The connection works again'
            WHERE "job" = $1 AND "idempotency_key" = $1 AND "status" <> 'resolved'
            RETURNING "id", "occurrences"`,
          [`connection:${connection}`],
        );
        for (const row of rows) await this.forwarding.cleared(manager, row, 'The connection works again');
      });
    }
  }
}
