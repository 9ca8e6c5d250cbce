import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Envelope } from './envelope';
import type { JobName } from './registry';

export const JOB_HANDLER = 'revline:job-handler';

export interface JobContext {
  job: Job;
  /** 1 on the first delivery. */
  attempt: number;
}

export type JobHandlerFn<J extends JobName> = (
  envelope: Envelope<J>,
  context: JobContext,
) => Promise<unknown>;

/**
 * Declares the method that handles one job of the registry. The app's messaging module binds it to a
 * worker and refuses to start when a consumed job has no handler or two.
 */
export function JobHandler<J extends JobName>(job: J) {
  return <F extends JobHandlerFn<J>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => {
    SetMetadata(JOB_HANDLER, job)(target, key, descriptor);
  };
}
