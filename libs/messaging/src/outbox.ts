import { Injectable } from '@nestjs/common';
import { prepared } from '@revline/persistence';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { Envelope, EnvelopeOptions } from './envelope';
import { createEnvelope } from './envelope';
import { OutboxMessageEntity } from './entities';
import type { JobName, JobPayloads } from './registry';
import { queueOf } from './registry';

/** What a transaction's query runner carries for the outbox relay: the messages it wrote, to publish on commit. */
interface OutboxRunnerData {
  revlineOutbox?: Envelope[];
}

/** The relay of each DataSource that publishes its process's messages on commit (OutboxRelay.start). */
const publishers = new WeakMap<DataSource, (envelopes: readonly Envelope[]) => void>();

/** Registers (or, with undefined, removes) the relay publishing a DataSource's messages as they commit. */
export function publishOnCommit(
  dataSource: DataSource,
  publish: ((envelopes: readonly Envelope[]) => void) | undefined,
): void {
  if (publish) publishers.set(dataSource, publish);
  else publishers.delete(dataSource);
}

/**
 * Hands the messages a statement wrote to the outbox (the rows it inserted, not those it found there already) to
 * this process's relay, which publishes them as soon as their transaction commits and forgets them if it rolls back
 * (OutboxRelay); written outside a transaction, they are committed already and go at once. For every writer of
 * outbox rows, `Outbox` or a statement of its own. Without a relay publishing on commit (OUTBOX_RELAY=off), the
 * rows wait for a relay's run.
 */
export function outboxWritten(
  manager: EntityManager,
  written: readonly Envelope[],
  /** The message ids the statement answered (RETURNING "message_id"), where it may have inserted only some. */
  inserted?: readonly string[],
): void {
  const ids = inserted && new Set(inserted);
  const envelopes = ids ? written.filter((e) => ids.has(e.messageId)) : written;
  if (envelopes.length === 0) return;
  const runner = manager.queryRunner;
  if (runner?.isTransactionActive)
    ((runner.data as OutboxRunnerData).revlineOutbox ??= []).push(...envelopes);
  else publishers.get(manager.connection)?.(envelopes);
}

/** Takes the messages handed over in a transaction (outboxWritten): at its commit, or to drop at its rollback. */
export function takeOutboxWritten(runner: QueryRunner): Envelope[] {
  const data = runner.data as OutboxRunnerData;
  const envelopes = data.revlineOutbox ?? [];
  data.revlineOutbox = undefined;
  return envelopes;
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
    const { envelope, row } = this.entry(job, payload, options);
    const { rowCount } = await prepared(
      manager,
      `INSERT INTO "${manager.connection.driver.schema ?? 'public'}"."outbox"
         ("message_id", "queue", "job", "idempotency_key", "envelope") VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT DO NOTHING`,
      row,
    );
    if (rowCount === 1) outboxWritten(manager, [envelope]);
    return envelope;
  }

  /**
   * The envelope `add` writes and its row (message_id, queue, job, idempotency_key, envelope as JSON text), for a
   * caller that writes the row itself, in a statement of its own in the same transaction and schema, and hands the
   * envelope to outboxWritten once written.
   */
  entry<J extends JobName>(
    job: J,
    payload: JobPayloads[J],
    options: EnvelopeOptions,
  ): { envelope: Envelope<J>; row: [string, string, string, string, string] } {
    const envelope = createEnvelope(job, payload, options);
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
