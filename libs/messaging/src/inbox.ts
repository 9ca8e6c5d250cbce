import { Injectable } from '@nestjs/common';
import { prepared } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Envelope } from './envelope';

export type InboxOutcome<T> = { applied: true; result: T } | { applied: false };

/**
 * The inbox: a consumer applies a message's effect in the same transaction that records its idempotency key.
 * A message already applied is acknowledged without a second effect; two deliveries racing each other
 * serialise on the primary key, and the second finds the first's row.
 */
@Injectable()
export class Inbox {
  constructor(private readonly dataSource: DataSource) {}

  async runOnce<T>(
    consumer: string,
    envelope: Pick<Envelope, 'idempotencyKey' | 'messageId'>,
    effect: (manager: EntityManager) => Promise<T>,
  ): Promise<InboxOutcome<T>> {
    return this.dataSource.transaction(async (manager) => {
      const schema = manager.connection.driver.schema ?? 'public';
      const inserted = await prepared(
        manager,
        `INSERT INTO "${schema}"."inbox" ("consumer", "idempotency_key", "message_id") VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [consumer, envelope.idempotencyKey, envelope.messageId],
      );
      if (inserted.rowCount === 0) return { applied: false };
      return { applied: true, result: await effect(manager) };
    });
  }
}
