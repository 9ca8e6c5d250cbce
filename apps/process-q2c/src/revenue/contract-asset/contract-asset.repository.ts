import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { USAGE_INVOICES_BOOKED } from '../../usage/usage-revenue.sql';
import { CONTRACT_ASSET } from './contract-asset-journals';

/**
 * What the contract-asset journals are computed from: a contract's billing documents by issue month (invoices
 * less credit notes, tax excluded, those its sagas consumed; usage invoices apart, as their revenue is posted with
 * them), and the contract-asset movements its sagas already sent to the ERP.
 */
@Injectable()
export class ContractAssetRepository {
  async billedByPeriod(manager: EntityManager, contractId: string): Promise<Map<string, bigint>> {
    const rows = await manager.query<Array<{ period: string; billed: string }>>(
      `WITH usage_invoices AS (${USAGE_INVOICES_BOOKED})
       SELECT left(bd."payload"->>'issuedOn', 7) AS period,
              sum(CASE bd."kind" WHEN 'credit_note' THEN -1 ELSE 1 END
                  * ((bd."payload"->'total'->>'amountMinor')::bigint
                     - coalesce((bd."payload"->'tax'->>'amountMinor')::bigint, 0)))::text AS billed
         FROM "q2c"."billing_documents" bd
         JOIN "q2c"."sagas" s ON s."saga_id" = bd."saga_id"
        WHERE s."contract_id" = $1 AND bd."kind" IN ('invoice', 'credit_note')
          AND bd."document_id" NOT IN (SELECT document_id FROM usage_invoices WHERE contract_id = $1)
        GROUP BY 1`,
      [contractId],
    );
    return new Map(rows.map((r) => [r.period, BigInt(r.billed)]));
  }

  /** The latest contract-asset amount sent per month by the contract's sagas (refused ones do not count). */
  async sentByPeriod(manager: EntityManager, contractId: string): Promise<Map<string, bigint>> {
    const rows = await manager.query<Array<{ period: string; amount: string }>>(
      `SELECT DISTINCT ON (c."payload"->>'period') c."payload"->>'period' AS period,
              c."payload"->'amount'->>'amountMinor' AS amount
         FROM "q2c"."saga_commands" c
         JOIN "q2c"."sagas" s ON s."saga_id" = c."saga_id"
        WHERE s."contract_id" = $1 AND c."job" = 'erp.post-revenue-journal' AND c."status" <> 'rejected'
          AND c."payload"->>'obligationId' = $2 AND c."payload"->>'kind' = 'contract_asset'
        ORDER BY c."payload"->>'period', (c."payload"->>'scheduleVersion')::int DESC`,
      [contractId, CONTRACT_ASSET],
    );
    return new Map(rows.map((r) => [r.period, BigInt(r.amount)]));
  }
}
