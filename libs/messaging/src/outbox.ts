import { Injectable } from '@nestjs/common';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import type { Envelope, EnvelopeOptions } from './envelope';
import { createEnvelope } from './envelope';
import { OutboxMessageEntity } from './entities';
import type { JobName, JobPayloads } from './registry';
import { queueOf } from './registry';

/**
 * Tells the relay of this process to publish as soon as the transaction commits (see OutboxRelay): for every writer
 * of outbox rows, `Outbox` or a statement of its own.
 */
export function outboxWritten(manager: EntityManager): void {
  if (manager.queryRunner?.isTransactionActive)
    (manager.queryRunner.data as { revlineOutbox?: boolean }).revlineOutbox = true;
}

/**
 * The transactional outbox: a message is written in the caller's transaction, so it is queued if and only
 * if that transaction commits. Writing the same (job, idempotency key) twice keeps the first.
 */
@Injectable()
export class Outbox {
  async add<J extends JobName>(
    manager: EntityManager,
    job: J,
    payload: JobPayloads[J],
    options: EnvelopeOptions,
  ): Promise<Envelope<J>> {
    const { envelope, row } = this.entry(manager, job, payload, options);
    await prepared(
      manager,
      `INSERT INTO "${manager.connection.driver.schema ?? 'public'}"."outbox"
         ("message_id", "queue", "job", "idempotency_key", "envelope") VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT DO NOTHING`,
      row,
    );
    return envelope;
  }

  /**
   * The envelope `add` writes and its row (message_id, queue, job, idempotency_key, envelope as JSON text), for a
   * caller that writes the row itself, in a statement of its own in the same transaction and schema.
   */
  entry<J extends JobName>(
    manager: EntityManager,
    job: J,
    payload: JobPayloads[J],
    options: EnvelopeOptions,
  ): { envelope: Envelope<J>; row: [string, string, string, string, string] } {
    const envelope = createEnvelope(job, payload, options);
    outboxWritten(manager);
    return {
      envelope,
      row: [envelope.messageId, queueOf(job), job, envelope.idempotencyKey, JSON.stringify(envelope)],
    };
  }

  /** The envelope first written under an idempotency key (the outbox keeps it after publishing), or null. */
  async sent(manager: EntityManager, idempotencyKey: string): Promise<Envelope | null> {
    const row = await manager.getRepository(OutboxMessageEntity).findOne({ where: { idempotencyKey } });
    return (row?.envelope as Envelope | undefined) ?? null;
  }
}
