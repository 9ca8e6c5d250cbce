import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { jobIdFor, queueOf, Queues } from '@revline/messaging';
import { randomUUID } from 'node:crypto';

/**
 * Puts a message back on its queue as it was: the same envelope and idempotency key (so the consumer's inbox
 * still guards the effect) under a new BullMQ job id, since the parked job keeps the old id in Redis and an
 * enqueue under it would be dropped as a duplicate.
 */
@Injectable()
export class JobRequeuer {
  constructor(private readonly queues: Queues) {}

  async requeue(envelope: Envelope, reason: 'retry' | 'resume'): Promise<string> {
    const queue = await this.queues.get(queueOf(envelope.job));
    const jobId = `${jobIdFor(envelope.job, envelope.idempotencyKey)}-${reason}-${randomUUID()}`;
    await queue.add(envelope.job, envelope, { ...this.queues.jobOptions(envelope), jobId });
    return jobId;
  }
}
