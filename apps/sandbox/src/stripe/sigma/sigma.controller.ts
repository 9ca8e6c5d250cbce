import { Body, Controller, Get, Param, Req, StreamableFile, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { StripeKeyGuard } from '../http/auth.guard';
import { Faults } from '../http/faults';
import { Params } from '../http/params';
import { StripePost } from '../http/request';
import { StripeController } from '../http/stripe-controller';
import { StripeApiError, StripeErrorFilter } from '../http/stripe-error';
import { StripeStore, stripeId } from '../state/store';
import type { SigmaQueryRun, StripeFile } from '../state/types';
import { sigmaResult } from './sigma-engine';
import { parseSigmaSql, SigmaSqlError } from './sigma-sql';
import { sigmaTables } from './sigma-tables';

/** How long a result file can be downloaded (Stripe keeps Sigma results for a while, not for ever). */
const FILE_TTL_SECONDS = 7 * 86_400;
/** Result files kept in memory at most, all together: past it the oldest are forgotten (a sandbox runs for weeks). */
const FILE_BYTES = 256 * 1024 * 1024;

/**
 * Sigma's Query Run API (a preview on Stripe): `POST /v1/sigma/query_runs` with `sql` queues a run (answered
 * `pending`), which runs (`running`) once the runs before it are done, then succeeds with a CSV result file, or
 * fails with the reason. The sandbox's Sigma is never behind the API: its
 * `data_load_time` is the moment the run starts (Stripe's lags by up to a few hours).
 */
@StripeController()
export class SigmaController {
  private readonly queue: Array<{ run: SigmaQueryRun; base: string }> = [];

  constructor(
    private readonly store: StripeStore,
    private readonly faults: Faults,
  ) {}

  @StripePost('sigma/query_runs')
  createQueryRun(@Body() body: unknown, @Req() request: FastifyRequest): SigmaQueryRun {
    const p = new Params(body);
    const sql = p.string('sql');
    const saved = p.string('from_saved_query');
    p.end();
    if (this.faults.settings.sigmaDisabled)
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        message: 'Sigma is not enabled on this account. Subscribe to Sigma to run queries.',
      });
    if (saved !== undefined) throw StripeApiError.noSuch('sigma_api_query', saved, 'from_saved_query');
    if (!sql) throw StripeApiError.missing('sql');
    const created = this.store.now();
    const run: SigmaQueryRun = {
      id: stripeId('qry'),
      object: 'sigma.sigma_query_run',
      created,
      livemode: false,
      sql,
      status: 'pending',
      error: null,
      finalized_at: null,
      result: null,
    };
    this.store.sigmaQueryRuns.set(run.id, run);
    this.queue.push({ run, base: `${request.protocol}://${request.headers.host ?? request.hostname}` });
    if (this.queue.length === 1) this.next();
    return { ...run };
  }

  /**
   * Runs the queued query runs one at a time, a chunk of rows per turn of the event loop: meanwhile the sandbox
   * answers polls and serves result files, so a client reads one run's file while the next one runs (as on Stripe,
   * where runs do not hold up the API).
   */
  private next(): void {
    if (this.queue.length === 0) return;
    const { run, base } = this.queue[0];
    const contents: Buffer[] = [];
    const finish = (outcome: Partial<SigmaQueryRun>): void => {
      Object.assign(run, { finalized_at: this.store.now(), ...outcome });
      this.queue.shift();
      this.next();
    };
    let chunks: Iterator<Buffer> | undefined;
    const step = (): void => {
      let outcome: Partial<SigmaQueryRun> | null = null;
      run.status = 'running';
      try {
        chunks ??= sigmaResult(parseSigmaSql(run.sql), sigmaTables(this.store), run.created);
        const chunk = chunks.next();
        if (chunk.done)
          outcome = { status: 'succeeded', result: { file: this.saveFile(run, base, contents) } };
        else contents.push(chunk.value);
      } catch (error) {
        const message = error instanceof SigmaSqlError ? error.message : `The query failed: ${String(error)}`;
        outcome = { status: 'failed', error: { message } };
      }
      if (outcome) finish(outcome);
      else setImmediate(step);
    };
    setImmediate(step);
  }

  @Get('sigma/query_runs/:id')
  retrieveQueryRun(@Param('id') id: string): SigmaQueryRun {
    const run = this.store.sigmaQueryRuns.get(id);
    if (!run) throw StripeApiError.noSuch('sigma_query_run', id);
    return run;
  }

  @Get('files/:id')
  retrieveFile(@Param('id') id: string): StripeFile {
    const stored = this.store.files.get(id);
    if (!stored) throw StripeApiError.noSuch('file', id);
    return stored.file;
  }

  private saveFile(run: SigmaQueryRun, base: string, contents: Buffer[]): string {
    const created = this.store.now();
    const id = stripeId('file');
    const file: StripeFile = {
      id,
      object: 'file',
      created,
      livemode: false,
      expires_at: created + FILE_TTL_SECONDS,
      filename: `${run.id}.csv`,
      purpose: 'sigma_query_run',
      size: contents.reduce((sum, chunk) => sum + chunk.length, 0),
      title: null,
      type: 'csv',
      url: `${base}/v1/files/${id}/contents`,
    };
    this.store.files.set(id, { file, contents });
    let kept = 0;
    for (const stored of [...this.store.files.values()].reverse()) {
      kept += stored.file.size;
      if (stored.file.id !== id && (kept > FILE_BYTES || (stored.file.expires_at ?? Infinity) < created))
        this.store.files.delete(stored.file.id);
    }
    for (const [runId, old] of this.store.sigmaQueryRuns)
      if (old.created < created - FILE_TTL_SECONDS) this.store.sigmaQueryRuns.delete(runId);
    return id;
  }
}

/**
 * A file's contents, as `files.stripe.com/v1/files/:id/contents` serves them: the same secret key, but not the API's
 * request ids, idempotency or faults (it is another host on Stripe).
 */
@Controller('v1')
@ApiExcludeController()
@UseGuards(StripeKeyGuard)
@UseFilters(StripeErrorFilter)
export class StripeFilesController {
  constructor(private readonly store: StripeStore) {}

  @Get('files/:id/contents')
  contents(@Param('id') id: string): StreamableFile {
    const stored = this.store.files.get(id);
    if (!stored || (stored.file.expires_at !== null && stored.file.expires_at < this.store.now()))
      throw StripeApiError.noSuch('file', id);
    return new StreamableFile(Readable.from(stored.contents), {
      type: 'text/csv',
      length: stored.file.size,
      disposition: `attachment; filename="${stored.file.filename}"`,
    });
  }
}
