import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { prepared } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

export const contractWaitKey = (salesforceContractId: string): string =>
  `salesforce-contract:${salesforceContractId}`;

/** Messages waiting for a fact (a booked contract) that has not arrived yet. */
@Injectable()
export class ParkedEvents {
  constructor(private readonly dataSource: DataSource) {}

  /** Parks a message under a wait key; parking it again (a redelivery) refreshes the same row. */
  async park(envelope: Envelope, waitKey: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "q2c"."parked_events" ("wait_key", "job", "idempotency_key", "correlation_id", "reason", "envelope")
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ("job", "idempotency_key") DO UPDATE SET
         "wait_key" = EXCLUDED."wait_key", "reason" = EXCLUDED."reason", "envelope" = EXCLUDED."envelope",
         "status" = 'parked', "parked_at" = now(), "released_at" = NULL, "republished_at" = NULL`,
      [
        waitKey,
        envelope.job,
        envelope.idempotencyKey,
        envelope.correlationId,
        reason,
        JSON.stringify(envelope),
      ],
    );
  }

  /**
   * Releases every message waiting on the keys, in the caller's transaction (the one that stored the awaited
   * fact), so they are released if and only if it commits. Returns how many.
   */
  async release(
    waitKeys: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    if (waitKeys.length === 0) return 0;
    const { rowCount } = await prepared(
      manager,
      `UPDATE "q2c"."parked_events" SET "status" = 'released', "released_at" = now()
        WHERE "wait_key" = ANY($1::text[]) AND "status" = 'parked' RETURNING "id"`,
      [[...waitKeys]],
    );
    return rowCount ?? 0;
  }
}
