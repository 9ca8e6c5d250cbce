import { Body, Controller, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccountRunner } from '../account/account-runner';
import { TbaGuard } from '../auth/tba.guard';
import { NetSuiteError } from '../errors/netsuite-error';
import { jsonBody } from '../errors/malformed-json';
import { NetSuiteErrorFilter } from '../errors/netsuite-error.filter';
import { runSuiteQl } from './suiteql-engine';
import { parseSuiteQl, SuiteQlSyntaxError } from './suiteql-parser';
import { SuiteQlSandboxConfig } from './suiteql.config';
import { SuiteQlTables } from './suiteql-tables';

const MAX_LIMIT = 1000;

const invalidQuery = (detail: string): NetSuiteError =>
  new NetSuiteError(
    400,
    'INVALID_PARAMETER',
    `Invalid search query. Detailed unprocessed description follows. Search error occurred: ${detail}`,
  );

function pageParameter(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw))
    throw new NetSuiteError(400, 'INVALID_PARAMETER', `Invalid value for the ${name} parameter.`);
  return Number(raw);
}

/** Whether a `Prefer` header (one or several, each a comma-separated list of preferences) asks for `transient`. */
function prefersTransient(header: string | string[] | undefined): boolean {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return values
    .flatMap((value) => value.split(','))
    .some((preference) => preference.split(';')[0]?.trim().toLowerCase() === 'transient');
}

/** `POST /services/rest/query/v1/suiteql?limit=&offset=` with `{"q": "SELECT …"}`, paged as NetSuite pages. */
@ApiExcludeController()
@Controller('services/rest/query/v1')
@UseGuards(TbaGuard)
@UseFilters(NetSuiteErrorFilter)
export class SuiteQlController {
  constructor(
    private readonly tables: SuiteQlTables,
    private readonly account: AccountRunner,
    private readonly config: SuiteQlSandboxConfig,
  ) {}

  /**
   * The rows of the last few queries at the account's revision: paging a large result by offset does not run the
   * query again for every page (NetSuite keeps a query's result set server-side too).
   */
  private readonly results = new Map<string, Array<Record<string, string>>>();

  private rowsOf(q: string): Array<Record<string, string>> {
    const key = `${this.tables.revision()}\u0000${q}`;
    const cached = this.results.get(key);
    if (cached) return cached;
    const rows = runSuiteQl(parseSuiteQl(q), this.tables.tables());
    for (const old of this.results.keys())
      if (!old.startsWith(`${this.tables.revision()}\u0000`)) this.results.delete(old);
    if (this.results.size >= 8) this.results.clear();
    this.results.set(key, rows);
    return rows;
  }

  @Post('suiteql')
  async runSuiteQlQuery(
    @Body() body: unknown,
    @Query('limit') limitParam: string | undefined,
    @Query('offset') offsetParam: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!prefersTransient(request.headers.prefer)) {
      // NetSuite documents SuiteQL requests with `Prefer: transient`; the sandbox refuses one without it.
      throw new NetSuiteError(
        400,
        'INVALID_PARAMETER',
        'A SuiteQL request must carry the header Prefer: transient.',
      );
    }
    const limit = Math.min(pageParameter(limitParam, MAX_LIMIT, 'limit'), MAX_LIMIT);
    const offset = pageParameter(offsetParam, 0, 'offset');
    if (limit < 1)
      throw new NetSuiteError(400, 'INVALID_PARAMETER', 'Invalid value for the limit parameter.');
    const maxResults = this.config.SANDBOX_NETSUITE_SUITEQL_MAX_RESULTS;
    if (offset + limit > maxResults) {
      // NetSuite serves at most this many results of one query; larger exports narrow the query instead.
      throw new NetSuiteError(
        400,
        'INVALID_PARAMETER',
        `Invalid value for the offset and limit parameters: a query returns at most ${String(maxResults)} results (offset + limit).`,
      );
    }
    const q = (jsonBody(body) as { q?: unknown } | null | undefined)?.q;
    if (typeof q !== 'string' || q.trim() === '') {
      throw new NetSuiteError(
        400,
        'INVALID_CONTENT',
        'The request body must be {"q": "<SuiteQL query>"}.',
        'q',
      );
    }
    await this.account.run(reply, 'read', () => {
      let rows: Array<Record<string, string>>;
      try {
        rows = this.rowsOf(q);
      } catch (error) {
        if (error instanceof SuiteQlSyntaxError) throw invalidQuery(error.message);
        throw error;
      }
      const page = rows.slice(offset, offset + limit);
      const base = `${request.protocol}://${request.host}/services/rest/query/v1/suiteql`;
      const hasMore = offset + page.length < rows.length;
      return {
        status: 200,
        body: {
          links: [
            { rel: 'self', href: `${base}?limit=${limit}&offset=${offset}` },
            ...(hasMore ? [{ rel: 'next', href: `${base}?limit=${limit}&offset=${offset + limit}` }] : []),
          ],
          count: page.length,
          hasMore,
          items: page.map((row) => ({ links: [], ...row })),
          offset,
          totalResults: rows.length,
        },
      };
    });
  }
}
