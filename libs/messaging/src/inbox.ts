import { Injectable } from '@nestjs/common';
import { prepared, transaction } from '@revline/persistence';
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
    return transaction(this.dataSource, async (manager) => {
      if (!(await this.record(manager, consumer, envelope))) return { applied: false };
      return { applied: true, result: await effect(manager) };
    });
  }

  /**
   * Records a message as applied by `consumer` in the caller's transaction (for an effect the caller makes there);
   * false when it was recorded before.
   */
  async record(
    manager: EntityManager,
    consumer: string,
    envelope: Pick<Envelope, 'idempotencyKey' | 'messageId'>,
  ): Promise<boolean> {
    const schema = manager.connection.driver.schema ?? 'public';
    const inserted = await prepared(
      manager,
      `INSERT INTO "${schema}"."inbox" ("consumer", "idempotency_key", "message_id") VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [consumer, envelope.idempotencyKey, envelope.messageId],
    );
    return inserted.rowCount === 1;
  }

  /**
   * Several messages applied in one transaction (a batch answered together): their inbox rows are written in one
   * statement, and `effect` is handed the messages not applied before (in order; a key twice in the list counts
   * once). Answers, per message, whether this call applied it.
   */
  async runOnceEach<E extends Pick<Envelope, 'idempotencyKey' | 'messageId'>>(
    consumer: string,
    envelopes: readonly E[],
    effect: (manager: EntityManager, fresh: readonly E[]) => Promise<void>,
  ): Promise<boolean[]> {
    return transaction(this.dataSource, async (manager) => {
      const schema = manager.connection.driver.schema ?? 'public';
      const { rows } = await prepared<{ idempotency_key: string }>(
        manager,
        `INSERT INTO "${schema}"."inbox" ("consumer", "idempotency_key", "message_id")
         SELECT $1, u."key", u."message_id"::uuid FROM unnest($2::text[], $3::text[]) AS u("key", "message_id")
         ON CONFLICT DO NOTHING
         RETURNING "idempotency_key"`,
        [consumer, envelopes.map((e) => e.idempotencyKey), envelopes.map((e) => e.messageId)],
      );
      const inserted = new Set(rows.map((r) => r.idempotency_key));
      const applied = envelopes.map((e) => inserted.delete(e.idempotencyKey));
      const fresh = envelopes.filter((_, i) => applied[i]);
      if (fresh.length > 0) await effect(manager, fresh);
      return applied;
    });
  }
}
