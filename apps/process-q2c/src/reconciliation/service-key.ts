import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { ApiKeys } from '@revline/auth';
import { ReconciliationConfig } from './reconciliation.config';

/**
 * Registers SERVICE_API_KEY, the key process-q2c shows the system APIs, as a finance.viewer key in the shared key
 * table (insert-or-ignore, like the bootstrap admin key): reads only, nothing more. The key an earlier value of
 * SERVICE_API_KEY registered is revoked at start (ApiKeys.registerConfigured).
 */
@Injectable()
export class ServiceApiKey implements OnApplicationBootstrap {
  private readonly logger = new Logger(ServiceApiKey.name);

  constructor(
    private readonly keys: ApiKeys,
    private readonly config: ReconciliationConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.SERVICE_API_KEY;
    if (!key) {
      this.logger.warn('SERVICE_API_KEY is not set: reconciliation runs cannot read the system APIs');
      return;
    }
    await this.keys.registerConfigured(key, {
      variable: 'SERVICE_API_KEY',
      name: 'process-q2c service',
      roles: ['finance.viewer'],
      createdBy: 'bootstrap',
      owner: 'service:process-q2c',
    });
  }
}
