import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Envelope } from './envelope';
import { InboxEntryEntity } from './entities';

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
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(InboxEntryEntity)
        .values({ consumer, idempotencyKey: envelope.idempotencyKey, messageId: envelope.messageId })
        .orIgnore()
        .returning(['consumer'])
        .execute();
      if ((inserted.raw as unknown[]).length === 0) return { applied: false };
      return { applied: true, result: await effect(manager) };
    });
  }
}
