import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import type { SystemApis } from '../system-apis';

export const CHECKPOINTS = ['salesforce-billing', 'billing-erp', 'contract-revenue', 'lineage'] as const;
export type CheckpointName = (typeof CHECKPOINTS)[number];
export const SCOPES = ['all', ...CHECKPOINTS] as const;
export type Scope = (typeof SCOPES)[number];

/** What a checkpoint works with: one connection (its temp tables), the run, the period and the system APIs. */
export interface RunContext {
  readonly runner: QueryRunner;
  readonly client: PoolClient;
  readonly runId: string;
  /** A period of the tenant's calendar: a month YYYY-MM, or a fiscal period FYyyyy-Pnn (REVENUE_FISCAL_CALENDAR). */
  readonly period: string;
  /** First and last day of the period, ISO dates. */
  readonly from: string;
  readonly to: string;
  readonly systems: SystemApis;
  /** The contract or the billing customer the run is limited to, if any. */
  readonly subject: RunSubject;
}

export interface RunSubject {
  readonly contractId: string | null;
  readonly customerId: string | null;
}

/**
 * A checkpoint stages both sides, compares them in SQL and inserts what differs into the temp table `found`
 * (see FOUND_TABLE), with the currency of money values, the customer and both sides' record ids where it knows them
 * (completeFound fills the unit, the side that changed and the customer it left out); it answers how many objects
 * it compared.
 */
export interface Checkpoint {
  readonly name: CheckpointName;
  /** Whether its breaks belong to the run's period (closed only by a run of the same period). */
  readonly periodBound: boolean;
  compare(ctx: RunContext): Promise<number>;
}

export const FOUND_TABLE = `CREATE TEMP TABLE "found" (
  "checkpoint" text NOT NULL, "category" text NOT NULL, "period" text, "contract_id" text,
  "object_type" text NOT NULL, "object_id" text NOT NULL, "field" text NOT NULL DEFAULT '',
  "expected" text, "actual" text, "difference" text, "correlation_id" text,
  "currency" text, "customer_id" text, "unit" text, "expected_source_id" text, "actual_source_id" text,
  "changed_side" text)`;

/** The newest saga's correlation id per contract: the thread a break is filed under. */
export const CONTRACT_CORRELATION = `(SELECT DISTINCT ON ("contract_id") "contract_id", "correlation_id"
   FROM "q2c"."sagas" ORDER BY "contract_id", "started_at" DESC)`;

/** The billing customer of a contract (SQL expression): its newest saga's. */
export const customerOf = (contractId: string): string => `(SELECT g."data"->>'billingCustomerId'
   FROM "q2c"."sagas" g WHERE g."contract_id" = ${contractId} AND g."data" ? 'billingCustomerId'
  ORDER BY g."started_at" DESC LIMIT 1)`;

/** A typed SELECT on a query runner (TypeORM's QueryRunner.query is untyped). */
export async function select<T extends unknown[]>(
  runner: QueryRunner,
  sql: string,
  params?: unknown[],
): Promise<T> {
  return (await runner.query(sql, params)) as T;
}
