import { Injectable } from '@nestjs/common';
import { currentCorrelation } from '@revline/observability';
import { prepared } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

export interface LineageHop {
  /** The Revline contract, when known at this hop. */
  contractId?: string | null;
  system: 'salesforce' | 'revline' | 'billing' | 'erp';
  objectType: string;
  externalId: string;
  status: string;
  /** Defaults to the correlation in scope (the job or request being handled). */
  correlationId?: string;
  causationId?: string | null;
  detail?: string | null;
  occurredAt?: Date;
}

/** A hop's row, its correlation and time resolved when it was recorded. */
type LineageRow = [
  contractId: string | null,
  system: string,
  objectType: string,
  externalId: string,
  status: string,
  correlationId: string,
  causationId: string | null,
  detail: string | null,
  occurredAt: string,
];

/** A saga_commands row a saga sends (its payload as JSON text). */
export interface CommandWrite {
  key: string;
  sagaId: string;
  step: string;
  job: string;
  status: 'sent' | 'confirmed';
  externalId: string | null;
  payload: string;
}

/**
 * A sagas row as saved (the upsert's parameters, in column order: saga_id, event_id, kind, contract_id, status,
 * step, correlation_id, committed_at, sla_deadline, data, last_error, completed_at; times as ISO text, data as JSON
 * text), and what to tell the saga once written.
 */
export interface SagaWrite {
  sagaId: string;
  contractId: string;
  values: ReadonlyArray<string | null>;
  saved: (startedAt: Date, updatedAt: Date) => void;
}

/**
 * What a batch's transaction writes together when its work ends, in one statement: lineage hops, and the saga rows
 * (commands sent, commands confirmed, sagas saved). A read of those tables in the transaction writes them first
 * (flushTransactionWrites), so it sees them.
 */
export class TransactionWrites {
  hops: LineageRow[] = [];
  commands: CommandWrite[] = [];
  /** Target id by command key (the last confirmation of a key wins, as its last UPDATE did). */
  confirmations = new Map<string, string | null>();
  /** By saga id (the last save of a saga wins). */
  sagas = new Map<string, SagaWrite>();
  /** The saga taking in each billing document, by document id. */
  claims = new Map<string, string>();
  /** Outbox rows (message_id, queue, job, idempotency_key, envelope JSON), in the order they were sent. */
  outbox: Array<readonly [string, string, string, string, string]> = [];

  /** Whether saga rows (other than lineage hops) wait to be written. */
  get sagaRows(): boolean {
    return (
      this.commands.length > 0 ||
      this.confirmations.size > 0 ||
      this.sagas.size > 0 ||
      this.claims.size > 0 ||
      this.outbox.length > 0
    );
  }
}

const pending = new WeakMap<EntityManager, TransactionWrites>();

/** The writes a batch on this manager (a transaction's) keeps for its end, or undefined outside a batch. */
export function transactionWrites(manager: EntityManager): TransactionWrites | undefined {
  return pending.get(manager);
}

/**
 * Writes now what the manager's batch kept (nothing outside a batch or when it kept nothing). `successorOf`: the same
 * statement also answers the next saga of the contract after `sagaId` not yet completed (null when none; see
 * SagasRepository.successor), otherwise null.
 */
export async function flushTransactionWrites(
  manager: EntityManager,
  successorOf?: { contractId: string; sagaId: string },
): Promise<string | null> {
  const writes = pending.get(manager);
  if (!writes) return null;
  const { hops, commands, confirmations, sagas, claims, outbox } = writes;
  const sagaRows = writes.sagaRows;
  writes.hops = [];
  writes.commands = [];
  writes.confirmations = new Map();
  writes.sagas = new Map();
  writes.claims = new Map();
  writes.outbox = [];
  if (!successorOf && !sagaRows) {
    await insertHops(manager, hops);
    return null;
  }
  const hop = (i: number) => hops.map((r) => r[i]);
  const command = (f: (c: CommandWrite) => string | null) => commands.map(f);
  const saved = [...sagas.values()];
  const saga = (i: number) => saved.map((s) => s.values[i]);
  // Data-modifying CTEs: each runs once, whether or not the final SELECT reads it; sent and confirmed keys are
  // disjoint (SagaCommandsRepository writes a batch's rows first when they are not).
  const { rows } = await prepared<{
    row: 'saved' | 'successor';
    saga_id: string;
    started_at: Date | null;
    updated_at: Date | null;
  }>(
    manager,
    `WITH "sent" AS (
       INSERT INTO "q2c"."saga_commands" ("idempotency_key", "saga_id", "step", "job", "status", "external_id", "payload")
       SELECT u."key", u."saga_id"::uuid, u."step", u."job", u."status", u."external_id", u."payload"::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS u("key", "saga_id", "step", "job", "status", "external_id", "payload")
       ON CONFLICT ("idempotency_key") DO NOTHING),
     "confirmed" AS (
       UPDATE "q2c"."saga_commands" c SET "status" = 'confirmed', "confirmed_at" = now(), "target_id" = u."target_id"
         FROM unnest($8::text[], $9::text[]) AS u("key", "target_id")
        WHERE c."idempotency_key" = u."key"),
     "claimed" AS (
       UPDATE "q2c"."billing_documents" d SET "saga_id" = u."saga_id"::uuid
         FROM unnest($33::text[], $34::text[]) AS u("document_id", "saga_id")
        WHERE d."document_id" = u."document_id"),
     "queued" AS (
       INSERT INTO "q2c"."outbox" ("message_id", "queue", "job", "idempotency_key", "envelope")
       SELECT u."message_id"::uuid, u."queue", u."job", u."idempotency_key", u."envelope"::jsonb
         FROM unnest($35::text[], $36::text[], $37::text[], $38::text[], $39::text[])
           WITH ORDINALITY AS u("message_id", "queue", "job", "idempotency_key", "envelope", "n")
        ORDER BY u."n"
       ON CONFLICT DO NOTHING),
     "hops" AS (
       INSERT INTO "q2c"."lineage"
         ("contract_id", "system", "object_type", "external_id", "status", "correlation_id", "causation_id", "detail", "occurred_at")
       SELECT * FROM unnest($10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
                            $17::text[], $18::timestamptz[])
       ON CONFLICT ("correlation_id", "system", "object_type", "external_id", "status") DO NOTHING),
     "saved" AS (
       INSERT INTO "q2c"."sagas" ("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id",
                                  "committed_at", "sla_deadline", "data", "last_error", "completed_at")
       SELECT u."saga_id"::uuid, u."event_id"::uuid, u."kind", u."contract_id", u."status", u."step", u."correlation_id",
              u."committed_at", u."sla_deadline", u."data"::jsonb, u."last_error", u."completed_at"
         FROM unnest($19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[],
                     $26::timestamptz[], $27::timestamptz[], $28::text[], $29::text[], $30::timestamptz[])
           AS u("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id", "committed_at",
                "sla_deadline", "data", "last_error", "completed_at")
       ON CONFLICT ("saga_id") DO UPDATE SET
         "status" = EXCLUDED."status", "step" = EXCLUDED."step", "sla_deadline" = EXCLUDED."sla_deadline",
         "data" = EXCLUDED."data", "last_error" = EXCLUDED."last_error", "completed_at" = EXCLUDED."completed_at",
         "updated_at" = now()
       RETURNING "saga_id", "started_at", "updated_at")
     SELECT 'saved' AS "row", "saga_id"::text AS "saga_id", "started_at", "updated_at" FROM "saved"
     UNION ALL
     (SELECT 'successor', "saga_id"::text, NULL, NULL FROM "q2c"."sagas"
       WHERE "contract_id" = $31 AND "saga_id" > $32::uuid AND "status" <> 'completed' ORDER BY "saga_id" LIMIT 1)`,
    [
      command((c) => c.key),
      command((c) => c.sagaId),
      command((c) => c.step),
      command((c) => c.job),
      command((c) => c.status),
      command((c) => c.externalId),
      command((c) => c.payload),
      [...confirmations.keys()],
      [...confirmations.values()],
      ...Array.from({ length: 9 }, (_, i) => hop(i)),
      ...Array.from({ length: 12 }, (_, i) => saga(i)),
      successorOf?.contractId ?? null,
      successorOf?.sagaId ?? null,
      [...claims.keys()],
      [...claims.values()],
      ...Array.from({ length: 5 }, (_, i) => outbox.map((r) => r[i])),
    ],
  );
  let successor: string | null = null;
  for (const row of rows) {
    if (row.row === 'successor') successor = row.saga_id;
    else if (row.started_at && row.updated_at) sagas.get(row.saga_id)?.saved(row.started_at, row.updated_at);
  }
  return successor;
}

/** Writes the saga rows the manager's batch kept (and its hops with them), so a statement reading them sees them. */
export async function flushSagaRows(manager: EntityManager): Promise<void> {
  if (pending.get(manager)?.sagaRows) await flushTransactionWrites(manager);
}

/** Writes the billing documents' claims the manager's batch kept (with the rest), so a read of them sees them. */
export async function flushClaims(manager: EntityManager): Promise<void> {
  if ((pending.get(manager)?.claims.size ?? 0) > 0) await flushTransactionWrites(manager);
}

async function insertHops(manager: EntityManager, rows: readonly LineageRow[]): Promise<void> {
  if (rows.length === 0) return;
  const column = (i: number) => rows.map((r) => r[i]);
  await prepared(
    manager,
    `INSERT INTO "q2c"."lineage"
       ("contract_id", "system", "object_type", "external_id", "status", "correlation_id", "causation_id", "detail", "occurred_at")
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::timestamptz[])
     ON CONFLICT ("correlation_id", "system", "object_type", "external_id", "status") DO NOTHING`,
    [column(0), column(1), column(2), column(3), column(4), column(5), column(6), column(7), column(8)],
  );
}

/**
 * Records hops of a business object through the systems. Anyone in process-q2c may call it, in their own
 * transaction (pass the manager) so a hop is recorded if and only if its step commits. Recording the same hop
 * again (a redelivery) keeps the first row.
 *
 * Inside `batch(manager, work)` the hops recorded with that manager are kept and written in one statement when the
 * work ends, instead of one statement per call: a message's transaction records a dozen hops or more. The saga rows
 * the work writes (TransactionWrites) go in that statement too.
 */
@Injectable()
export class LineageRecorder {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    hops: LineageHop | readonly LineageHop[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const list = Array.isArray(hops) ? (hops as readonly LineageHop[]) : [hops as LineageHop];
    if (list.length === 0) return;
    const scope = currentCorrelation();
    const rows = list.map((hop): LineageRow => {
      const correlationId = hop.correlationId ?? scope?.correlationId;
      if (!correlationId)
        throw new Error(`A lineage hop needs a correlation id (${hop.system} ${hop.objectType})`);
      return [
        hop.contractId ?? null,
        hop.system,
        hop.objectType,
        hop.externalId,
        hop.status,
        correlationId,
        hop.causationId !== undefined ? hop.causationId : (scope?.causationId ?? null),
        hop.detail ?? null,
        (hop.occurredAt ?? new Date()).toISOString(),
      ];
    });
    const batch = pending.get(manager);
    if (batch) batch.hops.push(...rows);
    else await insertHops(manager, rows);
  }

  /**
   * Runs `work`, keeping the hops it records with `manager` (a transaction's) and the saga rows it writes, and
   * writing them together when it returns; nothing is written when it throws (its transaction rolls back). A batch
   * inside a batch joins it.
   */
  async batch<T>(manager: EntityManager, work: () => Promise<T>): Promise<T> {
    if (pending.has(manager)) return work();
    pending.set(manager, new TransactionWrites());
    try {
      const result = await work();
      await flushTransactionWrites(manager);
      return result;
    } finally {
      pending.delete(manager);
    }
  }
}
