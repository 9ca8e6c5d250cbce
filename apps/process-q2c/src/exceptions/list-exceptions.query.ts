import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import { ExceptionEntity } from '@revline/messaging';
import { DataSource } from 'typeorm';
import type { ExceptionDto, ListExceptionsQuery } from '@revline/finance-api';
import { toExceptionDto } from './exception.dto';

/** The exceptions workbench list: filtered by category, status, contract and age, oldest first. */
@Injectable()
export class ListExceptions {
  constructor(private readonly dataSource: DataSource) {}

  async execute(query: ListExceptionsQuery): Promise<ExceptionDto[]> {
    const qb = this.dataSource.getRepository(ExceptionEntity).createQueryBuilder('e');
    if (query.category) qb.andWhere('e.category = :category', { category: query.category });
    if (query.status) qb.andWhere('e.status = :status', { status: query.status });
    if (query.contractId) {
      qb.andWhere(
        `(e.details->>'contractId' = :contractId OR e.envelope->'payload'->>'recordId' = :contractId OR e.envelope->'payload'->>'contractId' = :contractId)`,
        { contractId: query.contractId },
      );
    }
    if (query.minAgeMinutes !== undefined) {
      qb.andWhere(`e.first_seen_at <= now() - make_interval(mins => :minAge)`, {
        minAge: query.minAgeMinutes,
      });
    }
    if (query.maxAgeMinutes !== undefined) {
      qb.andWhere(`e.first_seen_at >= now() - make_interval(mins => :maxAge)`, {
        maxAge: query.maxAgeMinutes,
      });
    }
    if (query.period) {
      qb.andWhere(
        `e.first_seen_at >= to_date(:period, 'YYYY-MM') AND e.first_seen_at < to_date(:period, 'YYYY-MM') + interval '1 month'`,
        { period: query.period },
      );
    }
    const rows = await qb
      .orderBy('e.first_seen_at', 'ASC')
      .take(query.limit ?? 100)
      .getMany();
    const now = Date.now();
    return rows.map((row) => toExceptionDto(row, now));
  }

  async one(id: string): Promise<ExceptionDto> {
    const row = await this.dataSource.getRepository(ExceptionEntity).findOneBy({ id });
    if (!row) throw new DomainError(404, `Exception ${id} does not exist`);
    return toExceptionDto(row);
  }
}
