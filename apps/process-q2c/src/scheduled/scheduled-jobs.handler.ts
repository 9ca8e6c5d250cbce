import { Injectable } from '@nestjs/common';
import type { Envelope, JobContext } from '@revline/messaging';
import { DomainError } from '@revline/http';
import { BusinessError, Inbox, JobHandler } from '@revline/messaging';
import { ApplyRampStep } from './apply-ramp-step.usecase';
import { PERIOD_PATTERN, previousPeriod } from './periods';
import { RecognisePeriod } from './recognise-period.usecase';
import { ClosePeriod } from '../revenue-runs/close-period.usecase';

export const SCHEDULED_CONSUMER = 'process-q2c.scheduled';

/** The time-triggered jobs of `q2c.scheduled` that process-q2c runs itself (reconcile has its own handler). */
@Injectable()
export class ScheduledJobsHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly rampSteps: ApplyRampStep,
    private readonly recognise: RecognisePeriod,
    private readonly close: ClosePeriod,
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

  /**
   * The period close's revenue run of the period before the run (or the period given). Starting a run is idempotent
   * in effect: while a run of the period is posting it is returned, and a run after a complete one posts only the
   * difference (nothing when nothing changed).
   */
  @JobHandler('q2c.close-period')
  async closePeriod(envelope: Envelope<'q2c.close-period'>): Promise<unknown> {
    // The tenant's period just ended (REVENUE_FISCAL_CALENDAR); a period given that is not one of its is refused.
    const period = envelope.payload.period ?? this.close.periodBefore(new Date());
    const run = await this.close
      .start(period, envelope.payload.requestedBy ?? 'scheduler', envelope.correlationId)
      .catch((error: unknown) => {
        // A run the rules refuse (a later period's run, another still posting) is for a person to see, not to retry.
        if (error instanceof DomainError)
          throw new BusinessError(
            error.status === 400 ? 'schema_violation' : 'revenue_run_refused',
            error.message,
            { period },
          );
        throw error;
      });
    return { runId: run.runId, period, sequence: run.sequence, state: run.state, resumed: run.resumed };
  }
}
