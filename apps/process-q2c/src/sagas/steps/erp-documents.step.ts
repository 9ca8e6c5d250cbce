import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SagasConfig } from '../../shared/sagas.config';
import type { SagaContext } from '../erp-plan';
import { documentCommands } from '../erp-plan';
import { SagaCommands } from '../saga-commands';
import type { SagaEntity } from '../saga.entity';
import { SagasRepository } from '../sagas.repository';
import { SagaStepHandler } from './saga-step';

/** The ERP invoices and credit memos of the billing documents the saga took in and the ERP does not hold yet. */
@Injectable()
export class ErpDocumentsStep extends SagaStepHandler {
  constructor(
    private readonly commands: SagaCommands,
    private readonly sagas: SagasRepository,
    private readonly config: SagasConfig,
  ) {
    super();
  }

  async run(manager: EntityManager, saga: SagaEntity, ctx: SagaContext): Promise<boolean> {
    const customerExternalId = await this.erpCustomerOf(manager, saga);
    const planned = documentCommands(
      saga,
      ctx,
      customerExternalId,
      this.config.ERP_SUBSIDIARY,
      (d) => !d.erpId,
    );
    for (const command of planned) await this.commands.sendPlanned(manager, saga, command);
    return true;
  }

  /** The ERP customer of the contract: this saga's, or the one its booking's saga created. */
  private async erpCustomerOf(manager: EntityManager, saga: SagaEntity): Promise<string> {
    if (saga.data.erpCustomerExternalId) return saga.data.erpCustomerExternalId;
    const id =
      (await this.sagas.bookingErpCustomer(manager, saga.contractId)) ??
      `CUST-${saga.data.salesforceAccountId}`;
    saga.data.erpCustomerExternalId = id;
    return id;
  }
}
