import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { LineageModule } from '../lineage/lineage.module';
import { RevenueRunsModule } from '../revenue-runs/revenue-runs.module';
import { SagasModule } from '../sagas/sagas.module';
import { ApplyRampStep } from './apply-ramp-step.usecase';
import { JobSchedulers } from './job-schedulers';
import { RecognisePeriod } from './recognise-period.usecase';
import { ScheduledJobsHandler } from './scheduled-jobs.handler';

/**
 * Time-triggered work (`q2c.scheduled`): the job schedulers (period recognition), ramp steps falling due and the
 * period recognition check. Ramp steps are scheduled by the booking saga (RampStepSchedule, in SagasModule).
 */
@Module({
  imports: [EventsModule, LineageModule, SagasModule, RevenueRunsModule],
  providers: [JobSchedulers, ApplyRampStep, RecognisePeriod, ScheduledJobsHandler],
})
export class ScheduledModule {}
