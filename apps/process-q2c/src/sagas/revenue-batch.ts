import type { ErpPostingOutcome, ErpRejectedPayload, JobPayloads } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import type { LineageHop, LineageRecorder } from '../lineage/lineage-recorder';
import { revenueParts, sagaKey } from './erp-plan';
import type { SagaEntity } from './saga.entity';

/**
 * The saga's record of a revenue batch (`erp.post-revenue`): beside the batch's own saga_commands row (the one
 * command sent and awaited), a row per schedule and journal under the key each had as a command of its own, with
 * its job (`erp.upsert-revenue-schedule`, `erp.post-revenue-journal`), external id and payload. Those rows are not
 * awaited and send nothing; they follow the batch's answer record by record (confirmed with the ERP id, or
 * rejected), so the period recognition, the replays and the lineage see each journal as before.
 */
export async function recordRevenueParts(
  manager: EntityManager,
  lineage: LineageRecorder,
  saga: SagaEntity,
  batch: JobPayloads['erp.post-revenue'],
): Promise<void> {
  const parts = revenueParts(saga, batch);
  if (parts.length === 0) return;
  await manager.query(
    `INSERT INTO "q2c"."saga_commands" ("idempotency_key", "saga_id", "step", "job", "status", "external_id", "payload")
     SELECT u."key", $1, $2, u."job", 'sent', u."external_id", u."payload"::jsonb
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS u("key", "job", "external_id", "payload")
     ON CONFLICT ("idempotency_key") DO NOTHING`,
    [
      saga.sagaId,
      saga.step,
      parts.map((p) => p.key),
      parts.map((p) => p.job),
      parts.map((p) => p.externalId),
      parts.map((p) => JSON.stringify(p.payload)),
    ],
  );
  await lineage.record(
    parts.map((p): LineageHop => ({
      contractId: saga.contractId,
      system: 'erp',
      objectType: p.job,
      externalId: p.externalId,
      status: 'sent',
      correlationId: saga.correlationId,
      detail: `in ${batch.externalId}`,
    })),
    manager,
  );
}

/** Marks the batch's records the ERP posted (or found nothing to post for) confirmed, with their ERP ids. */
export async function confirmRevenueParts(
  manager: EntityManager,
  saga: Pick<SagaEntity, 'eventId'>,
  postings: readonly ErpPostingOutcome[],
): Promise<void> {
  if (postings.length === 0) return;
  await manager.query(
    `UPDATE "q2c"."saga_commands" c SET "status" = 'confirmed', "confirmed_at" = now(), "target_id" = u."erp_id"
       FROM unnest($1::text[], $2::text[]) AS u("key", "erp_id")
      WHERE c."idempotency_key" = u."key"`,
    [postings.map((p) => sagaKey(saga.eventId, p.key)), postings.map((p) => p.erpId || null)],
  );
}

/** Marks the batch's records the ERP refused rejected (still sent ones only: a confirmed record stays posted). */
export async function rejectRevenueParts(
  manager: EntityManager,
  saga: Pick<SagaEntity, 'eventId'>,
  refused: NonNullable<ErpRejectedPayload['refused']>,
): Promise<void> {
  if (refused.length === 0) return;
  await manager.query(
    `UPDATE "q2c"."saga_commands" SET "status" = 'rejected'
      WHERE "idempotency_key" = ANY($1::text[]) AND "status" = 'sent'`,
    [refused.map((r) => sagaKey(saga.eventId, r.key))],
  );
}

/** A lineage hop per record the ERP posted in a batch, under the external id the saga gave the record. */
export function postingHops(
  saga: Pick<SagaEntity, 'contractId' | 'correlationId'>,
  postings: readonly ErpPostingOutcome[],
): LineageHop[] {
  return postings.map((p) => ({
    contractId: saga.contractId,
    system: 'erp',
    objectType: p.recordType,
    externalId: p.key,
    status: p.outcome,
    correlationId: saga.correlationId,
    detail: [
      p.erpId && `ERP id ${p.erpId}`,
      p.postedAmountMinor && `posted ${p.postedAmountMinor}`,
      `ERP external id ${p.externalId}`,
    ]
      .filter(Boolean)
      .join(', '),
  }));
}
