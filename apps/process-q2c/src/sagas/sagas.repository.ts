import { Injectable } from '@nestjs/common';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import type { SagaWrite } from '../lineage/lineage-recorder';
import { flushTransactionWrites, transactionWrites } from '../lineage/lineage-recorder';
import type { SagaData } from './saga-data';
import { SAGA_STATUS } from './saga-data';
import { SagaEntity } from './saga.entity';

interface SagaRow {
  saga_id: string;
  event_id: string;
  kind: string;
  contract_id: string;
  status: string;
  step: string;
  correlation_id: string;
  committed_at: Date;
  sla_deadline: Date | null;
  data: SagaData;
  last_error: string | null;
  started_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

/**
 * Writes the transaction's kept saga rows first when one of them is `relevant` to a read (SagasRepository.save keeps
 * them for the lineage batch's statement).
 */
async function settled(manager: EntityManager, relevant: (saga: SagaWrite) => boolean): Promise<void> {
  const writes = transactionWrites(manager);
  if (writes && [...writes.sagas.values()].some(relevant)) await flushTransactionWrites(manager);
}

const any = (): boolean => true;

/** The sagas' rows: one read under lock and written back per message, and the lookups by contract and by wait. */
/**
 * A saga row's upsert parameters in column order (saga_id, event_id, kind, contract_id, status, step, correlation_id,
 * committed_at, sla_deadline, data, last_error, completed_at): times as ISO text, data as JSON text.
 */
function sagaValues(saga: SagaEntity): Array<string | null> {
  return [
    saga.sagaId,
    saga.eventId,
    saga.kind,
    saga.contractId,
    saga.status,
    saga.step,
    saga.correlationId,
    saga.committedAt.toISOString(),
    saga.slaDeadline?.toISOString() ?? null,
    JSON.stringify(saga.data),
    saga.lastError,
    saga.completedAt?.toISOString() ?? null,
  ];
}

@Injectable()
export class SagasRepository {
  /** The saga, its row locked until the transaction ends. */
  async lock(manager: EntityManager, sagaId: string): Promise<SagaEntity | null> {
    await settled(manager, (s) => s.sagaId === sagaId);
    const { rows } = await prepared<SagaRow>(
      manager,
      `SELECT * FROM "q2c"."sagas" WHERE "saga_id" = $1 FOR UPDATE`,
      [sagaId],
    );
    const row = rows.at(0);
    return row ? toSaga(row) : null;
  }

  /**
   * The saga that sent a command (by the command's idempotency key), its row locked until the transaction ends, and
   * the command's job and the external id it was sent under: one statement for what a confirmation needs first.
   */
  async lockBySentCommand(
    manager: EntityManager,
    key: string,
  ): Promise<{ saga: SagaEntity; job: string; externalId: string | null } | null> {
    return (await this.lockAllBySentCommands(manager, [key])).at(0) ?? null;
  }

  /**
   * The sagas that sent these commands (by the commands' idempotency keys), their rows locked until the transaction
   * ends in saga order (as the sagas of one contract are taken one after another), with each command's job and
   * external id: one statement for a batch of confirmations. A key no saga sent is absent from the answer.
   */
  async lockAllBySentCommands(
    manager: EntityManager,
    keys: readonly string[],
  ): Promise<Array<{ key: string; saga: SagaEntity; job: string; externalId: string | null }>> {
    const writes = transactionWrites(manager);
    if (writes?.sagaRows) await flushTransactionWrites(manager);
    const { rows } = await prepared<
      SagaRow & { command_key: string; command_job: string; command_external_id: string | null }
    >(
      manager,
      `SELECT s.*, c."idempotency_key" AS "command_key", c."job" AS "command_job",
              c."external_id" AS "command_external_id"
         FROM "q2c"."saga_commands" c
         JOIN "q2c"."sagas" s ON s."saga_id" = c."saga_id"
        WHERE c."idempotency_key" = ANY($1::text[])
        ORDER BY s."saga_id", c."idempotency_key"
          FOR UPDATE OF s`,
      [keys],
    );
    // One entity per saga, shared by its commands' rows.
    const sagas = new Map<string, SagaEntity>();
    return rows.map((row) => {
      const saga = sagas.get(row.saga_id) ?? toSaga(row);
      sagas.set(row.saga_id, saga);
      return { key: row.command_key, saga, job: row.command_job, externalId: row.command_external_id };
    });
  }

  /**
   * Writes a saga: a new one inserted, a known one's moving parts updated (one statement, no read before). Inside a
   * lineage batch, the row as it is now is kept for the batch's statement at its end.
   */
  async save(manager: EntityManager, saga: SagaEntity): Promise<void> {
    const writes = transactionWrites(manager);
    if (writes) {
      writes.sagas.set(saga.sagaId, {
        sagaId: saga.sagaId,
        contractId: saga.contractId,
        values: sagaValues(saga),
        saved: (startedAt, updatedAt) => {
          saga.startedAt = startedAt;
          saga.updatedAt = updatedAt;
        },
      });
      return;
    }
    const { rows } = await prepared<{ started_at: Date; updated_at: Date }>(
      manager,
      `INSERT INTO "q2c"."sagas" ("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id",
                                  "committed_at", "sla_deadline", "data", "last_error", "completed_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT ("saga_id") DO UPDATE SET
         "status" = EXCLUDED."status", "step" = EXCLUDED."step", "sla_deadline" = EXCLUDED."sla_deadline",
         "data" = EXCLUDED."data", "last_error" = EXCLUDED."last_error", "completed_at" = EXCLUDED."completed_at",
         "updated_at" = now()
       RETURNING "started_at", "updated_at"`,
      sagaValues(saga),
    );
    const row = rows.at(0);
    if (row) {
      saga.startedAt = row.started_at;
      saga.updatedAt = row.updated_at;
    }
  }

  /** The sagas of the contract before `sagaId`, latest first. */
  async predecessors(
    manager: EntityManager,
    contractId: string,
    sagaId: string,
  ): Promise<Array<{ status: string; data: SagaData }>> {
    await settled(manager, (s) => s.contractId === contractId && s.sagaId < sagaId);
    const { rows } = await prepared<{ status: string; data: SagaData }>(
      manager,
      `SELECT "status", "data" FROM "q2c"."sagas" WHERE "contract_id" = $1 AND "saga_id" < $2
        ORDER BY "saga_id" DESC`,
      [contractId, sagaId],
    );
    return rows;
  }

  /** The next saga of the contract after `sagaId` not yet completed. */
  async successor(manager: EntityManager, contractId: string, sagaId: string): Promise<string | null> {
    const writes = transactionWrites(manager);
    // Asked right after a saga completed: its row, kept for the batch's statement, is written by the statement that
    // looks (which does not see what it writes, so not when a kept row is one it must see).
    if (writes?.sagaRows) {
      const relevant = [...writes.sagas.values()].some(
        (s) => s.contractId === contractId && s.sagaId > sagaId,
      );
      if (!relevant) return flushTransactionWrites(manager, { contractId, sagaId });
      await flushTransactionWrites(manager);
    }
    const { rows } = await prepared<{ saga_id: string }>(
      manager,
      `SELECT "saga_id" FROM "q2c"."sagas" WHERE "contract_id" = $1 AND "saga_id" > $2 AND "status" <> 'completed'
        ORDER BY "saga_id" LIMIT 1`,
      [contractId, sagaId],
    );
    return rows.at(0)?.saga_id ?? null;
  }

  /** The ERP customer external id the contract's booking saga recorded, if any. */
  async bookingErpCustomer(manager: EntityManager, contractId: string): Promise<string | null> {
    await settled(manager, (s) => s.contractId === contractId);
    const rows = await manager.query<Array<{ id: string | null }>>(
      `SELECT "data"->>'erpCustomerExternalId' AS "id" FROM "q2c"."sagas"
        WHERE "contract_id" = $1 AND "kind" = 'booking'`,
      [contractId],
    );
    return rows.at(0)?.id ?? null;
  }

  /** The saga (locked) waiting for the invoice by its id, or for the invoice of its subscription's period starting on one of `periodStarts`. */
  async awaitingInvoice(
    manager: EntityManager,
    documentId: string,
    periodStarts: readonly string[],
    subscriptionId: string,
  ): Promise<SagaEntity | null> {
    return this.firstNotCompleted(
      manager,
      `("data"->>'awaitingInvoiceId' = $1
          OR ("data"->>'awaitingRenewalFrom' = ANY($2::text[]) AND "data"->>'subscriptionId' = $3))`,
      [documentId, periodStarts, subscriptionId],
    );
  }

  /** The ramp step (locked) waiting for its subscription's next invoice. */
  /** Locks up to `limit` waiting sagas past their deadline, earliest first, skipping those another sweep holds. */
  async lockExpired(manager: EntityManager, limit: number): Promise<SagaEntity[]> {
    return manager
      .getRepository(SagaEntity)
      .createQueryBuilder('s')
      .where(`s.status = :waiting AND s.sla_deadline < now()`, { waiting: SAGA_STATUS.waiting })
      .orderBy('s.sla_deadline')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  /** The saga that posted a billing invoice to the ERP (the first, by id), or null when none did. */
  async postedInvoice(manager: EntityManager, invoiceId: string): Promise<string | null> {
    const rows = await manager.query<Array<{ saga_id: string }>>(
      `SELECT "saga_id" FROM "q2c"."sagas" WHERE "data"->'invoices' @> $1::jsonb ORDER BY "saga_id" LIMIT 1`,
      [JSON.stringify([{ documentId: invoiceId }])],
    );
    return rows.at(0)?.saga_id ?? null;
  }

  async awaitingPhaseInvoice(manager: EntityManager, subscriptionId: string): Promise<SagaEntity | null> {
    return this.firstNotCompleted(
      manager,
      `"step" = 'await_phase_invoice' AND "data"->>'subscriptionId' = $1`,
      [subscriptionId],
    );
  }

  /** The saga (locked) waiting for a credit note of the billing customer. */
  async awaitingCreditNote(manager: EntityManager, customerId: string): Promise<SagaEntity | null> {
    return this.firstNotCompleted(
      manager,
      `"step" = 'await_credit_note' AND "data"->>'billingCustomerId' = $1`,
      [customerId],
    );
  }

  /**
   * The first saga not completed that `where` (a fixed condition of the caller's) finds, locked: a saga that another
   * transaction moves meanwhile is read again once its lock is released, and left out if it no longer waits.
   * The candidates are listed by `where` alone first (through the expression indexes on the saga's data): asked only
   * for the first by id, Postgres reads the sagas in id order and tests each until one matches, every saga when none
   * does (an invoice announced before its saga waits for it). The status is tested as `(…) IS TRUE`, which Postgres
   * cannot match to the partial index of unfinished sagas: through that index (which its statistics, taken when few
   * sagas were open, rate at one row) it read every open saga and its earlier row versions, a few hundred pages a
   * lookup under a burst.
   */
  private async firstNotCompleted(
    manager: EntityManager,
    where: string,
    params: ReadonlyArray<string | readonly string[]>,
  ): Promise<SagaEntity | null> {
    await settled(manager, any);
    const { rows } = await prepared<SagaRow>(
      manager,
      `SELECT * FROM "q2c"."sagas"
        WHERE "saga_id" = ANY(ARRAY(SELECT "saga_id" FROM "q2c"."sagas" WHERE ${where}))
          AND ${where} AND ("status" <> 'completed') IS TRUE
        ORDER BY "saga_id" LIMIT 1 FOR UPDATE`,
      params,
    );
    const row = rows.at(0);
    return row ? toSaga(row) : null;
  }
}

function toSaga(row: SagaRow): SagaEntity {
  return Object.assign(new SagaEntity(), {
    sagaId: row.saga_id,
    eventId: row.event_id,
    kind: row.kind,
    contractId: row.contract_id,
    status: row.status,
    step: row.step,
    correlationId: row.correlation_id,
    committedAt: row.committed_at,
    slaDeadline: row.sla_deadline,
    data: row.data,
    lastError: row.last_error,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  });
}
