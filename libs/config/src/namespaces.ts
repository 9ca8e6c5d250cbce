import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { Secret } from './secret.decorator';

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s]+$/;
const REDIS_URL = /^rediss?:\/\/[^\s]+$/;
/** IPv4 or IPv6 addresses, each with an optional /prefix, comma-separated; or nothing. */
const TRUSTED_PROXIES = /^$|^\s*[0-9a-fA-F:.]+(\/\d{1,3})?\s*(,\s*[0-9a-fA-F:.]+(\/\d{1,3})?\s*)*$/;

export class DatabaseConfig {
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/revline';

  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /**
   * Postgres's plan_cache_mode for the apps' connections (sent at connect); empty leaves the server's. It governs
   * every parameterised statement; the reason for the default is the named prepared statements every message runs,
   * whose array parameters make each custom plan look cheaper than the generic one, so that Postgres would plan
   * them again on every call.
   */
  @IsIn(['', 'auto', 'force_generic_plan', 'force_custom_plan'])
  DATABASE_PLAN_CACHE_MODE = 'force_generic_plan';
}

export class RedisConfig {
  @Matches(REDIS_URL, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** A prefix for every queue key, so several environments can share one Redis. */
  @Matches(/^[a-z0-9-]{1,32}$/, { message: 'must be 1-32 lowercase letters, digits or dashes' })
  QUEUE_PREFIX = 'revline';
}

/** The queue dashboard (bull-board at /admin/queues). */
export class QueueDashboardConfig {
  /**
   * Owners (comma-separated, as keys name them) whose integration.admin keys may act on the dashboard (retry,
   * promote, clean, remove jobs), each action audited; every other admin sees it read-only. Empty: read-only for all.
   */
  @Matches(/^[\w .@:+,-]*$/, {
    message: 'must be owners (letters, digits, spaces, . @ : + - _) separated by commas',
  })
  QUEUE_DASHBOARD_ACTORS = '';

  /** How long a dashboard session lasts after sign-in, in minutes. */
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  QUEUE_DASHBOARD_SESSION_MINUTES = 60;
}

export class HttpConfig {
  @IsString()
  HOST = '0.0.0.0';

  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** Requests a minute for one API key (and for one client address on a public route), in every instance. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 3_000;

  /** Requests a minute from one client address that bring no key, or an unknown or revoked one. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE = 60;

  /** Exports (CSV files) a minute for one API key, on top of its general budget. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_EXPORTS_PER_MINUTE = 20;

  /** Reconciliation runs started a minute by one API key, on top of its general budget. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_RECONCILIATION_STARTS_PER_MINUTE = 6;

  /**
   * The proxies trusted to name the client in `X-Forwarded-For`: addresses or CIDR ranges, comma-separated
   * (`10.0.0.0/8,127.0.0.1`). Empty (the default): none, the client is the connection's peer.
   */
  @Matches(TRUSTED_PROXIES, { message: 'must be IP addresses or CIDR ranges, comma-separated' })
  TRUSTED_PROXIES = '';

  /** The trusted proxies as Fastify's `trustProxy` takes them: false for none. */
  trustedProxies(): string[] | false {
    const list = this.TRUSTED_PROXIES.split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    return list.length > 0 ? list : false;
  }
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

/**
 * The company this deployment serves. Revline runs one deployment per company (its own databases, Redis prefix and
 * keys); every job envelope carries this tenant id, and a job of another tenant is refused before any handler sees it.
 */
export class TenantConfig {
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'must be 1-64 lowercase letters, digits or dashes' })
  TENANT_ID = 'default';
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

  /** An unpublished outbox row older than this many seconds counts in the backlog (gauge and readiness). */
  @IsInt()
  @Min(1)
  OUTBOX_BACKLOG_AGE_SECONDS = 60;

  /** Readiness reports the app down (degraded) while its outbox backlog holds more rows than this. */
  @IsInt()
  @Min(1)
  OUTBOX_BACKLOG_READY_MAX = 1_000;

  /**
   * A published outbox row its consumer has not confirmed within this many seconds is checked against Redis: a job
   * Redis no longer holds is queued again under the same job id (the consumer's inbox drops a repeat).
   */
  @IsInt()
  @Min(1)
  OUTBOX_REDELIVER_AFTER_SECONDS = 120;

  /**
   * At shutdown, how long the workers wait for the jobs in hand before the shutdown goes on without them: a job still
   * running then is picked up again as stalled by another instance, as after a kill. Keep it under the orchestrator's
   * grace period.
   */
  @IsInt()
  @Min(0)
  WORKER_SHUTDOWN_GRACE_MS = 20_000;
}

/**
 * How long rows kept only for deduplication and history live: each kind is pruned in batches once older than its
 * window. An outbox row is pruned only once delivered; the inbox outlives the re-drive window by days at least.
 */
export class RetentionConfig {
  @IsBoolean()
  RETENTION_ENABLED = true;

  /** Delivered outbox rows, by their delivery (an undelivered row is never pruned). */
  @IsInt()
  @Min(1)
  RETENTION_OUTBOX_DAYS = 30;

  /** Inbox rows, the consumers' record of what they applied: a re-drive older than this would apply again. */
  @IsInt()
  @Min(7)
  RETENTION_INBOX_DAYS = 90;

  /**
   * Processed webhook events, their deduplication: longer than Stripe retries a webhook (three days) and lists
   * events to the poller (30 days).
   */
  @IsInt()
  @Min(31)
  RETENTION_WEBHOOK_DAYS = 90;

  /** Lineage hops, by when they were recorded. */
  @IsInt()
  @Min(30)
  RETENTION_LINEAGE_DAYS = 400;

  /** Rows one statement deletes. */
  @IsInt()
  @Min(100)
  @Max(100_000)
  RETENTION_BATCH_ROWS = 5_000;

  /** The pause between prunes that found nothing more to delete. */
  @IsInt()
  @Min(1)
  RETENTION_INTERVAL_SECONDS = 3_600;
}
