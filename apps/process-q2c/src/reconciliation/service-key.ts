import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { ApiKeyEntity, hashApiKey } from '@revline/auth';
import { DataSource } from 'typeorm';
import { ReconciliationConfig } from './reconciliation.config';

/**
 * Registers SERVICE_API_KEY, the key process-q2c shows the system APIs, as a finance.viewer key in the shared key
 * table (insert-or-ignore, like the bootstrap admin key): reads only, nothing more.
 */
@Injectable()
export class ServiceApiKey implements OnApplicationBootstrap {
  private readonly logger = new Logger(ServiceApiKey.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ReconciliationConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.SERVICE_API_KEY;
    if (!key) {
      this.logger.warn('SERVICE_API_KEY is not set: reconciliation runs cannot read the system APIs');
      return;
    }
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(ApiKeyEntity)
      .values({
        name: 'process-q2c service',
        prefix: key.slice(0, 8),
        keyHash: hashApiKey(key),
        roles: ['finance.viewer'],
        createdBy: 'bootstrap',
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    if ((result.raw as unknown[]).length > 0) this.logger.log('Registered the process-q2c service API key');
  }
}
