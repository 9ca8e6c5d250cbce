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
import { ConnectionAlerts, RedisConnections } from '@revline/messaging';
import { readEvictionPolicy } from '@revline/observability';
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
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: Postgres, and Redis with its eviction policy, where the app uses them; degraded while a vendor connection is down',
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

  private async redisCheck(redis: RedisConnections) {
    const session = this.indicators.check('redis');
    try {
      const client = await redis.producer();
      await client.ping();
      const policy = await readEvictionPolicy(client);
      return policy === 'noeviction'
        ? session.up({ maxmemoryPolicy: policy })
        : session.down({ maxmemoryPolicy: policy });
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }
}
