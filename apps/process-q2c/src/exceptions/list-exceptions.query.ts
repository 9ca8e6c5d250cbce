import { Injectable } from '@nestjs/common';
import { decodeCursor, DomainError, encodeCursor } from '@revline/http';
import { ExceptionEntity } from '@revline/messaging';
import { DataSource } from 'typeorm';
import type { ExceptionDto, ExceptionPageDto, ListExceptionsQuery } from '@revline/finance-api';
import { toExceptionDto } from './exception.dto';

const MICROS = /^\d{1,18}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The exceptions workbench list: filtered by category, status, contract and age, oldest first, paged with a keyset
 * cursor on (first seen, id). The time is kept in whole microseconds, as Postgres stores it, so no two exceptions
 * seen in the same millisecond are lost or repeated between pages.
 */
@Injectable()
export class ListExceptions {
  constructor(private readonly dataSource: DataSource) {}

  async execute(query: ListExceptionsQuery): Promise<ExceptionPageDto> {
    const limit = query.limit ?? 100;
    const qb = this.dataSource.getRepository(ExceptionEntity).createQueryBuilder('e');
    if (query.category) qb.andWhere('e.category = :category', { category: query.category });
    if (query.status) qb.andWhere('e.status = :status', { status: query.status });
    if (query.system) {
      const prefix = { salesforce: 'crm.', billing: 'billing.', erp: 'erp.' } as const;
      if (query.system === 'revline')
        qb.andWhere(`e.queue NOT LIKE 'crm.%' AND e.queue NOT LIKE 'billing.%' AND e.queue NOT LIKE 'erp.%'`);
      else qb.andWhere('e.queue LIKE :queuePrefix', { queuePrefix: `${prefix[query.system]}%` });
    }
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
    if (query.cursor) {
      const [micros, id] = decodeCursor(query.cursor, [(t) => MICROS.test(t), (i) => UUID.test(i)]);
      qb.andWhere(
        `(e.first_seen_at, e.id) > (timestamptz 'epoch' + :micros::bigint * interval '1 microsecond', :id::uuid)`,
        { micros, id },
      );
    }
    const { entities, raw } = await qb
      .addSelect(`(extract(epoch FROM e.first_seen_at) * 1000000)::bigint::text`, 'cursor_micros')
      .orderBy('e.first_seen_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(limit + 1)
      .getRawAndEntities<{ cursor_micros: string }>();
    const now = Date.now();
    const items: ExceptionDto[] = entities.slice(0, limit).map((row) => toExceptionDto(row, now));
    const last = entities.length > limit ? raw.at(limit - 1) : undefined;
    const lastItem = items.at(-1);
    return {
      items,
      nextCursor: last && lastItem ? encodeCursor(last.cursor_micros, lastItem.id) : null,
    };
  }

  async one(id: string): Promise<ExceptionDto> {
    const row = await this.dataSource.getRepository(ExceptionEntity).findOneBy({ id });
    if (!row) throw new DomainError(404, `Exception ${id} does not exist`);
    return toExceptionDto(row);
  }
}
