import { IsInt, Max, Min } from 'class-validator';

/** process-q2c's own settings. */
export class Q2cConfig {
  /** How long the orders-validate route may use a cached mapping version before checking for a newer one. */
  @IsInt()
  @Min(0)
  @Max(300_000)
  MAPPING_CACHE_TTL_MS = 5_000;

  /** How often parked messages are swept: released ones re-enqueued, expired ones turned into exceptions. */
  @IsInt()
  @Min(50)
  @Max(600_000)
  PARKED_SWEEP_MS = 5_000;

  /** How long a message may wait for what it depends on before it becomes an exception. */
  @IsInt()
  @Min(1_000)
  PARKED_TIMEOUT_MS = 24 * 3600 * 1000;
}
