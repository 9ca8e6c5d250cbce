import { Secret } from '@revline/config';
import { IsInt, IsOptional, Matches, Max, Min, MinLength } from 'class-validator';

const HTTP_URL = /^https?:\/\/[^\s/]+(:\d+)?(\/[^\s]*)?$/;
/** Five cron fields: minute hour day-of-month month day-of-week. */
const CRON = /^(\S+\s+){4}\S+$/;

/** Reconciliation: where the system APIs are, the key process-q2c shows them, the schedule and the SLAs. */
export class ReconciliationConfig {
  @Matches(HTTP_URL, { message: 'must be an http(s) URL' })
  SYSTEM_SALESFORCE_URL = 'http://127.0.0.1:3002';

  @Matches(HTTP_URL, { message: 'must be an http(s) URL' })
  SYSTEM_BILLING_URL = 'http://127.0.0.1:3003';

  @Matches(HTTP_URL, { message: 'must be an http(s) URL' })
  SYSTEM_ERP_URL = 'http://127.0.0.1:3004';

  /**
   * The API key process-q2c presents to the system APIs. Registered at start (finance.viewer) in the shared key
   * table when it is not there yet, the way BOOTSTRAP_ADMIN_API_KEY is.
   */
  @IsOptional()
  @Secret({ minLength: 32 })
  @MinLength(24, { message: 'must be at least 24 characters' })
  SERVICE_API_KEY?: string = undefined;

  /** When the scheduled run of every checkpoint starts (cron, UTC); `off` registers no schedule. */
  @Matches(new RegExp(`${CRON.source}|^off$`), { message: "must be a 5-field cron expression or 'off'" })
  RECONCILIATION_CRON = '0 2 * * *';

  /** A saga still open after this many minutes is a lineage break. */
  @IsInt()
  @Min(1)
  SAGA_SLA_MINUTES = 24 * 60;

  /** An exception still open after this many minutes is a lineage break. */
  @IsInt()
  @Min(1)
  EXCEPTION_SLA_MINUTES = 24 * 60;

  /** How long a system API export may take before the run fails. */
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  RECONCILIATION_HTTP_TIMEOUT_MS = 600_000;
}
