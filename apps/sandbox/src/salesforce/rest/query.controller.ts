import { Get, Headers, Param, Query } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { badRequest, notFound } from '../org/errors';
import { OrgStore } from '../org/org-store';
import { SalesforceSandboxConfig } from '../sandbox-config';
import { runQuery } from '../soql/evaluate';
import { parseSoql } from '../soql/parser';
import { SalesforceRestController } from './salesforce-controller';
import type { RestContext } from './session';
import { SfContext } from './session';

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown>>;
}

interface Cursor {
  records: Array<Record<string, unknown>>;
  totalSize: number;
  batchSize: number;
  createdAt: number;
}

const CURSOR_TTL_MS = 15 * 60 * 1000;

/** `/query` and `/queryAll` (deleted records too), with `nextRecordsUrl` paging past the batch size. */
@SalesforceRestController('services/data/:version')
export class QueryController {
  private readonly cursors = new Map<string, Cursor>();

  constructor(
    private readonly store: OrgStore,
    private readonly config: SalesforceSandboxConfig,
  ) {}

  @Get('query')
  sfQuery(
    @SfContext() ctx: RestContext,
    @Query('q') q: string | undefined,
    @Headers('sforce-query-options') options?: string,
  ): QueryPage {
    return this.run(ctx, q, false, options);
  }

  @Get('queryAll')
  sfQueryAll(
    @SfContext() ctx: RestContext,
    @Query('q') q: string | undefined,
    @Headers('sforce-query-options') options?: string,
  ): QueryPage {
    return this.run(ctx, q, true, options);
  }

  @Get('query/:locator')
  sfQueryMore(@SfContext() ctx: RestContext, @Param('locator') locator: string): QueryPage {
    return this.page(ctx, locator);
  }

  @Get('queryAll/:locator')
  sfQueryAllMore(@SfContext() ctx: RestContext, @Param('locator') locator: string): QueryPage {
    return this.page(ctx, locator);
  }

  private run(ctx: RestContext, q: string | undefined, includeDeleted: boolean, options?: string): QueryPage {
    if (typeof q !== 'string')
      throw badRequest('MALFORMED_QUERY', 'A query string is required (parameter q)');
    const result = runQuery({ store: this.store, apiVersion: ctx.apiVersion, includeDeleted }, parseSoql(q));
    const requested = Number(
      /batchSize=(\d+)/.exec(options ?? '')?.[1] ?? this.config.SANDBOX_SF_QUERY_BATCH_SIZE,
    );
    const batchSize = Math.min(2000, Math.max(200, requested));
    if (result.records.length <= batchSize) {
      return { totalSize: result.totalSize, done: true, records: result.records };
    }
    const id = `01g5g00000${randomBytes(3).toString('hex').toUpperCase().slice(0, 5)}`;
    this.expireCursors();
    this.cursors.set(id, {
      records: result.records,
      totalSize: result.totalSize,
      batchSize,
      createdAt: Date.now(),
    });
    return this.page(ctx, `${id}-0`);
  }

  private page(ctx: RestContext, locator: string): QueryPage {
    const match = /^(\w+)-(\d+)$/.exec(locator);
    const cursor = match ? this.cursors.get(match[1]) : undefined;
    if (!match || !cursor) throw notFound('invalid query locator');
    const offset = Number(match[2]);
    const records = cursor.records.slice(offset, offset + cursor.batchSize);
    const next = offset + cursor.batchSize;
    const done = next >= cursor.records.length;
    if (done) this.cursors.delete(match[1]);
    return {
      totalSize: cursor.totalSize,
      done,
      ...(done
        ? {}
        : {
            nextRecordsUrl: `/services/data/v${ctx.apiVersion}/query/${match[1]}-${String(next)}`,
          }),
      records,
    };
  }

  private expireCursors(): void {
    const horizon = Date.now() - CURSOR_TTL_MS;
    for (const [id, cursor] of this.cursors) if (cursor.createdAt < horizon) this.cursors.delete(id);
  }
}
