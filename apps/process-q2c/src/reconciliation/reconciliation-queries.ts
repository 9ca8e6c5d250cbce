import { Injectable } from '@nestjs/common';
import type { CsvWriter } from '@revline/http';
import { DomainError } from '@revline/http';
import { breakSides, breakValues } from '@revline/finance-api';
import { entityColumns, preparedRows } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { SelectQueryBuilder } from 'typeorm';
import { BreaksQuery } from './reconciliation.dto';
import type { BreakFiltersQuery, OpenBreaksQuery } from './reconciliation.dto';
import type {
  BreakDto,
  BreakListDto,
  BreakSummaryDto,
  ReconciliationRunDto,
  RunListDto,
} from './reconciliation.dto';
import { ReconciliationBreakEntity, ReconciliationRunEntity } from './reconciliation.entities';
import { CHECKPOINTS } from './checkpoints/checkpoint';
import { refuseUnrealDays } from '../shared/calendar-days';

export function toRunDto(run: ReconciliationRunEntity): ReconciliationRunDto {
  return {
    runId: run.runId,
    scope: run.scope,
    period: run.period,
    contractId: run.contractId,
    customerId: run.customerId,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error,
    checkpoints: run.checkpoints,
  };
}

export function toBreakDto(b: ReconciliationBreakEntity): BreakDto {
  // Named, not spread: V8 builds an object literal that starts with a spread property by property, far slower
  // for a DTO this wide (a list page builds a hundred of them).
  const { money, quantity } = breakValues(b.unit, b.currency, b);
  return {
    money,
    quantity,
    period: b.period,
    customerId: b.customerId,
    currency: b.currency,
    unit: b.unit,
    sides: breakSides(b.checkpoint, b.expectedSourceId, b.actualSourceId),
    changedSide: b.changedSide,
    breakId: b.breakId,
    checkpoint: b.checkpoint,
    category: b.category,
    contractId: b.contractId,
    objectType: b.objectType,
    objectId: b.objectId,
    field: b.field === '' ? null : b.field,
    expected: b.expected,
    actual: b.actual,
    difference: b.difference,
    correlationId: b.correlationId,
    firstRunId: b.firstRunId,
    lastRunId: b.lastRunId,
    status: b.status,
    openedAt: b.openedAt.toISOString(),
    closedAt: b.closedAt?.toISOString() ?? null,
    closedByRunId: b.closedByRunId,
  };
}

/** A list's filters and its keyset cursor (break ids) on a query of breaks `b`. */
function filtered(
  qb: SelectQueryBuilder<ReconciliationBreakEntity>,
  query: BreakFiltersQuery,
): SelectQueryBuilder<ReconciliationBreakEntity> {
  if (query.checkpoint) qb.andWhere('b.checkpoint = :checkpoint', { checkpoint: query.checkpoint });
  if (query.category) qb.andWhere('b.category = :category', { category: query.category });
  if (query.contractId) qb.andWhere('b.contractId = :contractId', { contractId: query.contractId });
  if (query.cursor) qb.andWhere('b.breakId > :cursor', { cursor: query.cursor });
  return qb;
}

/**
 * One page of breaks: the query asks for limit + 1 rows, the extra one only says there is a next page. Its columns
 * are read as the entity's properties and it runs as a prepared statement (TypeORM writes the limit into the text),
 * without hydrating each row.
 */
async function breakPage(
  dataSource: DataSource,
  qb: SelectQueryBuilder<ReconciliationBreakEntity>,
  limit: number,
): Promise<BreakListDto> {
  const [sql, params] = qb
    .select(entityColumns(dataSource, ReconciliationBreakEntity, 'b'))
    .getQueryAndParameters();
  const rows = await preparedRows<ReconciliationBreakEntity>(dataSource, sql, params);
  const page = rows.slice(0, limit);
  return {
    items: page.map(toBreakDto),
    nextCursor: rows.length > limit ? (page.at(-1)?.breakId ?? null) : null,
  };
}

/** Reads of runs and breaks. */
@Injectable()
export class ReconciliationQueries {
  constructor(private readonly dataSource: DataSource) {}

  async runs(limit: number, cursor?: string): Promise<RunListDto> {
    const qb = this.dataSource
      .getRepository(ReconciliationRunEntity)
      .createQueryBuilder('r')
      .orderBy('r.runId', 'DESC')
      .take(limit + 1);
    if (cursor) qb.where('r.runId < :cursor', { cursor });
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    return {
      items: page.map(toRunDto),
      nextCursor: rows.length > limit ? (page.at(-1)?.runId ?? null) : null,
    };
  }

  async run(runId: string): Promise<ReconciliationRunEntity> {
    const run = await this.dataSource.getRepository(ReconciliationRunEntity).findOneBy({ runId });
    if (!run) throw new DomainError(404, `Reconciliation run ${runId} does not exist`);
    return run;
  }

  /**
   * The breaks a run saw: opened by it or before it, not closed before it, of its checkpoints, (for the
   * period-bound ones) its period and its contract or customer, if it had one. Run ids are time-ordered (uuid v7), so "before" is a comparison.
   */
  async breaks(runId: string, query: BreaksQuery, limit: number): Promise<BreakListDto> {
    const run = await this.run(runId);
    const checkpoints = run.scope === 'all' ? [...CHECKPOINTS] : [run.scope];
    const qb = this.dataSource
      .getRepository(ReconciliationBreakEntity)
      .createQueryBuilder('b')
      .where('b.firstRunId <= :runId', { runId })
      .andWhere('(b.closedByRunId IS NULL OR b.closedByRunId >= :runId)', { runId })
      .andWhere('b.checkpoint IN (:...checkpoints)', { checkpoints })
      .andWhere('(b.period IS NULL OR b.period = :period)', { period: run.period })
      .orderBy('b.breakId', 'ASC')
      .take(limit + 1);
    if (query.status) qb.andWhere('b.status = :status', { status: query.status });
    if (run.contractId) qb.andWhere('b.contractId = :runContract', { runContract: run.contractId });
    if (run.customerId) qb.andWhere('b.customerId = :runCustomer', { runCustomer: run.customerId });
    return breakPage(this.dataSource, filtered(qb, query), limit);
  }

  /** The breaks open now, whatever run found them, filtered, in keyset pages on the break id. */
  async openBreaks(query: OpenBreaksQuery, limit: number): Promise<BreakListDto> {
    const qb = this.dataSource
      .getRepository(ReconciliationBreakEntity)
      .createQueryBuilder('b')
      .where(`b.status = 'open'`)
      .orderBy('b.breakId', 'ASC')
      .take(limit + 1);
    if (query.customerId) qb.andWhere('b.customerId = :customerId', { customerId: query.customerId });
    return breakPage(this.dataSource, filtered(qb, query), limit);
  }

  /** Every matching break, a page at a time: for the CSV export. */
  async *allBreaks(runId: string, query: BreaksQuery): AsyncGenerator<BreakDto[]> {
    let cursor = query.cursor;
    for (;;) {
      const page = await this.breaks(runId, Object.assign(new BreaksQuery(), query, { cursor }), 1000);
      if (page.items.length > 0) yield page.items;
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }

  async summary(from: string, to: string): Promise<BreakSummaryDto> {
    refuseUnrealDays({ from, to });
    if (from > to)
      throw new DomainError(400, 'from must not be after to', [{ field: 'from', problem: 'after to' }]);
    const rows = await this.dataSource.query<
      Array<{ checkpoint: string; category: string; opened: number; auto_closed: number; open: number }>
    >(
      `SELECT "checkpoint", "category",
              count(*) FILTER (WHERE "opened_at" >= $1::date AND "opened_at" < $2::date + 1)::int AS opened,
              count(*) FILTER (WHERE "closed_at" >= $1::date AND "closed_at" < $2::date + 1
                                 AND "closed_by_run_id" IS NOT NULL)::int AS auto_closed,
              count(*) FILTER (WHERE "status" = 'open')::int AS open
         FROM "q2c"."reconciliation_breaks"
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [from, to],
    );
    const byCategory = rows
      .filter((r) => r.opened + r.auto_closed + r.open > 0)
      .map((r) => ({
        checkpoint: r.checkpoint,
        category: r.category,
        opened: r.opened,
        autoClosed: r.auto_closed,
        open: r.open,
      }));
    const sum = (key: 'opened' | 'autoClosed' | 'open') => byCategory.reduce((s, r) => s + r[key], 0);
    return { from, to, opened: sum('opened'), autoClosed: sum('autoClosed'), open: sum('open'), byCategory };
  }
}

/** The fields of a break that are a string (or null) as they stand. */
type StringField = { [K in keyof BreakDto]: BreakDto[K] extends string | null ? K : never }[keyof BreakDto];
type CsvColumn = [name: string, read: (b: BreakDto) => string | null];
const as = (name: StringField): CsvColumn => [name, (b) => b[name]];

/** The CSV's columns: every field of a break, the sides flattened, money also as display strings. */
const CSV_COLUMNS: CsvColumn[] = [
  ...(['breakId', 'checkpoint', 'category', 'period', 'contractId', 'customerId', 'objectType'] as const).map(
    as,
  ),
  ...(['objectId', 'field', 'unit', 'currency', 'expected', 'actual', 'difference'] as const).map(as),
  ['expectedDisplay', (b) => b.money?.expected?.display ?? null],
  ['actualDisplay', (b) => b.money?.actual?.display ?? null],
  ['differenceDisplay', (b) => b.money?.difference?.display ?? null],
  ['expectedSystem', (b) => b.sides.expected.system],
  ['expectedRecordId', (b) => b.sides.expected.recordId],
  ['actualSystem', (b) => b.sides.actual.system],
  ['actualRecordId', (b) => b.sides.actual.recordId],
  ...(
    ['changedSide', 'correlationId', 'firstRunId', 'lastRunId', 'status', 'openedAt', 'closedAt'] as const
  ).map(as),
  as('closedByRunId'),
];

export const CSV_HEADER_COLUMNS = CSV_COLUMNS.map(([name]) => name);
/** One break as a CSV row, in the dialect the request asked for. */
export const csvRow = (csv: CsvWriter, b: BreakDto): string =>
  csv.line(CSV_COLUMNS.map(([, read]) => read(b)));
