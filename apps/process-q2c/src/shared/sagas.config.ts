import { IsIn, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { FiscalCalendarConfig } from './fiscal-calendar.config';

/** The sagas' settings, with the fiscal calendar their revenue plans compute schedules on. */
export class SagasConfig extends FiscalCalendarConfig {
  /** How long a saga waits for a confirmation (billing, ERP) before the wait becomes a confirmation_timeout. */
  @IsInt()
  @Min(100)
  SAGA_CONFIRMATION_TIMEOUT_MS = 15 * 60 * 1000;

  /** How often waiting sagas are checked against their deadline. */
  @IsInt()
  @Min(50)
  @Max(600_000)
  SAGA_SWEEP_MS = 10_000;

  /**
   * How long a ramp step waits, from its date, for the billing platform's invoice of the new phase before the wait
   * becomes a confirmation_timeout (Stripe finalises a new period's invoice about an hour after the period starts).
   */
  @IsInt()
  @Min(1_000)
  RAMP_INVOICE_WAIT_MS = 24 * 3600 * 1000;

  /** The largest difference, in minor units, between the billing platform's proration and the engine's. */
  @IsInt()
  @Min(0)
  PRORATION_TOLERANCE_MINOR = 1;

  /** Revline's subsidiary code for ERP records (system-erp maps it to the ERP's subsidiary). */
  @IsString()
  @Length(1, 50)
  ERP_SUBSIDIARY = 'US';

  /**
   * How an ERP invoice is reversed when the billing platform voids it (or marks it uncollectible): always by a
   * credit memo made from it, dated `void` on the invoice's own date (its period nets to nothing, as a void would)
   * or `credit` on the day billing voided it (the invoice's period stands, the reversal falls in the void's).
   */
  @IsIn(['void', 'credit'])
  ERP_INVOICE_VOID_AS: 'void' | 'credit' = 'void';
}
