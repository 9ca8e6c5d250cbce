import { Injectable } from '@nestjs/common';
import type { Envelope, JobContext } from '@revline/messaging';
import { BusinessError, Inbox, JobHandler } from '@revline/messaging';
import { ApplyRampStep } from './apply-ramp-step.usecase';
import { PERIOD_PATTERN, previousPeriod } from './periods';
import { RecognisePeriod } from './recognise-period.usecase';

export const SCHEDULED_CONSUMER = 'process-q2c.scheduled';

/** The time-triggered jobs of `q2c.scheduled` that process-q2c runs itself (reconcile has its own handler). */
@Injectable()
export class ScheduledJobsHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly rampSteps: ApplyRampStep,
    private readonly recognise: RecognisePeriod,
  ) {}

  @JobHandler('q2c.ramp-step-due')
  async rampStepDue(envelope: Envelope<'q2c.ramp-step-due'>): Promise<unknown> {
    const outcome = await this.inbox.runOnce(SCHEDULED_CONSUMER, envelope, (manager) =>
      this.rampSteps.execute(manager, envelope),
    );
    return outcome.applied ? outcome.result : { duplicate: true };
  }

  /**
   * Each run of the job scheduler carries the same envelope, so a run is told apart by its job id; the check is
   * idempotent anyway (what it posts has deterministic keys), so a run repeated posts nothing more.
   */
  @JobHandler('q2c.recognise-period')
  async recognisePeriod(envelope: Envelope<'q2c.recognise-period'>, context: JobContext): Promise<unknown> {
    const period = envelope.payload.period ?? previousPeriod(new Date());
    if (!PERIOD_PATTERN.test(period))
      throw new BusinessError('schema_violation', `period must be YYYY-MM, was "${period}"`, { period });
    const run = {
      ...envelope,
      idempotencyKey: `${envelope.idempotencyKey}:${context.job.id ?? envelope.messageId}`,
    };
    const outcome = await this.inbox.runOnce(SCHEDULED_CONSUMER, run, (manager) =>
      this.recognise.execute(manager, period, envelope.correlationId),
    );
    return outcome.applied ? outcome.result : { duplicate: true };
  }
}
