import { Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor } from '@revline/http';
import type { ContractPageDto, LifecycleStatus } from '@revline/finance-api';
import { binder, literalLimit, preparedRows } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { ListContractsQuery } from './contract.dto';
import type { ContractSummaryRow } from './contract-summaries';
import { contractSummaries, LIFECYCLE_CONDITION, toContractSummary } from './contract-summaries';
import { sourceKeyOf } from '../normalisation/normalise-record.usecase';
import { UnbookedChanges, unbookedSummaries } from './unbooked-changes';

/**
 * Contracts with their lifecycle status, by contract id, filtered and paged with a keyset cursor: those Revline
 * booked, merged with those it has not (a refused booking, amendments waiting for theirs), so nothing is hidden.
 */
@Injectable()
export class ListContracts {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unbooked: UnbookedChanges,
  ) {}

  /**
   * One prepared statement per page: the booked contracts' page and, where the status filter can include them, the
   * not-booked ones', each ordered by id after the cursor and limited to `limit + 1`, merged and cut by the database
   * (whose collation orders the ids and compares the cursor).
   */
  async execute(query: ListContractsQuery): Promise<ContractPageDto> {
    const limit = query.limit ?? 50;
    const params: unknown[] = [];
    const bind = binder(params);
    const where: string[] = [];
    if (query.status) where.push(LIFECYCLE_CONDITION[query.status]);
    if (query.customer) where.push(`k."salesforce_account_id" = ${bind(query.customer)}`);
    if (query.order)
      where.push(
        `k."contract_id" = (SELECT e."contract_id" FROM "q2c"."canonical_events" e WHERE e."source_key" = ${bind(sourceKeyOf(query.order))})`,
      );
    if (query.updatedSince) {
      const since = bind(query.updatedSince);
      where.push(`(k."updated_at" >= ${since}::timestamptz OR EXISTS (SELECT 1 FROM "q2c"."sagas" x
                  WHERE x."contract_id" = k."contract_id" AND x."updated_at" >= ${since}::timestamptz))`);
    }
    const after = query.cursor ? decodeCursor(query.cursor)[0] : undefined;
    if (after !== undefined) where.push(`k."contract_id" > ${bind(after)}`);
    const take = literalLimit(limit + 1);
    const booked = contractSummaries(`SELECT k.* FROM "q2c"."contracts" k
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY k."contract_id" ${take}`);
    const withUnbooked = query.status === undefined || query.status === 'parked';
    const sql = withUnbooked
      ? `(${booked}) UNION ALL (${unbookedSummaries(
          { customer: query.customer, order: query.order, updatedSince: query.updatedSince, after },
          bind,
        )} ORDER BY g.contract_id ${take}) ORDER BY "contract_id" ${take}`
      : booked;
    const rows = (await preparedRows<ContractSummaryRow>(this.dataSource, sql, params)).map(
      toContractSummary,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page,
      nextCursor: rows.length > limit && last ? encodeCursor(last.contractId) : null,
    };
  }

  /**
   * How many contracts `GET /v1/contracts?status=` lists for each status asked: the same conditions, counted (not
   * booked ones are parked).
   */
  async countByStatus<S extends LifecycleStatus>(statuses: readonly S[]): Promise<Record<S, number>> {
    const counts = await Promise.all(
      statuses.map(async (status) => {
        const [row] = await this.dataSource.query<[{ n: number }]>(
          `SELECT count(*)::int AS n FROM "q2c"."contracts" k WHERE ${LIFECYCLE_CONDITION[status]}`,
        );
        const unbooked = status === 'parked' ? await this.unbooked.count() : 0;
        return [status, row.n + unbooked] as const;
      }),
    );
    return Object.fromEntries(counts) as Record<S, number>;
  }
}
