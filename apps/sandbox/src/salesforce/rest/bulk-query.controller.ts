import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { badRequest, notFound } from '../org/errors';
import { OrgStore } from '../org/org-store';
import type { FieldValue } from '../org/values';
import type { Query as SoqlQuery } from '../soql/ast';
import type { FlatResult } from '../soql/evaluate';
import { checkFlatQuery, runFlatQuery } from '../soql/evaluate';
import { parseSoql } from '../soql/parser';
import { SalesforceRestController } from './salesforce-controller';
import type { RestContext } from './session';
import { SfContext } from './session';

type JobState = 'UploadComplete' | 'InProgress' | 'Aborted' | 'JobComplete' | 'Failed';

/** Bulk API 2.0's query job info, as `GET /jobs/query/{id}` answers it. */
export interface QueryJobInfo {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  createdById: string;
  createdDate: string;
  systemModstamp: string;
  state: JobState;
  concurrencyMode: 'Parallel';
  contentType: 'CSV';
  apiVersion: number;
  jobType: 'V2Query';
  lineEnding: 'LF' | 'CRLF';
  columnDelimiter: 'COMMA';
  numberRecordsProcessed: number;
  retries: number;
  totalProcessingTime: number;
  isPkChunkingSupported: boolean;
  errorMessage?: string;
}

interface Job {
  info: QueryJobInfo;
  query: SoqlQuery;
  result?: FlatResult;
  createdAt: number;
}

/** Results a page when the caller gives no maxRecords (Salesforce sizes its pages itself). */
const DEFAULT_MAX_RECORDS = 50_000;
/** Jobs (and their results) are kept a week by Salesforce; a sandbox keeps them an hour. */
const JOB_TTL_MS = 60 * 60 * 1000;

const stamp = (): string => new Date().toISOString().replace('Z', '+0000');

/** One CSV cell as Bulk API 2.0 writes it: every value quoted, a null empty; datetimes in UTC with `Z`. */
function cell(value: FieldValue, type: FlatResult['types'][number]): string {
  if (value === null) return '';
  const text =
    type === 'datetime'
      ? new Date(value as string).toISOString()
      : typeof value === 'string'
        ? value
        : String(value);
  return `"${text.includes('"') ? text.replace(/"/g, '""') : text}"`;
}

/**
 * Bulk API 2.0 queries (`/jobs/query`): a job is created with its SOQL (checked then, a 400 otherwise),
 * evaluated once, in the background, with the sandbox's SOQL engine (own fields and parent relationship fields,
 * as Bulk API 2.0 allows: no subqueries, no aggregates), and its rows read back as CSV a page at a time: each
 * page `maxRecords` rows at most, with `Sforce-NumberOfRecords` and `Sforce-Locator` (the next page's locator,
 * or `null` after the last page).
 */
@SalesforceRestController('services/data/:version/jobs/query')
export class BulkQueryController {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly store: OrgStore) {}

  @Post()
  @HttpCode(200)
  create(@SfContext() ctx: RestContext, @Body() body: unknown): QueryJobInfo {
    const params = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const operation = params.operation;
    if (operation !== 'query' && operation !== 'queryAll')
      throw badRequest('INVALIDJOB', `Unsupported operation: ${String(operation)}`);
    if (typeof params.query !== 'string' || params.query === '')
      throw badRequest('INVALIDJOB', 'A query is required');
    if (params.contentType !== undefined && params.contentType !== 'CSV')
      throw badRequest('INVALIDJOB', 'contentType must be CSV');
    if (params.columnDelimiter !== undefined && params.columnDelimiter !== 'COMMA')
      throw badRequest('INVALIDJOB', 'This sandbox answers COMMA-delimited results only');
    const lineEnding = params.lineEnding === 'CRLF' ? 'CRLF' : 'LF';
    const query = parseSoql(params.query);
    checkFlatQuery(query);
    this.expire();
    const now = stamp();
    const info: QueryJobInfo = {
      id: this.store.ids.next('750'),
      operation,
      object: query.from,
      createdById: ctx.userId,
      createdDate: now,
      systemModstamp: now,
      state: 'UploadComplete',
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(ctx.apiVersion),
      jobType: 'V2Query',
      lineEnding,
      columnDelimiter: 'COMMA',
      numberRecordsProcessed: 0,
      retries: 0,
      totalProcessingTime: 0,
      isPkChunkingSupported: true,
    };
    const job: Job = { info, query, createdAt: Date.now() };
    this.jobs.set(info.id, job);
    setImmediate(() => {
      this.run(job, ctx.apiVersion);
    });
    return { ...info };
  }

  @Get(':jobId')
  info(@Param('jobId') jobId: string): QueryJobInfo {
    return { ...this.job(jobId).info };
  }

  @Patch(':jobId')
  abort(@Param('jobId') jobId: string, @Body() body: unknown): QueryJobInfo {
    const job = this.job(jobId);
    if ((body as { state?: unknown } | null)?.state !== 'Aborted')
      throw badRequest('INVALIDJOBSTATE', 'A query job can only be set to Aborted');
    if (job.info.state === 'JobComplete' || job.info.state === 'Failed')
      throw badRequest('INVALIDJOBSTATE', `Job is already ${job.info.state}`);
    job.info.state = 'Aborted';
    job.info.systemModstamp = stamp();
    delete job.result;
    return { ...job.info };
  }

  @Delete(':jobId')
  @HttpCode(204)
  remove(@Param('jobId') jobId: string): void {
    this.job(jobId);
    this.jobs.delete(jobId);
  }

  @Get(':jobId/results')
  results(
    @Param('jobId') jobId: string,
    @Query('locator') locator: string | undefined,
    @Query('maxRecords') maxRecords: string | undefined,
    @Res() reply: FastifyReply,
  ): void {
    const job = this.job(jobId);
    if (job.info.state !== 'JobComplete' || !job.result)
      throw badRequest('INVALIDJOBSTATE', `Results are not available: the job is ${job.info.state}`);
    const size = maxRecords === undefined ? DEFAULT_MAX_RECORDS : Number(maxRecords);
    if (!Number.isInteger(size) || size < 1)
      throw badRequest('INVALID_INPUT', 'maxRecords must be a positive integer');
    let offset = 0;
    if (locator !== undefined && locator !== '') {
      offset = Number(Buffer.from(locator, 'base64url').toString('utf8'));
      if (!Number.isInteger(offset) || offset < 0 || offset > job.result.rows.length)
        throw badRequest('INVALID_LOCATOR', `Invalid locator: ${locator}`);
    }
    const { columns, rows, types } = job.result;
    const end = Math.min(rows.length, offset + size);
    const eol = job.info.lineEnding === 'CRLF' ? '\r\n' : '\n';
    const lines = [columns.map((c) => `"${c}"`).join(',')];
    for (let i = offset; i < end; i++) {
      const row = rows[i];
      lines.push(row.map((value, c) => cell(value, types[c] ?? 'string')).join(','));
    }
    void reply
      .header('content-type', 'text/csv')
      .header('sforce-numberofrecords', String(end - offset))
      .header('sforce-locator', end < rows.length ? Buffer.from(String(end)).toString('base64url') : 'null')
      .send(`${lines.join(eol)}${eol}`);
  }

  private run(job: Job, apiVersion: string): void {
    if (job.info.state !== 'UploadComplete') return;
    const started = Date.now();
    job.info.state = 'InProgress';
    try {
      job.result = runFlatQuery(
        { store: this.store, apiVersion, includeDeleted: job.info.operation === 'queryAll' },
        job.query,
      );
      job.info.state = 'JobComplete';
      job.info.numberRecordsProcessed = job.result.rows.length;
    } catch (error) {
      job.info.state = 'Failed';
      job.info.errorMessage = (error as Error).message;
    }
    job.info.totalProcessingTime = Date.now() - started;
    job.info.systemModstamp = stamp();
  }

  private job(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw notFound(`Job not found: ${jobId}`);
    return job;
  }

  private expire(): void {
    const horizon = Date.now() - JOB_TTL_MS;
    for (const [id, job] of this.jobs) if (job.createdAt < horizon) this.jobs.delete(id);
  }
}
