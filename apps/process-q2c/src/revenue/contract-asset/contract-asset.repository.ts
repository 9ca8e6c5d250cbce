import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { USAGE_INVOICES_BOOKED } from '../../usage/usage-revenue.sql';
import { CONTRACT_ASSET } from './contract-asset-journals';

/**
 * What a saga's contract-asset journals are computed from, as of that saga (so that a replay recomputes the very
 * journals it sent): the contract's billing documents consumed by the saga and the sagas started before it, by
 * issue month (invoices less credit notes, tax excluded; usage invoices apart, as their revenue is posted with
 * them), and the contract-asset movements sent by earlier schedule versions.
 */
@Injectable()
export class ContractAssetRepository {
  async billedByPeriod(manager: EntityManager, sagaId: string): Promise<Map<string, bigint>> {
    const rows = await manager.query<Array<{ period: string; billed: string }>>(
      `WITH me AS (SELECT "contract_id", "started_at" FROM "q2c"."sagas" WHERE "saga_id" = $1),
            usage_invoices AS (${USAGE_INVOICES_BOOKED})
       SELECT left(bd."payload"->>'issuedOn', 7) AS period,
              sum(CASE bd."kind" WHEN 'credit_note' THEN -1 ELSE 1 END
                  * ((bd."payload"->'total'->>'amountMinor')::bigint
                     - coalesce((bd."payload"->'tax'->>'amountMinor')::bigint, 0)))::text AS billed
         FROM "q2c"."billing_documents" bd
         JOIN "q2c"."sagas" s ON s."saga_id" = bd."saga_id"
         JOIN me ON me."contract_id" = s."contract_id"
        WHERE (s."saga_id" = $1 OR s."started_at" < me."started_at") AND bd."kind" IN ('invoice', 'credit_note')
          AND bd."document_id" NOT IN (SELECT u.document_id FROM usage_invoices u WHERE u.contract_id = me."contract_id")
        GROUP BY 1`,
      [sagaId],
    );
    return new Map(rows.map((r) => [r.period, BigInt(r.billed)]));
  }

  /** The latest contract-asset amount per month sent for a version before `version` (refused ones do not count). */
  async sentByPeriod(
    manager: EntityManager,
    contractId: string,
    version: number,
  ): Promise<Map<string, bigint>> {
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
}
