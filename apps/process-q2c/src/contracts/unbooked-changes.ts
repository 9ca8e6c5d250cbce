import { Injectable } from '@nestjs/common';
import type { ContractSummaryDto } from '@revline/finance-api';
import type { Bind } from '@revline/persistence';
import { binder } from '@revline/persistence';
import { DataSource } from 'typeorm';
import { contractWaitKey } from '../normalisation/parked-events';
import type { ContractSummaryRow } from './contract-summaries';
import { toContractSummary } from './contract-summaries';

/** A captured order that started no saga: refused as it was captured, or an amendment awaiting its booking. */
export interface UnstoredChangeRow {
  contract_id: string;
  cause: 'refused' | 'awaiting_booking';
  order_kind: string | null;
  correlation_id: string;
  reason: string;
  committed_at: string | null;
  seen_at: Date;
  account_id: string | null;
  currency: string | null;
  term_start: string | null;
  term_end: string | null;
}

const WAIT_PREFIX = contractWaitKey('');

/**
 * Every unstored change, keyed by the contract it concerns: an open exception on a capture names it in its details
 * (the booking order's id for a refused booking); a parked amendment waits under the Salesforce contract it amends.
 */
const UNSTORED = `
  SELECT e."details"->>'contractId' AS contract_id, 'refused' AS cause, e."correlation_id", e."reason",
         e."envelope"->'payload' AS payload, e."last_seen_at" AS seen_at
    FROM "q2c"."exceptions" e
   WHERE e."job" = 'crm.record-changed' AND e."status" <> 'resolved' AND e."details" ? 'contractId'
  UNION ALL
  SELECT substr(p."wait_key", ${String(WAIT_PREFIX.length + 1)}), 'awaiting_booking', p."correlation_id", p."reason",
         p."envelope"->'payload', p."parked_at"
    FROM "q2c"."parked_events" p
   WHERE p."status" = 'parked' AND p."wait_key" LIKE '${WAIT_PREFIX}%'`;

/** The order's own fields, as system-salesforce reads them (a CrmOrder) or as Salesforce names them. */
const field = (ours: string, salesforce: string): string =>
  `COALESCE(u.payload->'record'->>'${ours}', u.payload->'record'->>'${salesforce}')`;

const COLUMNS = `u.contract_id, u.cause, u.correlation_id, u.reason, u.seen_at,
  COALESCE(u.payload->'record'->>'kind', lower(u.payload->'record'->>'Type')) AS order_kind,
  u.payload->>'commitTimestamp' AS committed_at, ${field('accountId', 'AccountId')} AS account_id,
  ${field('currency', 'CurrencyIsoCode')} AS currency, ${field('effectiveDate', 'EffectiveDate')} AS term_start,
  ${field('endDate', 'EndDate')} AS term_end`;

export interface UnbookedFilter {
  customer?: string;
  /** A Salesforce Order id among the contract's unstored changes. */
  order?: string;
  updatedSince?: string;
  after?: string;
  /** One contract id only (its lifecycle's summary). */
  only?: string;
}

/**
 * The contracts not booked (no row in the contracts table) that match the filter, as rows of the contracts list
 * (`ContractSummaryRow`'s columns, `g.contract_id` among them), each summarised from its unstored changes: parked,
 * whether they wait for an operator (refused) or for the booking. `bind` places each value among the caller's
 * parameters, so the list asks for booked and not-booked contracts in one statement.
 */
export function unbookedSummaries(filter: UnbookedFilter, bind: Bind): string {
  const where: string[] = [];
  if (filter.after !== undefined) where.push(`g.contract_id > ${bind(filter.after)}`);
  if (filter.only !== undefined) where.push(`g.contract_id = ${bind(filter.only)}`);
  if (filter.customer) where.push(`g.account_id = ${bind(filter.customer)}`);
  if (filter.order) where.push(`${bind(filter.order)} = ANY(g.order_ids)`);
  if (filter.updatedSince) where.push(`g.updated_at >= ${bind(filter.updatedSince)}::timestamptz`);
  return `SELECT g.contract_id, g.account_id AS salesforce_account_id, g.currency, g.term_start, g.term_end,
         'not_booked' AS status, g.updated_at, 0 AS changes, 0 AS completed, 0 AS in_flight, g.parked, 0 AS failed,
         'parked' AS lifecycle
    FROM (
      SELECT u.contract_id, min(u.account_id) AS account_id, min(u.currency) AS currency,
             min(u.term_start) AS term_start, max(u.term_end) AS term_end,
             count(*)::int AS parked, max(u.seen_at) AS updated_at, array_agg(u.order_id) AS order_ids
        FROM (SELECT ${COLUMNS}, u.payload->>'recordId' AS order_id FROM (${UNSTORED}) u) u
       WHERE NOT EXISTS (SELECT 1 FROM "q2c"."contracts" c WHERE c."contract_id" = u.contract_id)
       GROUP BY u.contract_id) g
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
}

/**
 * Changes Revline captured but did not store, read from the exceptions and parked messages: of a contract it knows
 * (a refused amendment), or of one it has not booked (a refused booking, amendments before their booking), which
 * the contracts list and lifecycle show as `not_booked` rather than hide.
 */
@Injectable()
export class UnbookedChanges {
  constructor(private readonly dataSource: DataSource) {}

  /** The unstored changes of one contract id, oldest first. */
  of(contractId: string): Promise<UnstoredChangeRow[]> {
    return this.dataSource.query<UnstoredChangeRow[]>(
      `SELECT ${COLUMNS} FROM (${UNSTORED}) u WHERE u.contract_id = $1 ORDER BY u.seen_at, u.correlation_id`,
      [contractId],
    );
  }

  /** The list row of a contract not booked, from its unstored changes; undefined when it has none (or is booked). */
  async summaryOf(contractId: string): Promise<ContractSummaryDto | undefined> {
    const params: unknown[] = [];
    const rows = await this.dataSource.query<ContractSummaryRow[]>(
      unbookedSummaries({ only: contractId }, binder(params)),
      params,
    );
    return rows.map(toContractSummary).at(0);
  }

  /** How many contracts are not booked (each counts as parked in the contracts list). */
  async count(): Promise<number> {
    const [row] = await this.serial<[{ n: number }]>(
      `SELECT count(DISTINCT u.contract_id)::int AS n FROM (${UNSTORED}) u
        WHERE NOT EXISTS (SELECT 1 FROM "q2c"."contracts" c WHERE c."contract_id" = u.contract_id)`,
    );
    return row.n;
  }

  /**
   * A query over the unstored changes without parallel workers: it reads the open capture exceptions and parked
   * messages (a few hundred rows), and starting workers for it costs Postgres more than the query itself, on every
   * page of the contracts list.
   */
  private serial<T>(sql: string, params: unknown[] = []): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL max_parallel_workers_per_gather = 0`);
      return manager.query<T>(sql, params);
    });
  }
}
