import { Secret } from '@revline/config';
import { IsInt, IsOptional, Matches, Max, Min, MinLength } from 'class-validator';

/** How experience-finance reaches the process API (process-q2c). */
export class ProcessQ2cConfig {
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?(\/[^\s]*)?$/, { message: 'must be an http(s) URL' })
  PROCESS_Q2C_URL = 'http://127.0.0.1:3001';

  /**
   * The API key experience-finance presents to process-q2c (role finance.operator). At start it is registered in
   * the shared key store when no key with its hash exists yet (a revoked one stays revoked). Without it every
   * route that needs process-q2c answers 503.
   */
  @IsOptional()
  @Secret({ minLength: 32 })
  @MinLength(24, { message: 'must be at least 24 characters' })
  PROCESS_Q2C_API_KEY?: string = undefined;

  /** Per request to process-q2c. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  PROCESS_Q2C_TIMEOUT_MS = 10_000;

  /** Retries of a read (GET) that failed on the network, timed out, or got 502/503/504; writes are not retried. */
  @IsInt()
  @Min(0)
  @Max(10)
  PROCESS_Q2C_RETRIES = 2;

  /** Base of the exponential backoff (with jitter) between retries. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  PROCESS_Q2C_RETRY_BACKOFF_MS = 100;
}
