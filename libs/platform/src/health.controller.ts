import { Controller, Get, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { HealthCheckResult, HealthIndicatorFunction } from '@nestjs/terminus';
import { NotRateLimited, Public } from '@revline/auth';
import { WorkerConfig } from '@revline/config';
import { ConnectionAlerts, OutboxRelay, RedisConnections } from '@revline/messaging';
import { readEvictionPolicy, readPersistence } from '@revline/observability';
import { DataSource } from 'typeorm';

@ApiTags('platform')
@Public()
@NotRateLimited()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Optional() private readonly typeorm?: TypeOrmHealthIndicator,
    @Optional() private readonly dataSource?: DataSource,
    @Optional() private readonly redis?: RedisConnections,
    @Optional() private readonly connections?: ConnectionAlerts,
    @Optional() private readonly outbox?: OutboxRelay,
    @Optional() private readonly worker?: WorkerConfig,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: Postgres, and Redis with its eviction policy and persistence, where the app uses them; degraded while a vendor connection is down or the outbox backlog is over OUTBOX_BACKLOG_READY_MAX',
  })
  @ApiOkResponse({ description: 'Ready' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down' })
  readiness(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [];
    if (this.dataSource && this.typeorm) {
      const typeorm = this.typeorm;
      checks.push(() => typeorm.pingCheck('postgres').withTimeout(2_000));
    }
    const redis = this.redis;
    if (redis) checks.push(() => this.redisCheck(redis));
    const { outbox, worker } = this;
    if (outbox && worker) checks.push(() => this.outboxCheck(outbox, worker));
    const connections = this.connections;
    if (connections) checks.push(() => this.connectionsCheck(connections));
    return this.health.check(checks);
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ description: 'Alive' })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Vendor connections found down by the app's jobs (bad credentials, the vendor down): degraded until one works. */
  private connectionsCheck(connections: ConnectionAlerts) {
    const session = this.indicators.check('vendorConnections');
    const outages = connections.outages;
    return outages.length === 0 ? session.up() : session.down({ degraded: true, outages });
  }

  /**
   * Rows the relay has not moved to Redis for OUTBOX_BACKLOG_AGE_SECONDS, or unconfirmed rows the re-drive has not
   * checked for that and OUTBOX_REDELIVER_AFTER_SECONDS: degraded beyond the threshold.
   */
  private async outboxCheck(outbox: OutboxRelay, worker: WorkerConfig) {
    const session = this.indicators.check('outbox');
    try {
      const { count, oldestSeconds, unconfirmed } = await outbox.backlog();
      const details = {
        backlog: count,
        backlogMax: worker.OUTBOX_BACKLOG_READY_MAX,
        olderThanSeconds: worker.OUTBOX_BACKLOG_AGE_SECONDS,
        oldestUnpublishedSeconds: Math.round(oldestSeconds),
        unconfirmed,
      };
      return count > worker.OUTBOX_BACKLOG_READY_MAX
        ? session.down({ degraded: true, ...details })
        : session.up(details);
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }

  /** Up with noeviction; the persistence (AOF, RDB or "not durable") is reported, never a reason to be down. */
  private async redisCheck(redis: RedisConnections) {
    const session = this.indicators.check('redis');
    try {
      const client = await redis.producer();
      await client.ping();
      const policy = await readEvictionPolicy(client);
      const details = { maxmemoryPolicy: policy, persistence: await readPersistence(client) };
      return policy === 'noeviction' ? session.up(details) : session.down(details);
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }
}
