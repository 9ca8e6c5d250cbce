import { Injectable } from '@nestjs/common';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import { ExceptionResolutions } from '../shared/exception-resolutions';

/** The exceptions the flow settles on its own, closed in the caller's transaction. */
@Injectable()
export class ExceptionsRepository extends ExceptionResolutions {
  async sagaMovedOn(manager: EntityManager, sagaId: string): Promise<void> {
    await manager.query(
      `UPDATE "q2c"."exceptions" SET "status" = 'resolved', "resolved_at" = now(),
         "resolution" = 'The saga moved on after the retry'
        WHERE "category" = 'confirmation_timeout' AND "details"->>'sagaId' = $1 AND "status" <> 'resolved'`,
      [sagaId],
    );
  }

  async commandConfirmed(
    manager: EntityManager,
    baseKey: string,
    categories: readonly string[],
  ): Promise<void> {
    await manager.query(
      `UPDATE "q2c"."exceptions" SET "status" = 'resolved', "resolved_at" = now(),
         "resolution" = 'Confirmed after the retry'
        WHERE "details"->>'commandBaseKey' = $1 AND "category" = ANY($2) AND "status" <> 'resolved'`,
      [baseKey, categories],
    );
  }

  async jobSettled(
    manager: EntityManager,
    job: string,
    idempotencyKeys: readonly string[],
    resolution: string,
  ): Promise<void> {
    if (idempotencyKeys.length === 0) return;
    // Every normalised order runs it (nearly always matching nothing): a prepared statement, not a TypeORM query.
    await prepared(
      manager,
      `UPDATE "q2c"."exceptions" SET "status" = 'resolved', "resolved_at" = now(), "resolution" = $3
        WHERE "job" = $1 AND "idempotency_key" = ANY($2::text[]) AND "status" <> 'resolved'`,
      [job, [...idempotencyKeys], resolution],
    );
  }
}
