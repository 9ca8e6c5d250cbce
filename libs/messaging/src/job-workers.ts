import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { WorkerConfig } from '@revline/config';
import { inSpan, MetricsService, runWithCorrelation } from '@revline/observability';
import type { Job } from 'bullmq';
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import { backoffWithJitter } from './backoff';
import type { Envelope } from './envelope';
import { envelopeProblem } from './envelope';
import { ConnectionAlerts } from './connection-alerts';
import { DeliveryReceipts } from './delivery-receipts';
import type { ConnectionError } from './errors';
import { isBusinessError, isConnectionError } from './errors';
import { ExceptionRecorder } from './exception-recorder';
import { RETRY_JOB_ID_MARK } from './exception-settlement';
import type { ForwardingSystem } from './payloads';
import type { DiscoveredHandler } from './handler-table';
import { buildHandlerTable } from './handler-table';
import type { JobHandlerFn } from './job-handler.decorator';
import { JOB_HANDLER } from './job-handler.decorator';
import type { JobName, QueueName } from './registry';
import { RedisConnections } from './redis-connections';
import { consumerSpan } from './trace-context';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  /** The queues whose jobs this app handles. */
  consumes: readonly QueueName[];
  /** A system API: its exceptions are forwarded to process-q2c, whose decisions it settles. */
  forwardExceptions?: ForwardingSystem;
  /**
   * Jobs in hand at once for a queue, where it is not WORKER_CONCURRENCY: a handler that batches its jobs across
   * the process needs as many in hand as one batch holds.
   */
  concurrency?: Partial<Record<QueueName, number>>;
}

/**
 * Binds the app's @JobHandler methods to BullMQ workers. Each job runs in its envelope's correlation scope,
 * is logged with its duration and counted by outcome. Business errors park the job as an exception at once;
 * a connection's failure is one alert for the connection (ConnectionAlerts) and the job waits, delayed without
 * spending an attempt, until the connection is back; other errors are retried with backoff and jitter and become
 * an exception when the attempts run out.
 */
@Injectable()
export class JobWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobWorkers.name);
  private readonly workers: Worker[] = [];

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly connections: RedisConnections,
    private readonly config: WorkerConfig,
    private readonly metrics: MetricsService,
    private readonly exceptions: ExceptionRecorder,
    private readonly alerts: ConnectionAlerts,
    private readonly receipts: DeliveryReceipts,
  ) {}

  onApplicationBootstrap(): void {
    const table = buildHandlerTable(this.options.consumes, this.discover());
    for (const queue of this.options.consumes) {
      const worker = new Worker(queue, (job: Job, token?: string) => this.process(queue, job, table, token), {
        connection: this.connections.worker(),
        prefix: this.connections.prefix,
        concurrency: this.options.concurrency?.[queue] ?? this.config.WORKER_CONCURRENCY,
        lockDuration: this.config.JOB_LOCK_DURATION_MS,
        stalledInterval: this.config.JOB_LOCK_DURATION_MS,
        maxStalledCount: 5,
        settings: {
          backoffStrategy: (attempts: number) => backoffWithJitter(attempts, this.config.JOB_BACKOFF_BASE_MS),
        },
      });
      worker.on('error', (error) => {
        this.logger.warn(`Worker ${queue}: ${error.message}`);
      });
      this.workers.push(worker);
    }
  }

  /**
   * Stops taking jobs and waits for the ones in hand, before the shutdown closes the Redis and Postgres connections
   * they use, for WORKER_SHUTDOWN_GRACE_MS at most. A worker whose jobs still run then is left to them (BullMQ cannot
   * turn a close under way into a forced one): the shutdown goes on, their locks lapse with the connections, and
   * another instance takes them as stalled, as after a kill.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const grace = this.config.WORKER_SHUTDOWN_GRACE_MS;
    await Promise.all(
      this.workers.map(async (worker) => {
        const timer = new AbortController();
        const closed = worker.close().then(
          () => true,
          (error: unknown) => {
            this.logger.warn(`Worker ${worker.name} closed with an error: ${(error as Error).message}`);
            return true;
          },
        );
        const late = sleep(grace, false, { signal: timer.signal }).catch(() => true);
        const inTime = await Promise.race([closed, late]);
        timer.abort();
        if (!inTime)
          this.logger.warn(
            `Worker ${worker.name}: jobs still running after ${String(grace)} ms; shutting down without them`,
          );
      }),
    );
  }

  private discover(): DiscoveredHandler[] {
    const handlers: DiscoveredHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method] as JobHandlerFn<JobName> | undefined;
        if (typeof fn !== 'function') continue;
        const job = this.reflector.get<DiscoveredHandler['job'] | undefined>(JOB_HANDLER, fn);
        if (job) handlers.push({ job, owner: `${wrapper.name}.${method}`, fn: fn.bind(instance) });
      }
    }
    return handlers;
  }

  private async process(
    queue: QueueName,
    job: Job,
    table: Map<string, DiscoveredHandler>,
    token?: string,
  ): Promise<unknown> {
    const problem = envelopeProblem(job.data);
    const handler = table.get(job.name);
    if (problem || !handler) {
      this.metrics.jobs.inc({ queue, job: job.name, outcome: 'parked' });
      throw new UnrecoverableError(problem ?? `no handler for ${job.name}`);
    }
    const envelope = job.data as Envelope;
    const context = {
      correlationId: envelope.correlationId,
      causationId: envelope.messageId,
      tenantId: envelope.tenantId,
    };
    return runWithCorrelation(context, async () => {
      const attempt = job.attemptsMade + 1;
      const stopTimer = this.metrics.jobDuration.startTimer({ queue, job: job.name });
      this.logger.log({ msg: 'job started', queue, job: job.name, jobId: job.id, attempt });
      try {
        const result = await inSpan(`${job.name} process`, consumerSpan(queue, job, handler, envelope), () =>
          handler.fn(envelope, { job, attempt }),
        );
        // Applied (or found a duplicate by the inbox): the producer's outbox counts the message delivered.
        await this.receipts.confirm(envelope);
        await this.alerts.succeeded(queue);
        // Only a job put back by an operator's retry (its id says so) can settle an exception.
        if (job.id?.includes(RETRY_JOB_ID_MARK)) await this.exceptions.succeeded(envelope);
        const seconds = stopTimer();
        this.metrics.jobs.inc({ queue, job: job.name, outcome: 'completed' });
        this.logger.log({
          msg: 'job completed',
          queue,
          job: job.name,
          jobId: job.id,
          attempt,
          durationMs: Math.round(seconds * 1000),
        });
        return result;
      } catch (error) {
        stopTimer();
        if (isConnectionError(error)) return this.waitForConnection(queue, job, error, token);
        await this.fail(queue, job, envelope, attempt, error);
        throw isBusinessError(error) ? new UnrecoverableError(error.message) : error;
      }
    });
  }

  /** The connection is down: one alert for it, and the job comes back later without spending an attempt. */
  private async waitForConnection(
    queue: QueueName,
    job: Job,
    error: ConnectionError,
    token: string | undefined,
  ): Promise<never> {
    this.metrics.jobs.inc({ queue, job: job.name, outcome: 'waiting' });
    await this.alerts.failed(error.connection, queue, error.message);
    if (token === undefined) throw error;
    const delay = backoffWithJitter(5, this.config.JOB_BACKOFF_BASE_MS, 30_000);
    this.logger.warn({
      msg: 'job waits for its connection',
      queue,
      job: job.name,
      jobId: job.id,
      delayMs: delay,
    });
    await job.moveToDelayed(Date.now() + delay, token);
    throw new DelayedError();
  }

  private async fail(
    queue: QueueName,
    job: Job,
    envelope: Envelope,
    attempt: number,
    error: unknown,
  ): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const attempts = job.opts.attempts ?? 1;
    if (isBusinessError(error)) {
      this.metrics.jobs.inc({ queue, job: job.name, outcome: 'parked' });
      this.logger.warn({
        msg: 'job parked',
        queue,
        job: job.name,
        jobId: job.id,
        category: error.category,
        reason: message,
      });
      await this.exceptions.record(envelope, {
        category: error.category,
        reason: message,
        details: error.details,
      });
    } else if (attempt >= attempts) {
      this.metrics.jobs.inc({ queue, job: job.name, outcome: 'failed' });
      this.logger.error({
        msg: 'job failed, retries exhausted',
        queue,
        job: job.name,
        jobId: job.id,
        attempt,
        error: message,
      });
      await this.exceptions.record(envelope, {
        category: 'retries_exhausted',
        reason: `Still failing after ${attempt} attempts: ${message}`,
      });
    } else {
      this.metrics.jobs.inc({ queue, job: job.name, outcome: 'retried' });
      this.logger.warn({
        msg: 'job will be retried',
        queue,
        job: job.name,
        jobId: job.id,
        attempt,
        error: message,
      });
    }
    // Parked as an exception in the consumer's database: delivered, an operator's retry takes it from there.
    if (isBusinessError(error) || attempt >= attempts) await this.receipts.confirm(envelope);
  }
}
