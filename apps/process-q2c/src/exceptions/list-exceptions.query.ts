import { Injectable } from '@nestjs/common';
import { decodeCursor, DomainError, encodeCursor } from '@revline/http';
import { ExceptionEntity } from '@revline/messaging';
import { DataSource } from 'typeorm';
import type { ExceptionDto, ExceptionPageDto, ListExceptionsQuery } from '@revline/finance-api';
import { binder, entityColumns, literalLimit, preparedRows } from '@revline/persistence';
import type { ExceptionHistoryEntryDto } from '@revline/finance-api';
import { toExceptionDto } from './exception.dto';
import { ExceptionHistory, HISTORY_OF } from './exception-history';

/** A listed exception: its columns but the envelope, where the keyset cursor stands, and its history. */
type ExceptionRow = Omit<ExceptionEntity, 'envelope'> & {
  cursorMicros: string;
  history: ExceptionHistoryEntryDto[];
};

const MICROS = /^\d{1,18}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The exceptions workbench list: filtered by category, status, contract and age, oldest first, paged with a keyset
 * cursor on (first seen, id). The time is kept in whole microseconds, as Postgres stores it, so no two exceptions
 * seen in the same millisecond are lost or repeated between pages.
 */
@Injectable()
export class ListExceptions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly history: ExceptionHistory,
  ) {}

  /**
   * One prepared statement per page: the exceptions (without the envelopes they hold, which the list does not
   * show) and each one's history, read from the audit log beside it.
   */
  async execute(query: ListExceptionsQuery): Promise<ExceptionPageDto> {
    const limit = query.limit ?? 100;
    const params: unknown[] = [];
    const bind = binder(params);
    const where: string[] = [];
    if (query.category) where.push(`e."category" = ${bind(query.category)}`);
    if (query.status) where.push(`e."status" = ${bind(query.status)}`);
    if (query.system) {
      const prefix = { salesforce: 'crm.', billing: 'billing.', erp: 'erp.' } as const;
      if (query.system === 'revline')
        where.push(
          `e."queue" NOT LIKE 'crm.%' AND e."queue" NOT LIKE 'billing.%' AND e."queue" NOT LIKE 'erp.%'`,
        );
      else where.push(`e."queue" LIKE ${bind(`${prefix[query.system]}%`)}`);
    }
    if (query.contractId) {
      const contract = bind(query.contractId);
      where.push(`(e."details"->>'contractId' = ${contract} OR e."envelope"->'payload'->>'recordId' = ${contract}
                   OR e."envelope"->'payload'->>'contractId' = ${contract})`);
    }
    if (query.minAgeMinutes !== undefined)
      where.push(`e."first_seen_at" <= now() - make_interval(mins => ${bind(query.minAgeMinutes)}::int)`);
    if (query.maxAgeMinutes !== undefined)
      where.push(`e."first_seen_at" >= now() - make_interval(mins => ${bind(query.maxAgeMinutes)}::int)`);
    if (query.period) {
      const period = bind(query.period);
      where.push(`e."first_seen_at" >= to_date(${period}, 'YYYY-MM')
                  AND e."first_seen_at" < to_date(${period}, 'YYYY-MM') + interval '1 month'`);
    }
    if (query.cursor) {
      const [micros, id] = decodeCursor(query.cursor, [(t) => MICROS.test(t), (i) => UUID.test(i)]);
      where.push(`(e."first_seen_at", e."id") >
                  (timestamptz 'epoch' + ${bind(micros)}::bigint * interval '1 microsecond', ${bind(id)}::uuid)`);
    }
    const rows = await preparedRows<ExceptionRow>(
      this.dataSource,
      `SELECT ${entityColumns(this.dataSource, ExceptionEntity, 'e', ['envelope'])},
              (extract(epoch FROM e."first_seen_at") * 1000000)::bigint::text AS "cursorMicros",
              ${HISTORY_OF('e."id"')} AS "history"
         FROM "q2c"."exceptions" e
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e."first_seen_at", e."id" ${literalLimit(limit + 1)}`,
      params,
    );
    const now = Date.now();
    const page = rows.slice(0, limit);
    const last = rows.length > limit ? page.at(-1) : undefined;
    return {
      items: page.map((row) => toExceptionDto(row, row.history, now)),
      nextCursor: last ? encodeCursor(last.cursorMicros, last.id) : null,
    };
  }

  async one(id: string): Promise<ExceptionDto> {
    const row = await this.dataSource.getRepository(ExceptionEntity).findOneBy({ id });
    if (!row) throw new DomainError(404, `Exception ${id} does not exist`);
    return toExceptionDto(row, (await this.history.of([id])).get(id) ?? []);
  }
}
