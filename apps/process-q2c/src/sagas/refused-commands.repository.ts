import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { flushSagaRows } from '../lineage/lineage-recorder';

export interface SentCommand {
  step: string;
  job: string;
  status: string;
}

/** The SQL of refused saga commands: marking, finding again, superseding (their exceptions are the exceptions module's). */
@Injectable()
export class RefusedCommands {
  /**
   * Marks a command refused. One sent without awaiting its answer (a credit) was counted confirmed when sent, and
   * is refused too; one truly confirmed is not.
   */
  async markRejected(manager: EntityManager, key: string): Promise<void> {
    await flushSagaRows(manager);
    await manager.query(
      `UPDATE "q2c"."saga_commands" SET "status" = 'rejected'
        WHERE "idempotency_key" = $1 AND "status" IN ('sent', 'confirmed') AND "confirmed_at" IS NULL`,
      [key],
    );
  }

  /** The command a saga sent under `key`. */
  async find(manager: EntityManager, sagaId: string, key: string): Promise<SentCommand | null> {
    await flushSagaRows(manager);
    const rows = await manager.query<SentCommand[]>(
      `SELECT "step", "job", "status" FROM "q2c"."saga_commands" WHERE "idempotency_key" = $1 AND "saga_id" = $2`,
      [key, sagaId],
    );
    return rows.at(0) ?? null;
  }

  /** The job and payload a saga recorded for the command under `key` (one sent inside another has no envelope). */
  async recorded(manager: EntityManager, key: string): Promise<{ job: string; payload: unknown } | null> {
    await flushSagaRows(manager);
    const rows = await manager.query<Array<{ job: string; payload: unknown }>>(
      `SELECT "job", "payload" FROM "q2c"."saga_commands" WHERE "idempotency_key" = $1`,
      [key],
    );
    return rows.at(0) ?? null;
  }

  async setStatus(manager: EntityManager, key: string, status: 'sent' | 'superseded'): Promise<void> {
    await flushSagaRows(manager);
    await manager.query(`UPDATE "q2c"."saga_commands" SET "status" = $2 WHERE "idempotency_key" = $1`, [
      key,
      status,
    ]);
  }
}
