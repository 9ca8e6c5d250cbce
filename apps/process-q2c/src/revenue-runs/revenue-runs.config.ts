import { IsIn } from 'class-validator';
import type { CloseMode } from './revenue-run.plan';

/** How revenue reaches the ERP. */
export class RevenueRunsConfig {
  /**
   * `period_close` (the default) posts revenue when a period closes, in summarised journals of a revenue run
   * (`q2c.close-period`); bookings and amendments post the customer, invoices and revenue schedules only.
   * `at_booking` posts every period's journal of a schedule version when the version is computed, with the
   * contract's unbilled-receivable movement (a NetSuite request each): per-contract revenue in the ERP from the
   * start, at many times the request cost.
   */
  @IsIn(['at_booking', 'period_close'])
  REVENUE_POSTING: 'at_booking' | 'period_close' = 'period_close';

  /**
   * `summary`: one journal per subsidiary and currency, a line pair per account pair; `detail`: a line pair per
   * contract obligation, in journals of at most 1,000 lines. The contract lines stay in Revline either way.
   */
  @IsIn(['summary', 'detail'])
  REVENUE_CLOSE_MODE: CloseMode = 'summary';
}
