import { Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor } from '@revline/http';
import { DataSource } from 'typeorm';
import type { ContractPageDto, ContractSummaryDto, LifecycleStatus } from '@revline/finance-api';
import type { ListContractsQuery } from './contract.dto';
import type { ContractSummaryRow } from './contract-summaries';
import { contractSummaries, LIFECYCLE_CONDITION, toContractSummary } from './contract-summaries';
import { UnbookedChanges } from './unbooked-changes';

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

  async execute(query: ListContractsQuery): Promise<ContractPageDto> {
    const limit = query.limit ?? 50;
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (p: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(`$${String(params.length)}`));
    };
    if (query.status) where.push(LIFECYCLE_CONDITION[query.status]);
    if (query.customer) add((p) => `k."salesforce_account_id" = ${p}`, query.customer);
    if (query.updatedSince)
      add(
        (p) => `(k."updated_at" >= ${p}::timestamptz OR EXISTS (SELECT 1 FROM "q2c"."sagas" x
                  WHERE x."contract_id" = k."contract_id" AND x."updated_at" >= ${p}::timestamptz))`,
        query.updatedSince,
      );
    const after = query.cursor ? decodeCursor(query.cursor)[0] : undefined;
    if (after !== undefined) add((p) => `k."contract_id" > ${p}`, after);
    params.push(limit + 1);
    const selected = `SELECT k.* FROM "q2c"."contracts" k ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY k."contract_id" LIMIT $${String(params.length)}`;
    const [booked, unbooked] = await Promise.all([
      this.dataSource.query<ContractSummaryRow[]>(contractSummaries(selected), params),
      this.unbooked.page({
        status: query.status,
        customer: query.customer,
        updatedSince: query.updatedSince,
        after,
        limit: limit + 1,
      }),
    ]);
    const rows = await this.merge(booked.map(toContractSummary), unbooked);
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

  /**
   * Both sources are ordered by id after the cursor, limit + 1 each, so the first `limit` of their merge are the
   * page. Ordered by the database, whose collation ordered each source and compares the cursor.
   */
  private async merge(
    booked: ContractSummaryDto[],
    unbooked: ContractSummaryDto[],
  ): Promise<ContractSummaryDto[]> {
    if (unbooked.length === 0) return booked;
    const byId = new Map([...booked, ...unbooked].map((c) => [c.contractId, c]));
    const order = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM unnest($1::text[]) AS id ORDER BY id`,
      [[...byId.keys()]],
    );
    return order.flatMap(({ id }) => byId.get(id) ?? []);
  }
}
