import { IsInt, IsString, Length, Max, Min } from 'class-validator';

/** The sagas' settings. */
export class SagasConfig {
  /** How long a saga waits for a confirmation (billing, ERP) before the wait becomes a confirmation_timeout. */
  @IsInt()
  @Min(100)
  SAGA_CONFIRMATION_TIMEOUT_MS = 15 * 60 * 1000;

  /** How often waiting sagas are checked against their deadline. */
  @IsInt()
  @Min(50)
  @Max(600_000)
  SAGA_SWEEP_MS = 10_000;

  /** The largest difference, in minor units, between the billing platform's proration and the engine's. */
  @IsInt()
  @Min(0)
  PRORATION_TOLERANCE_MINOR = 1;

  /** Revline's subsidiary code for ERP records (system-erp maps it to the ERP's subsidiary). */
  @IsString()
  @Length(1, 50)
  ERP_SUBSIDIARY = 'US';
}
