import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { USAGE_INVOICES_BOOKED } from '../../usage/usage-revenue.sql';
import { CONTRACT_ASSET } from './contract-asset-journals';
import { flushSagaRows } from '../../lineage/lineage-recorder';
import { SagaEntity } from '../saga.entity';

/** Above any schedule version: every version sent counts. */
const EVERY_VERSION = 2_147_483_647;

/**
 * What a saga's contract-asset journals are computed from, as of that saga (so that a replay recomputes the very
 * journals it sent): the contract's billing documents consumed by the saga and the sagas started before it, by
 * issue month (invoices less credit notes, tax excluded; usage invoices apart, as their revenue is posted with
 * them), less the invoices voided by then (taken back in the month of their ERP reversal), and the contract-asset
 * movements sent by earlier schedule versions and after voids. "By then" (`asOf`) is when the saga first sent its
 * revenue — null for a saga that has not yet: everything recorded so far counts.
 */
@Injectable()
export class ContractAssetRepository {
  async billedByPeriod(
    manager: EntityManager,
    sagaId: string,
    asOf: string | null,
  ): Promise<Map<string, bigint>> {
    await flushSagaRows(manager);
    const rows = await manager.query<Array<{ period: string; billed: string }>>(
      `WITH me AS (SELECT "contract_id", "started_at" FROM "q2c"."sagas" WHERE "saga_id" = $1),
            usage_invoices AS (${USAGE_INVOICES_BOOKED}),
            docs AS (
              SELECT bd.*, CASE bd."kind" WHEN 'credit_note' THEN -1 ELSE 1 END
                       * ((bd."payload"->'total'->>'amountMinor')::bigint
                          - coalesce((bd."payload"->'tax'->>'amountMinor')::bigint, 0)) AS amount
                FROM "q2c"."billing_documents" bd
                JOIN "q2c"."sagas" s ON s."saga_id" = bd."saga_id"
                JOIN me ON me."contract_id" = s."contract_id"
               WHERE (s."saga_id" = $1 OR s."started_at" < me."started_at") AND bd."kind" IN ('invoice', 'credit_note')
                 AND bd."document_id" NOT IN (SELECT u.document_id FROM usage_invoices u WHERE u.contract_id = me."contract_id"))
       SELECT period, sum(amount)::text AS billed FROM (
         SELECT left(d."payload"->>'issuedOn', 7) AS period, d.amount FROM docs d
         UNION ALL
         SELECT left(v."reversal_on"::text, 7), -d.amount FROM docs d
           JOIN "q2c"."voided_invoices" v ON v."invoice_id" = d."document_id"
          WHERE d."kind" = 'invoice' AND v."reversal_on" IS NOT NULL
            AND ($2::timestamptz IS NULL OR v."received_at" <= $2)
       ) billed GROUP BY 1`,
      [sagaId, asOf],
    );
    return new Map(rows.map((r) => [r.period, BigInt(r.billed)]));
  }

  /** The latest contract-asset amount per month sent for a version before `version` (refused ones do not count). */
  async sentByPeriod(
    manager: EntityManager,
    contractId: string,
    version: number = EVERY_VERSION,
  ): Promise<Map<string, bigint>> {
    await flushSagaRows(manager);
    const rows = await manager.query<Array<{ period: string; amount: string }>>(
      `SELECT DISTINCT ON (c."payload"->>'period') c."payload"->>'period' AS period,
              c."payload"->'amount'->>'amountMinor' AS amount
         FROM "q2c"."saga_commands" c
         JOIN "q2c"."sagas" s ON s."saga_id" = c."saga_id"
        WHERE s."contract_id" = $1 AND c."job" = 'erp.post-revenue-journal' AND c."status" <> 'rejected'
          AND c."payload"->>'obligationId' = $2 AND c."payload"->>'kind' = 'contract_asset'
          AND (c."payload"->>'scheduleVersion')::int < $3
        ORDER BY c."payload"->>'period', (c."payload"->>'scheduleVersion')::int DESC`,
      [contractId, CONTRACT_ASSET, version],
    );
    return new Map(rows.map((r) => [r.period, BigInt(r.amount)]));
  }

  /** The contract-asset movements sent after voids (each void's series is sent once), per month, as of `asOf`. */
  async voidSentByPeriod(
    manager: EntityManager,
    contractId: string,
    asOf: string | null,
  ): Promise<Map<string, bigint>> {
    await flushSagaRows(manager);
    const rows = await manager.query<Array<{ period: string; amount: string }>>(
      `SELECT c."payload"->>'period' AS period, sum((c."payload"->'amount'->>'amountMinor')::bigint)::text AS amount
         FROM "q2c"."saga_commands" c
         JOIN "q2c"."sagas" s ON s."saga_id" = c."saga_id"
        WHERE s."contract_id" = $1 AND c."job" = 'erp.post-revenue-journal' AND c."status" <> 'rejected'
          AND starts_with(c."payload"->>'obligationId', $2) AND c."payload"->>'kind' = 'contract_asset'
          AND ($3::timestamptz IS NULL OR c."sent_at" <= $3)
        GROUP BY 1`,
      [contractId, `${CONTRACT_ASSET}:void:`, asOf],
    );
    return new Map(rows.map((r) => [r.period, BigInt(r.amount)]));
  }

  /** When the saga first sent its revenue to the ERP, to the microsecond (null: not yet). */
  async revenueSentAt(manager: EntityManager, sagaId: string): Promise<string | null> {
    await flushSagaRows(manager);
    const rows = await manager.query<Array<{ at: string | null }>>(
      `SELECT min("sent_at")::text AS at FROM "q2c"."saga_commands"
        WHERE "saga_id" = $1 AND "job" IN ('erp.post-revenue', 'erp.post-revenue-journal')
          AND "idempotency_key" NOT LIKE 'void:%'`,
      [sagaId],
    );
    return rows.at(0)?.at ?? null;
  }

  /** A saga of the contract by id (latestSagas named it). */
  async saga(manager: EntityManager, sagaId: string): Promise<SagaEntity> {
    return manager.getRepository(SagaEntity).findOneByOrFail({ sagaId });
  }

  /**
   * The contract's latest saga (whose billing documents and those before it are the contract's), and the latest
   * one that sent a schedule version (the revenue the ERP holds), or null when none has yet.
   */
  async latestSagas(
    manager: EntityManager,
    contractId: string,
  ): Promise<{ billing: string; revenue: string } | null> {
    await flushSagaRows(manager);
    const rows = await manager.query<Array<{ billing: string; revenue: string | null }>>(
      `SELECT (SELECT "saga_id" FROM "q2c"."sagas" WHERE "contract_id" = $1
                ORDER BY "started_at" DESC, "saga_id" DESC LIMIT 1) AS billing,
              (SELECT "saga_id" FROM "q2c"."sagas" WHERE "contract_id" = $1 AND "data" ? 'scheduleVersion'
                  AND jsonb_typeof("data"->'scheduleVersion') = 'number'
                ORDER BY "started_at" DESC, "saga_id" DESC LIMIT 1) AS revenue`,
      [contractId],
    );
    const row = rows.at(0);
    return row?.billing && row.revenue ? { billing: row.billing, revenue: row.revenue } : null;
  }
}
