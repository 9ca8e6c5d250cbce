import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { ApiKeys } from '@revline/auth';
import { ProcessQ2cConfig } from './process-q2c.config';

/**
 * Registers PROCESS_Q2C_API_KEY (role finance.operator) in the shared key store at start, the way the bootstrap
 * admin key is: inserted once by its hash, never changed afterwards, so revoking it through /v1/api-keys sticks;
 * the key an earlier value of the variable registered is revoked at start (ApiKeys.registerConfigured).
 */
@Injectable()
export class ServiceKeyRegistration implements OnApplicationBootstrap {
  private readonly logger = new Logger(ServiceKeyRegistration.name);

  constructor(
    private readonly keys: ApiKeys,
    private readonly config: ProcessQ2cConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.PROCESS_Q2C_API_KEY;
    if (!key) {
      this.logger.warn('PROCESS_Q2C_API_KEY is not set: the routes that call process-q2c will answer 503');
      return;
    }
    await this.keys.registerConfigured(key, {
      variable: 'PROCESS_Q2C_API_KEY',
      name: 'experience-finance (service)',
      roles: ['finance.operator'],
      createdBy: 'experience-finance',
      owner: 'service:experience-finance',
    });
  }
}
