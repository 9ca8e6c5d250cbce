import { Injectable } from '@nestjs/common';
import type { ContractSummaryDto, LifecycleStatus } from '@revline/finance-api';
import { DataSource } from 'typeorm';
import { contractWaitKey } from '../normalisation/parked-events';

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
  status?: LifecycleStatus;
  customer?: string;
  /** A Salesforce Order id among the contract's unstored changes. */
  order?: string;
  updatedSince?: string;
  after?: string;
  /** One contract id only (its lifecycle's summary). */
  only?: string;
  limit: number;
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

  /**
   * A page of contracts not booked (no row in the contracts table), by contract id after `after`, each summarised
   * from its unstored changes: parked, whether they wait for an operator (refused) or for the booking.
   */
  async page(filter: UnbookedFilter): Promise<ContractSummaryDto[]> {
    if (filter.status !== undefined && filter.status !== 'parked') return [];
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (clause: (p: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(`$${String(params.length)}`));
    };
    if (filter.after !== undefined) add((p) => `g.contract_id > ${p}`, filter.after);
    if (filter.only !== undefined) add((p) => `g.contract_id = ${p}`, filter.only);
    if (filter.customer) add((p) => `g.account_id = ${p}`, filter.customer);
    if (filter.order) add((p) => `${p} = ANY(g.order_ids)`, filter.order);
    if (filter.updatedSince) add((p) => `g.updated_at >= ${p}::timestamptz`, filter.updatedSince);
    params.push(filter.limit);
    const rows = await this.serial<
      Array<
        Omit<
          UnstoredChangeRow,
          'cause' | 'order_kind' | 'correlation_id' | 'reason' | 'committed_at' | 'seen_at'
        > & {
          parked: number;
          updated_at: Date;
        }
      >
    >(
      `SELECT * FROM (
         SELECT u.contract_id, min(u.account_id) AS account_id, min(u.currency) AS currency,
                min(u.term_start) AS term_start, max(u.term_end) AS term_end,
                count(*)::int AS parked, max(u.seen_at) AS updated_at, array_agg(u.order_id) AS order_ids
           FROM (SELECT ${COLUMNS}, u.payload->>'recordId' AS order_id FROM (${UNSTORED}) u) u
          WHERE NOT EXISTS (SELECT 1 FROM "q2c"."contracts" c WHERE c."contract_id" = u.contract_id)
          GROUP BY u.contract_id) g
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY g.contract_id LIMIT $${String(params.length)}`,
      params,
    );
    return rows.map((row) => ({
      contractId: row.contract_id,
      customer: row.account_id,
      currency: row.currency,
      termStart: row.term_start,
      termEnd: row.term_end,
      contractStatus: 'not_booked',
      lifecycleStatus: 'parked',
      changes: 0,
      completed: 0,
      inFlight: 0,
      parked: row.parked,
      failed: 0,
      updatedAt: row.updated_at.toISOString(),
    }));
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
