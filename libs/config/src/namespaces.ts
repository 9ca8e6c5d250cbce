import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { Secret } from './secret.decorator';

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s]+$/;
const REDIS_URL = /^rediss?:\/\/[^\s]+$/;

export class DatabaseConfig {
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/revline';

  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;
}

export class RedisConfig {
  @Matches(REDIS_URL, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** A prefix for every queue key, so several environments can share one Redis. */
  @Matches(/^[a-z0-9-]{1,32}$/, { message: 'must be 1-32 lowercase letters, digits or dashes' })
  QUEUE_PREFIX = 'revline';
}

export class HttpConfig {
  @IsString()
  HOST = '0.0.0.0';

  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 120_000;
}

export class AuthConfig {
  @IsOptional()
  @Secret({ minLength: 32 })
  @MinLength(24, { message: 'must be at least 24 characters' })
  BOOTSTRAP_ADMIN_API_KEY?: string = undefined;
}

export class LogConfig {
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}

export class WorkerConfig {
  @IsInt()
  @Min(1)
  @Max(1000)
  WORKER_CONCURRENCY = 16;

  @IsInt()
  @Min(1)
  @Max(50)
  JOB_ATTEMPTS = 8;

  @IsInt()
  @Min(10)
  JOB_BACKOFF_BASE_MS = 500;

  @IsInt()
  @Min(1000)
  JOB_LOCK_DURATION_MS = 30_000;

  @IsInt()
  @Min(10)
  OUTBOX_POLL_MS = 50;
}
