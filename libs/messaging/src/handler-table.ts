import type { JobHandlerFn } from './job-handler.decorator';
import type { JobName, QueueName } from './registry';
import { jobsOf, queueOf } from './registry';

export interface DiscoveredHandler {
  job: JobName;
  owner: string;
  fn: JobHandlerFn<JobName>;
}

export class HandlerRegistrationError extends Error {
  constructor(problems: string[]) {
    super(`Job handlers do not match the queues this app consumes:\n  - ${problems.join('\n  - ')}`);
    this.name = 'HandlerRegistrationError';
  }
}

/**
 * Pairs every job of the consumed queues with exactly one handler. A consumed job with no handler, a job with
 * two, or a handler for a queue the app does not consume is an error at start-up, not a stuck job later.
 */
export function buildHandlerTable(
  consumes: readonly QueueName[],
  handlers: readonly DiscoveredHandler[],
): Map<JobName, DiscoveredHandler> {
  const problems: string[] = [];
  const table = new Map<JobName, DiscoveredHandler>();
  for (const handler of handlers) {
    const existing = table.get(handler.job);
    if (existing) problems.push(`${handler.job} has two handlers: ${existing.owner} and ${handler.owner}`);
    else table.set(handler.job, handler);
    if (!consumes.includes(queueOf(handler.job))) {
      problems.push(
        `${handler.owner} handles ${handler.job}, but this app does not consume ${queueOf(handler.job)}`,
      );
    }
  }
  for (const queue of consumes) {
    for (const job of jobsOf(queue)) {
      if (!table.has(job)) problems.push(`${job} (queue ${queue}) has no handler`);
    }
  }
  if (problems.length > 0) throw new HandlerRegistrationError(problems);
  return table;
}
