import { Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { WorkerConfig } from '@revline/config';
import { MetricsService } from '@revline/observability';
import type { JobsOptions } from 'bullmq';
import { Queue } from 'bullmq';
import type { Envelope } from './envelope';
import { jobIdFor } from './envelope';
import type { QueueName } from './registry';
import { QUEUES, queueOf } from './registry';
import { RedisConnections } from './redis-connections';

export const BACKOFF_STRATEGY = 'revline-jitter';

/** Completed jobs kept per queue (for the dashboard, and so that a job id published again is dropped). */
const COMPLETED_JOBS_KEPT = 50_000;

/** The producer side: one BullMQ Queue per registry queue, created on first use. */
@Injectable()
export class Queues implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connections: RedisConnections,
    private readonly workerConfig: WorkerConfig,
    metrics: MetricsService,
  ) {
    metrics.addQueueDepthSource(() => this.depths());
  }

  async get(name: QueueName): Promise<Queue> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: await this.connections.producer(),
        prefix: this.connections.prefix,
      });
      this.queues.set(name, queue);
    }
    return queue;
  }

  jobOptions(envelope: Envelope): JobsOptions {
    const delay = envelope.notBefore ? Date.parse(envelope.notBefore) - Date.now() : 0;
    return {
      jobId: jobIdFor(envelope.job, envelope.idempotencyKey),
      ...(delay > 0 ? { delay } : {}),
      attempts: this.workerConfig.JOB_ATTEMPTS,
      backoff: { type: BACKOFF_STRATEGY },
      // The last completed jobs by count alone: an age as well costs every job's completion one more Redis command.
      removeOnComplete: { count: COMPLETED_JOBS_KEPT },
      removeOnFail: { age: 14 * 24 * 3600 },
    };
  }

  /** Adds envelopes to their queues; a job whose id is already present is left as it is (BullMQ's dedup). */
  async publish(envelopes: readonly Envelope[]): Promise<void> {
    const byQueue = new Map<QueueName, Envelope[]>();
    for (const envelope of envelopes) {
      const queue = queueOf(envelope.job);
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), envelope]);
    }
    for (const [name, batch] of byQueue) {
      const queue = await this.get(name);
      await queue.addBulk(
        batch.map((envelope) => ({ name: envelope.job, data: envelope, opts: this.jobOptions(envelope) })),
      );
    }
  }

  /** Job counts per known queue, for the queue-depth metric and the dashboards. */
  async depths(): Promise<Array<{ queue: string; state: string; count: number }>> {
    const rows: Array<{ queue: string; state: string; count: number }> = [];
    for (const [name, queue] of this.queues) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      for (const [state, count] of Object.entries(counts)) rows.push({ queue: name, state, count });
    }
    return rows;
  }

  /** Opens every registry queue (used by admin dashboards that show them all). */
  async all(): Promise<Queue[]> {
    return Promise.all((Object.keys(QUEUES) as QueueName[]).map((name) => this.get(name)));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }
}
