import { IsIn, IsISO8601, Matches, ValidateIf } from 'class-validator';
import { FISCAL_CALENDARS, type FiscalCalendar } from '@revline/revenue';

/** The tenant's fiscal calendar: the accounting periods schedules, waterfalls, usage revenue and period close use. */
export class FiscalCalendarConfig {
  /**
   * `calendar` (the default): calendar months, periods named `YYYY-MM`. `4-4-5`, `4-5-4`, `5-4-4`: 52/53-week years
   * of twelve periods of whole weeks; `13-period`: thirteen 4-week periods. Fiscal periods are named `FY2026-P01`.
   * Every stored schedule records the calendar it was computed on; period close refuses to mix calendars.
   */
  @IsIn(FISCAL_CALENDARS)
  REVENUE_FISCAL_CALENDAR: FiscalCalendar = 'calendar';

  /**
   * Week calendars: the first day of one fiscal year (any year), as YYYY-MM-DD. Every other fiscal year starts on
   * the same weekday, the one nearest to this date's anniversary.
   */
  @ValidateIf((c: FiscalCalendarConfig) => c.REVENUE_FISCAL_CALENDAR !== 'calendar')
  @IsISO8601({ strict: true }, { message: 'must be a calendar date' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
    message: 'must be the first day of one fiscal year as YYYY-MM-DD (required with a week calendar)',
  })
  REVENUE_FISCAL_YEAR_START?: string = undefined;
}
