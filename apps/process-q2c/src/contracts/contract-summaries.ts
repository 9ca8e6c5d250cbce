import type { ContractStatus, ContractSummaryDto, LifecycleStatus } from '@revline/finance-api';

export interface ContractSummaryRow {
  contract_id: string;
  salesforce_account_id: string;
  currency: string;
  term_start: string;
  term_end: string;
  status: ContractStatus;
  lifecycle: LifecycleStatus;
  changes: number;
  completed: number;
  in_flight: number;
  parked: number;
  failed: number;
  updated_at: Date;
}

/**
 * The changes of contract `$contract` Revline refused when it captured them: open exceptions on the capture
 * (`crm.record-changed`), which name the contract (or, for a booking, the order that would have made it). Such a
 * change waits for an operator, as a parked saga does.
 */
export const REFUSED_CHANGES = (contract: string): string =>
  `SELECT 1 FROM "q2c"."exceptions" x WHERE x."job" = 'crm.record-changed' AND x."status" <> 'resolved'
      AND x."details"->>'contractId' = ${contract}`;

/** The statuses of a system's latest hop that mean the system refused or never confirmed what it was sent. */
export const FAILED_HOPS: readonly string[] = ['rejected', 'exception', 'confirmation_timeout'];

/**
 * The unfinished changes (sagas) of contract `$contract` that a system failed: in Salesforce, billing or the ERP,
 * the latest hop of the change is a refusal (the lifecycle shows that system `failed`).
 */
export const FAILED_CHANGES = (contract: string): string =>
  `SELECT 1 FROM "q2c"."sagas" f WHERE f."contract_id" = ${contract} AND f."status" <> 'completed'
      AND EXISTS (SELECT 1 FROM (
        SELECT DISTINCT ON (l."system") l."status" FROM "q2c"."lineage" l
         WHERE l."correlation_id" = f."correlation_id" AND l."system" IN ('salesforce', 'billing', 'erp')
         ORDER BY l."system", l."occurred_at" DESC, l."seq" DESC) h
       WHERE h."status" IN (${FAILED_HOPS.map((h) => `'${h}'`).join(', ')}))`;

/**
 * The summary columns of the contracts `c` selected by the caller's query: each contract with its changes counted
 * by where they stand (failed when a system refused an unfinished change, parked when one waits for an operator —
 * a parked saga, or a change refused as it was captured —, in flight when one is on its way, in sync otherwise);
 * `updated_at` is the later of the contract's and its sagas' last change. Counted only for the rows the caller
 * selected, so a page costs its own rows.
 */
export function contractSummaries(selected: string): string {
  return `
  SELECT c."contract_id", c."salesforce_account_id", c."currency", c."term_start"::text AS term_start,
         c."term_end"::text AS term_end, c."status"::text, GREATEST(c."updated_at", s.last_saga_at) AS updated_at,
         s.changes, s.completed, s.in_flight, s.parked + r.refused AS parked, f.failed,
         CASE WHEN f.failed > 0 THEN 'failed' WHEN s.parked + r.refused > 0 THEN 'parked'
              WHEN s.in_flight > 0 THEN 'in_flight' ELSE 'in_sync' END AS lifecycle
    FROM (${selected}) c
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS changes,
             (count(*) FILTER (WHERE "status" = 'completed'))::int AS completed,
             (count(*) FILTER (WHERE "status" IN ('running', 'waiting')))::int AS in_flight,
             (count(*) FILTER (WHERE "status" = 'parked'))::int AS parked,
             max("updated_at") AS last_saga_at
        FROM "q2c"."sagas" WHERE "contract_id" = c."contract_id"
    ) s
    CROSS JOIN LATERAL (SELECT count(*)::int AS refused FROM (${REFUSED_CHANGES('c."contract_id"')}) x) r
    CROSS JOIN LATERAL (SELECT count(*)::int AS failed FROM (${FAILED_CHANGES('c."contract_id"')}) y) f
   ORDER BY c."contract_id"`;
}

/**
 * Whether a query on contract `k` finds a row, asked per contract as the page's keyset scan reaches it: a scalar
 * subquery the planner cannot turn into an anti or semi join, which would read every unfinished saga of the book
 * (and its lineage) to answer a page of 50, where asking per contract reads the sagas_contract index (figures in the
 * README's Benchmarks).
 */
const any = (sql: string): string => `(SELECT count(*) FROM (${sql} LIMIT 1) z) > 0`;
const sagaIn = (statuses: string): string =>
  any(
    `SELECT 1 FROM "q2c"."sagas" x WHERE x."contract_id" = k."contract_id" AND x."status" IN (${statuses})`,
  );
const FAILED = any(FAILED_CHANGES('k."contract_id"'));
const NOT_FAILED = `NOT ${FAILED}`;
const REFUSED = `EXISTS (${REFUSED_CHANGES('k."contract_id"')})`;

/** SQL conditions on a contract `k` for each lifecycle status, each answered from the sagas and lineage indexes. */
export const LIFECYCLE_CONDITION: Record<LifecycleStatus, string> = {
  failed: `EXISTS (${FAILED_CHANGES('k."contract_id"')})`,
  parked: `${NOT_FAILED} AND (${sagaIn(`'parked'`)} OR ${REFUSED})`,
  in_flight: `${NOT_FAILED} AND NOT ${sagaIn(`'parked'`)} AND NOT ${REFUSED} AND ${sagaIn(`'running', 'waiting'`)}`,
  in_sync: `NOT ${sagaIn(`'parked', 'running', 'waiting'`)} AND NOT ${REFUSED}`,
};

export function toContractSummary(row: ContractSummaryRow): ContractSummaryDto {
  return {
    contractId: row.contract_id,
    customer: row.salesforce_account_id,
    currency: row.currency,
    termStart: row.term_start,
    termEnd: row.term_end,
    contractStatus: row.status,
    lifecycleStatus: row.lifecycle,
    changes: row.changes,
    completed: row.completed,
    inFlight: row.in_flight,
    parked: row.parked,
    failed: row.failed,
    updatedAt: row.updated_at.toISOString(),
  };
}
