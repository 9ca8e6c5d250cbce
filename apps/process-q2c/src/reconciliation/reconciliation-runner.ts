import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '@revline/http';
import type { PoolClient } from 'pg';
import { v7 as uuidV7 } from 'uuid';
import { DataSource, IsNull } from 'typeorm';
import { fileBreaks } from './break-ledger';
import { completeFound } from './checkpoints/break-details';
import { BillingErpCheckpoint } from './checkpoints/billing-erp.checkpoint';
import type { Checkpoint, CheckpointName, RunContext, RunSubject, Scope } from './checkpoints/checkpoint';
import { CHECKPOINTS, customerOf, FOUND_TABLE, select } from './checkpoints/checkpoint';
import { ContractRevenueCheckpoint } from './checkpoints/contract-revenue.checkpoint';
import { RevenueRunsConfig } from '../revenue-runs/revenue-runs.config';
import { LineageCheckpoint } from './checkpoints/lineage.checkpoint';
import { SalesforceBillingCheckpoint } from './checkpoints/salesforce-billing.checkpoint';
import { FiscalPeriods } from '../shared/fiscal-periods';
import { ReconciliationConfig } from './reconciliation.config';
import type { CheckpointTally } from './reconciliation.entities';
import { ReconciliationRunEntity } from './reconciliation.entities';
import { ReconciliationMetrics } from './reconciliation-metrics';
import { SystemApis } from './system-apis';

export type ReconciliationScope = Scope;

export interface RunRequest {
  scope?: Scope;
  period?: string;
  /** Limit the run to one contract, or to one billing customer (not both). */
  contractId?: string;
  customerId?: string;
  trigger: 'schedule' | 'on_demand';
}

/**
 * A running run overlapping the requested one (SQL over running runs `r`; $1 the scope, $2 the contract, $3 the
 * customer): their checkpoints overlap (equal, or either is `all`) and so do their subjects — either covers
 * everything, both name the same contract or customer, or one's contract belongs to the other's customer.
 */
const OVERLAPPING = `r."status" = 'running' AND (r."scope" = $1 OR r."scope" = 'all' OR $1 = 'all')
  AND ((r."contract_id" IS NULL AND r."customer_id" IS NULL) OR ($2::text IS NULL AND $3::text IS NULL)
    OR r."contract_id" = $2 OR r."customer_id" = $3
    OR (r."contract_id" IS NOT NULL AND ${customerOf('r."contract_id"')} = $3)
    OR ($2::text IS NOT NULL AND ${customerOf('$2')} = r."customer_id"))`;

/**
 * A conflicting run already running: runs overlapping in both checkpoints and contracts refuse each other (see
 * OVERLAPPING); runs of other checkpoints, or of other contracts or customers, run side by side. `scope` is the
 * running run's.
 */
export class RunInProgressError extends DomainError {
  constructor(
    readonly scope: string,
    readonly runningRunId: string,
  ) {
    super(409, `A reconciliation run of scope ${scope} is already running (${runningRunId})`);
  }
}

/** A run left `running` this long (its process died) no longer blocks its scope. */
const ABANDONED_AFTER = '2 hours';

/**
 * Runs reconciliation: claims the scope (no overlapping running run: see OVERLAPPING), then runs
 * the scope's checkpoints side by side, each on its own connection: it stages both sides with COPY, compares them
 * in SQL and files its breaks in one transaction. A failed checkpoint fails the run; its breaks stay as the last
 * good run filed them (the other checkpoints' filings stand).
 */
@Injectable()
export class ReconciliationRunner implements OnApplicationShutdown {
  private readonly logger = new Logger(ReconciliationRunner.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly systems: SystemApis,
    private readonly config: ReconciliationConfig,
    private readonly metrics: ReconciliationMetrics,
    private readonly posting: RevenueRunsConfig,
    private readonly fiscal: FiscalPeriods,
  ) {}

  /** Runs to the end (the scheduled path). When the scope is already running, answers that run instead. */
  async run(request: RunRequest): Promise<{ runId: string }> {
    try {
      const started = await this.start(request);
      await started.done;
      return { runId: started.runId };
    } catch (error) {
      if (error instanceof RunInProgressError) return { runId: error.runningRunId };
      throw error;
    }
  }

  /** Claims the scope and starts the run; `done` settles when it ends (it never rejects: failures are recorded). */
  async start(
    request: RunRequest,
  ): Promise<{ run: ReconciliationRunEntity; runId: string; done: Promise<void> }> {
    const scope = request.scope ?? 'all';
    // A period of the tenant's calendar (a 400 otherwise, as period close answers); by default the one today is in.
    const period = this.fiscal.period(request.period ?? this.fiscal.keyOf(new Date().toISOString())).key;
    const runId = uuidV7();
    const subject: RunSubject = {
      contractId: request.contractId ?? null,
      customerId: request.customerId ?? null,
    };
    if (subject.contractId && subject.customerId)
      throw new DomainError(400, 'A run is limited to a contract or to a customer, not both', [
        { field: 'customerId', problem: 'given with contractId' },
      ]);
    const repo = this.dataSource.getRepository(ReconciliationRunEntity);
    // Runs conflict when they overlap (OVERLAPPING): the claim is made under a transaction-scoped advisory lock, so
    // two instances never both see "nothing conflicting"; the partial unique index on the scope, contract and
    // customer stays as the backstop for equal ones.
    const conflicting = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('q2c.reconciliation_runs.claim'))`);
      await manager.query(
        `UPDATE "q2c"."reconciliation_runs" r
            SET "status" = 'failed', "error" = 'abandoned: the process running it stopped', "finished_at" = now()
          WHERE ${OVERLAPPING} AND r."started_at" < now() - interval '${ABANDONED_AFTER}'`,
        [scope, subject.contractId, subject.customerId],
      );
      const running = await manager.query<Array<{ run_id: string; scope: string }>>(
        `SELECT r."run_id", r."scope" FROM "q2c"."reconciliation_runs" r
          WHERE ${OVERLAPPING} ORDER BY r."started_at" LIMIT 1`,
        [scope, subject.contractId, subject.customerId],
      );
      const found = running.at(0);
      if (found) return { runId: found.run_id, scope: found.scope };
      const inserted = await manager
        .getRepository(ReconciliationRunEntity)
        .createQueryBuilder()
        .insert()
        .values({
          runId,
          scope,
          period,
          ...subject,
          trigger: request.trigger,
          status: 'running',
          checkpoints: [],
        })
        .orIgnore()
        .returning('*')
        .execute();
      if ((inserted.raw as unknown[]).length > 0) return null;
      const same = await manager.getRepository(ReconciliationRunEntity).findOneBy({
        scope,
        status: 'running',
        contractId: subject.contractId ?? IsNull(),
        customerId: subject.customerId ?? IsNull(),
      });
      return { runId: same?.runId ?? 'unknown', scope };
    });
    if (conflicting) throw new RunInProgressError(conflicting.scope, conflicting.runId);
    const run = await repo.findOneByOrFail({ runId });
    const names: CheckpointName[] = scope === 'all' ? [...CHECKPOINTS] : [scope];
    const done = this.execute(runId, period, names, subject);
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    return { run, runId, done };
  }

  /** A stopping process lets its runs finish (their connections close after). */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private checkpoint(name: CheckpointName): Checkpoint {
    switch (name) {
      case 'salesforce-billing':
        return new SalesforceBillingCheckpoint();
      case 'billing-erp':
        return new BillingErpCheckpoint(this.fiscal);
      case 'contract-revenue':
        return new ContractRevenueCheckpoint(this.fiscal, this.posting.REVENUE_POSTING);
      case 'lineage':
        return new LineageCheckpoint(this.config.SAGA_SLA_MINUTES, this.config.EXCEPTION_SLA_MINUTES);
    }
  }

  private async execute(
    runId: string,
    period: string,
    names: CheckpointName[],
    subject: RunSubject,
  ): Promise<void> {
    const repo = this.dataSource.getRepository(ReconciliationRunEntity);
    const tallies: CheckpointTally[] = [];
    const started = Date.now();
    try {
      // Each checkpoint on its own connection, all at once: they stage and compare different tables.
      const settled = await Promise.allSettled(
        names.map((name) => this.one(runId, period, this.checkpoint(name), subject)),
      );
      for (const outcome of settled) if (outcome.status === 'fulfilled') tallies.push(outcome.value);
      const failed = settled.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
      await repo.update({ runId }, { status: 'completed', finishedAt: new Date(), checkpoints: tallies });
      this.logger.log(
        `Reconciliation run ${runId} (${period}) completed in ${String(Date.now() - started)} ms: ${JSON.stringify(tallies)}`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`Reconciliation run ${runId} failed: ${message}`);
      await repo
        .update({ runId }, { status: 'failed', finishedAt: new Date(), error: message, checkpoints: tallies })
        .catch(() => undefined);
    }
  }

  /** One checkpoint on one connection: its temp tables vanish with DISCARD TEMP before the connection goes back. */
  private async one(
    runId: string,
    period: string,
    checkpoint: Checkpoint,
    subject: RunSubject,
  ): Promise<CheckpointTally> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      await runner.query(FOUND_TABLE);
      const range = this.fiscal.period(period);
      const ctx: RunContext = {
        runner,
        client,
        runId,
        period,
        from: range.from,
        to: range.to,
        systems: this.systems,
        subject,
      };
      const compared = await checkpoint.compare(ctx);
      await completeFound(ctx);
      await runner.startTransaction();
      const tally = await fileBreaks(runner, checkpoint, runId, period, compared, subject);
      const opened = await select<Array<{ category: string; n: number }>>(
        runner,
        `SELECT "category", count(*)::int AS n FROM "q2c"."reconciliation_breaks"
          WHERE "first_run_id" = $1 AND "checkpoint" = $2 GROUP BY 1`,
        [runId, checkpoint.name],
      );
      await runner.commitTransaction();
      for (const o of opened)
        this.metrics.opened.inc({ checkpoint: checkpoint.name, category: o.category }, o.n);
      return tally;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.query('DISCARD TEMP').catch(() => undefined);
      await runner.release();
    }
  }
}
