import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import { DataSource } from 'typeorm';
import type { ContractPageDto, ListContractsQuery } from './contract.dto';
import type { ContractSummaryRow } from './contract-summaries';
import { CONTRACT_SUMMARIES, toContractSummary } from './contract-summaries';

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
    if (query.status) add((p) => `c.lifecycle = ${p}`, query.status);
    if (query.customer) add((p) => `c."salesforce_account_id" = ${p}`, query.customer);
    if (query.updatedSince) add((p) => `c.updated_at >= ${p}::timestamptz`, query.updatedSince);
    if (query.cursor) add((p) => `c."contract_id" > ${p}`, decodeCursor(query.cursor));
    params.push(limit + 1);
    const rows = await this.dataSource.query<ContractSummaryRow[]>(
      `SELECT * FROM (${CONTRACT_SUMMARIES}) c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c."contract_id" LIMIT $${String(params.length)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toContractSummary),
      nextCursor: rows.length > limit && last ? encodeCursor(last.contract_id) : null,
    };
  }
}
