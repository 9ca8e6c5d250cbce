import { IsIn, IsString, Length, Matches } from 'class-validator';

/** The time-triggered work of process-q2c (the `q2c.scheduled` queue). */
export class ScheduledConfig {
  /**
   * When the monthly revenue job runs (cron, 5 or 6 fields, in RECOGNISE_PERIOD_TIMEZONE): by default at 03:00 on the
   * first day of each month, for the month just ended — the period close's revenue run under
   * REVENUE_POSTING=period_close, else the period recognition check.
   */
  @IsString()
  @Matches(/^\S+(\s+\S+){4,5}$/, { message: 'RECOGNISE_PERIOD_CRON must be a cron pattern of 5 or 6 fields' })
  RECOGNISE_PERIOD_CRON = '0 3 1 * *';

  /** The time zone of RECOGNISE_PERIOD_CRON (an IANA name). */
  @IsString()
  @Length(1, 64)
  RECOGNISE_PERIOD_TIMEZONE = 'UTC';

  /** `off` leaves the job schedulers alone (an app that only serves HTTP, or a test driving the jobs itself). */
  @IsIn(['on', 'off'])
  SCHEDULED_JOBS: 'on' | 'off' = 'on';
}
