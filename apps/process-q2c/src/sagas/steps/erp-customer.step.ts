import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SagasConfig } from '../../shared/sagas.config';
import { erpCustomerExternalId } from '../customer-plan';
import type { SagaContext } from '../erp-plan';
import { customerCommand } from '../erp-plan';
import { SagaCommands } from '../saga-commands';
import type { SagaEntity } from '../saga.entity';
import { SagaStepHandler } from './saga-step';

/** A booking's ERP customer: upserted unless the account already names it. */
@Injectable()
export class ErpCustomerStep extends SagaStepHandler {
  constructor(
    private readonly commands: SagaCommands,
    private readonly config: SagasConfig,
  ) {
    super();
  }

  async run(manager: EntityManager, saga: SagaEntity, ctx: SagaContext): Promise<boolean> {
    const command = customerCommand(saga, ctx, this.config.ERP_SUBSIDIARY);
    saga.data.erpCustomerExternalId = erpCustomerExternalId(
      ctx.history.booking.customer,
      saga.data.salesforceAccountId,
    );
    if (command) await this.commands.sendPlanned(manager, saga, command);
    return true;
  }
}
