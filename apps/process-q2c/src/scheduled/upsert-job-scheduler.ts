import type { JobName, JobPayloads, Queues } from '@revline/messaging';
import { createEnvelope } from '@revline/messaging';

/**
 * Upserts a BullMQ job scheduler on q2c.scheduled under a stable key: every instance upserts the same scheduler at
 * start, so there is one however many run; a changed cron takes over after the run already scheduled. Each run is a job whose
 * envelope's idempotency key is per scheduler.
 */
export async function upsertScheduledJob<J extends JobName>(
  queues: Queues,
  key: string,
  job: J,
  payload: JobPayloads[J],
  repeat: { pattern: string; tz: string },
): Promise<void> {
  const queue = await queues.get('q2c.scheduled');
  const envelope = createEnvelope(job, payload, {
    idempotencyKey: `scheduler:${key}`,
    correlationId: `scheduler-${key}`,
    causationId: null,
  });
  const options = queues.jobOptions(envelope);
  await queue.upsertJobScheduler(key, repeat, {
    name: envelope.job,
    data: envelope,
    opts: {
      attempts: options.attempts,
      backoff: options.backoff,
      removeOnComplete: options.removeOnComplete,
      removeOnFail: options.removeOnFail,
    },
  });
}

/** Removes the job scheduler under `key` from q2c.scheduled (nothing happens when there is none). */
export async function removeScheduledJob(queues: Queues, key: string): Promise<void> {
  const queue = await queues.get('q2c.scheduled');
  await queue.removeJobScheduler(key);
}
