import { Injectable, Module } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { BusinessError, Inbox, JobHandler, TransientError } from '@revline/messaging';
import type { AppDatabase } from '@revline/platform';
import { PlatformModule } from '@revline/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A table of observable effects: the messaging specs count rows here. */
export class HarnessEffects1764201600100 implements MigrationInterface {
  name = 'HarnessEffects1764201600100';
  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'public'}"`;
    await q.query(
      `CREATE TABLE ${s}."harness_effects" ("id" BIGSERIAL PRIMARY KEY, "key" text NOT NULL, "kind" text NOT NULL, "pid" integer NOT NULL, "at" timestamptz NOT NULL DEFAULT now())`,
    );
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${q.connection.driver.schema ?? 'public'}"."harness_effects"`);
  }
}

export const HARNESS_DATABASE: AppDatabase = {
  schema: 'harness',
  migrations: [HarnessEffects1764201600100],
  messaging: true,
};

/**
 * Handlers for the billing.commands jobs that only record effects, so the messaging specs can watch
 * delivery, retries, parking and crashes through a real worker. `HARNESS_SLOW_MS` makes the effectful job
 * pause (after noting that it started) so a test can kill the process mid-job.
 */
@Injectable()
export class HarnessHandlers {
  constructor(
    private readonly inbox: Inbox,
    private readonly dataSource: DataSource,
  ) {}

  @JobHandler('billing.apply-contract-change')
  async applyOnce(envelope: Envelope<'billing.apply-contract-change'>): Promise<void> {
    await this.note(envelope.idempotencyKey, 'started');
    const slowMs = Number(process.env.HARNESS_SLOW_MS ?? '0');
    if (slowMs > 0) await sleep(slowMs);
    await this.inbox.runOnce('harness', envelope, (manager) =>
      manager.query(
        `INSERT INTO "harness"."harness_effects" ("key", "kind", "pid") VALUES ($1, 'effect', $2)`,
        [envelope.idempotencyKey, process.pid],
      ),
    );
  }

  @JobHandler('billing.report-usage')
  async parkIt(envelope: Envelope<'billing.report-usage'>): Promise<void> {
    await this.note(envelope.idempotencyKey, 'attempt');
    throw new BusinessError(
      'unmapped_product',
      `No billing price is mapped for meter ${envelope.payload.meterEventName}`,
      {
        meterEventName: envelope.payload.meterEventName,
      },
    );
  }

  @JobHandler('billing.issue-credit')
  async flaky(envelope: Envelope<'billing.issue-credit'>): Promise<void> {
    await this.note(envelope.idempotencyKey, 'attempt');
    // duplicate: passes on its third attempt; fraudulent: on its fourth (a retry after its attempts ran out).
    const failures = { duplicate: 2, fraudulent: 3 }[envelope.payload.reason as string] ?? 1000;
    const rows = await this.dataSource.query<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM "harness"."harness_effects" WHERE "key" = $1 AND "kind" = 'attempt'`,
      [envelope.idempotencyKey],
    );
    const count = rows[0]?.count ?? 0;
    if (count <= failures) throw new TransientError(`billing platform answered 503 (attempt ${count})`);
    await this.note(envelope.idempotencyKey, 'effect');
  }

  private async note(key: string, kind: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "harness"."harness_effects" ("key", "kind", "pid") VALUES ($1, $2, $3)`,
      [key, kind, process.pid],
    );
  }
}

@Module({
  imports: [
    // It stands in for system-billing: its exceptions are forwarded and it applies the workbench's decisions.
    PlatformModule.forApp({
      database: HARNESS_DATABASE,
      messaging: { consumes: ['billing.commands'], forwardExceptions: 'billing' },
    }),
  ],
  providers: [HarnessHandlers],
})
export class HarnessModule {}
