import { Injectable } from '@nestjs/common';
import { Outbox } from '@revline/messaging';
import { DomainError } from '@revline/http';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { RevenueRunsRepository } from '../revenue-runs/revenue-runs.repository';
import { FiscalPeriods } from '../shared/fiscal-periods';
import { ActiveMapping } from '../mappings/active-mapping';
import type { UsageReject } from './parse-usage';
import { checkUsage, MAX_REJECTS, refuse } from './parse-usage';
import type { UsageDay } from './usage-aggregates';
import { reportPayload } from './usage-aggregates';
import type { UsageLine } from './usage-source';
import type { IngestionFigures, IngestionMode } from './usage.repository';
import { copyLine, UsageRepository } from './usage.repository';
import { UsageConfig } from './usage.config';

/** UTC days of use per billing.report-usage command (per customer and meter): one meter event each. */
export const USAGE_DAYS_PER_COMMAND = 100;
/** Staged lines per COPY write. */
const COPY_BATCH = 1_000;
/** Lines between two progress updates of the ingestion record. */
const PROGRESS_EVERY = 20_000;
/** Commands read back per query. */
const COMMAND_PAGE = 50;

export interface UsageCommand {
  customerId: string;
  meterEventName: string;
  /** Usage events the command reports (summed into one meter event per UTC day of use). */
  events: number;
  idempotencyKey: string;
}

export interface UsageOutcome {
  ingestionId: string;
  received: number;
  staged: number;
  duplicates: number;
  /** Events kept for their contract's booking (USAGE_UNKNOWN_CONTRACT=park). */
  parked: number;
  rejected: number;
  rejects: UsageReject[];
  commands: UsageCommand[];
}

export interface UsageUpload {
  lines: AsyncIterable<UsageLine> | Iterable<UsageLine>;
  mode: IngestionMode;
  /** A JSON array: rejects are named as its items (`rows[i]`), not as lines. */
  jsonArray: boolean;
}

/** The billing meter a usage product reports to: its product code, lower case, `-` as `_` (API-CALLS → api_calls). */
export const meterEventNameOf = (productCode: string): string => productCode.toLowerCase().replace(/-/g, '_');

interface Read {
  received: number;
  rejected: number;
  rejects: UsageReject[];
}

const byLine = (a: UsageReject, b: UsageReject) => a.line - b.line;

/**
 * Ingests one upload in one transaction: every line checked as it arrives and COPYed into a staging area of the
 * request's own (temporary tables), the staged lines checked against contracts, catalogue and closed periods, then
 * the good ones moved into q2c.usage_events once per identifier with their billing.report-usage commands (outbox)
 * and a lineage hop per contract. A bad line refuses the whole upload (rolled back, nothing written) unless the mode
 * is `partial`, which applies the good lines and returns the bad ones. Memory holds one COPY batch and the first
 * MAX_REJECTS rejects, whatever the upload's size.
 */
@Injectable()
export class ReportUsage {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: UsageRepository,
    private readonly mappings: ActiveMapping,
    private readonly outbox: Outbox,
    private readonly lineage: LineageRecorder,
    private readonly revenueRuns: RevenueRunsRepository,
    private readonly periods: FiscalPeriods,
    private readonly config: UsageConfig,
  ) {}

  /** The ingestion record, `running`, before the body is read. */
  async open(
    ingestionId: string,
    mode: IngestionMode,
    contentType: string,
    requestedBy: string,
  ): Promise<void> {
    await this.repository.createIngestion(ingestionId, mode, contentType, requestedBy);
  }

  async execute(ingestionId: string, upload: UsageUpload): Promise<UsageOutcome> {
    const runner = this.dataSource.createQueryRunner();
    const read: Read = { received: 0, rejected: 0, rejects: [] };
    try {
      await runner.connect();
      await runner.startTransaction();
      await this.repository.createStage(runner);
      await this.stage(runner, ingestionId, upload.lines, read);
      return await this.settle(runner, ingestionId, upload, read);
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await this.failed(ingestionId, error, read);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Reads every line, COPYing the well-formed ones into the staging table; counts into `read`, with the first rejects. */
  private async stage(
    runner: QueryRunner,
    ingestionId: string,
    lines: UsageUpload['lines'],
    read: Read,
  ): Promise<void> {
    const copy = await this.repository.copyIntoStage(runner);
    let batch = '';
    let batched = 0;
    try {
      for await (const item of lines) {
        read.received += 1;
        const checked = 'reject' in item ? null : checkUsage(item.value);
        if (checked && 'row' in checked) {
          batch += copyLine(item.line, checked.row);
          batched += 1;
        } else {
          const reject =
            'reject' in item ? item.reject : { line: item.line, ...(checked?.problems[0] ?? ERR) };
          read.rejected += 1;
          if (read.rejects.length < MAX_REJECTS) read.rejects.push(reject);
        }
        if (batched >= COPY_BATCH) {
          await write(copy, batch);
          [batch, batched] = ['', 0];
        }
        if (read.received % PROGRESS_EVERY === 0)
          await this.repository.progress(ingestionId, read.received, read.rejected);
      }
      copy.end(batch);
      await finished(copy);
    } catch (error) {
      // The COPY is abandoned (CopyFail): its own error is the abort's echo, the transaction rolls back.
      copy.on('error', () => undefined);
      copy.destroy();
      throw error;
    }
  }

  /** Checks the staged lines, then refuses the upload or applies it. */
  private async settle(
    runner: QueryRunner,
    ingestionId: string,
    upload: UsageUpload,
    read: Read,
  ): Promise<UsageOutcome> {
    if (read.received === 0)
      throw new DomainError(400, 'The upload holds no usage event', [
        { field: 'rows', problem: 'must hold at least one usage event' },
      ]);
    const { catalogue } = await this.mappings.current(runner.manager);
    const metered = [...catalogue].filter(([, e]) => e.chargeType === 'usage').map(([code]) => code);
    // Posted periods of the tenant's calendar, each with its days (a key of another calendar names none here).
    const closed = (await this.revenueRuns.postedPeriods(runner.manager)).flatMap((key) => {
      const range = this.periods.find(key);
      return range ? [range] : [];
    });
    const staged = await this.repository.markRejects(
      runner,
      closed,
      [...catalogue.keys()],
      metered,
      MAX_REJECTS,
      this.config.USAGE_UNKNOWN_CONTRACT === 'park',
    );
    const rejected = read.rejected + staged.total;
    const rejects = [...read.rejects, ...staged.first].sort(byLine).slice(0, MAX_REJECTS);
    if (rejected > 0 && upload.mode === 'whole') {
      await runner.rollbackTransaction();
      const figures = { linesRead: read.received, accepted: 0, duplicates: 0, rejected, rejects };
      await this.repository.finishIngestion(ingestionId, 'rejected', figures);
      refuse(rejects, rejected, {
        jsonArray: upload.jsonArray,
        ingestionId,
        periodClosed: read.rejected === 0 && staged.allPeriodClosed,
      });
    }
    await this.repository.lockApply(runner);
    const accepted = await this.repository.apply(
      runner,
      ingestionId,
      USAGE_DAYS_PER_COMMAND,
      staged.total > 0,
    );
    const parked =
      this.config.USAGE_UNKNOWN_CONTRACT === 'park'
        ? await this.repository.parkUnknown(runner, ingestionId)
        : 0;
    const duplicates = (await this.repository.stagedLines(runner)) - staged.total - accepted - parked;
    const commands = await this.report(runner);
    await this.recordLineage(runner, ingestionId);
    const figures: IngestionFigures = {
      linesRead: read.received,
      accepted,
      duplicates,
      rejected,
      rejects,
      parked,
    };
    await this.repository.finishIngestion(ingestionId, 'applied', figures, runner.manager);
    await runner.commitTransaction();
    return {
      ingestionId,
      received: read.received,
      staged: accepted,
      duplicates,
      parked,
      rejected,
      rejects,
      commands,
    };
  }

  /** One billing.report-usage command per command key the move gave the ingestion's events, its usage summed per day. */
  private async report(runner: QueryRunner): Promise<UsageCommand[]> {
    const commands: UsageCommand[] = [];
    for (let after = ''; ;) {
      const page = await this.repository.commands(runner, after, COMMAND_PAGE);
      if (page.length === 0) return commands;
      for (const command of page) {
        const payload = reportPayload({
          commandKey: command.command_key,
          customerId: command.customer_id,
          meterEventName: meterEventNameOf(command.product_code),
          days: JSON.parse(command.days) as UsageDay[],
        });
        await this.outbox.add(runner.manager, 'billing.report-usage', payload, {
          idempotencyKey: command.command_key,
          correlationId: command.correlation_id,
        });
        commands.push({
          customerId: command.customer_id,
          meterEventName: payload.meterEventName,
          events: command.events,
          idempotencyKey: command.command_key,
        });
      }
      after = page[page.length - 1].command_key;
    }
  }

  private async recordLineage(runner: QueryRunner, ingestionId: string): Promise<void> {
    const contracts = await this.repository.perContract(runner);
    await this.lineage.record(
      contracts.map((c) => ({
        contractId: c.contract_id,
        system: 'revline' as const,
        objectType: 'UsageReported',
        externalId: `${c.contract_id}:${ingestionId}`,
        status: 'staged',
        correlationId: c.correlation_id,
        detail: `${String(c.events)} usage events`,
      })),
      runner.manager,
    );
  }

  /** Records how an ingestion ended when it did not apply: refused (a 4xx) or failed. */
  private async failed(ingestionId: string, error: unknown, read: Read): Promise<void> {
    const state = error instanceof DomainError && error.status < 500 ? 'rejected' : 'failed';
    const current = await this.repository.ingestion(ingestionId);
    if (current?.state !== 'running') return;
    await this.repository.finishIngestion(ingestionId, state, {
      linesRead: read.received,
      accepted: 0,
      duplicates: 0,
      rejected: read.rejected,
      rejects: read.rejects,
      detail: error instanceof Error ? error.message : String(error),
    });
  }
}

const ERR = { field: '(line)', problem: 'is not a usage event' };

async function write(copy: Writable, text: string): Promise<void> {
  if (!copy.write(text)) await once(copy, 'drain');
}
