import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import { DataSource } from 'typeorm';
import type { ContractPageDto } from '@revline/finance-api';
import type { ListContractsQuery } from './contract.dto';
import type { ContractSummaryRow } from './contract-summaries';
import { contractSummaries, LIFECYCLE_CONDITION, toContractSummary } from './contract-summaries';

const encodeCursor = (contractId: string): string => Buffer.from(contractId, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (value.length === 0 || encodeCursor(value) !== cursor) {
    throw new DomainError(400, 'cursor is not one this API returned', [
      { field: 'cursor', problem: 'must be the nextCursor of a previous page' },
    ]);
  }
  return value;
}

/** Contracts with their lifecycle status, by contract id, filtered and paged with a keyset cursor. */
@Injectable()
export class ListContracts {
  constructor(private readonly dataSource: DataSource) {}

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
    if (query.cursor) add((p) => `k."contract_id" > ${p}`, decodeCursor(query.cursor));
    params.push(limit + 1);
    const selected = `SELECT k.* FROM "q2c"."contracts" k ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY k."contract_id" LIMIT $${String(params.length)}`;
    const rows = await this.dataSource.query<ContractSummaryRow[]>(contractSummaries(selected), params);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toContractSummary),
      nextCursor: rows.length > limit && last ? encodeCursor(last.contract_id) : null,
    };
  }
}
