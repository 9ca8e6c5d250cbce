import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RevenueRunsConfig } from '../../revenue-runs/revenue-runs.config';
import { SagasConfig } from '../../shared/sagas.config';
import type { SagaContext } from '../erp-plan';
import { documentCommands } from '../erp-plan';
import { SagaCommands } from '../saga-commands';
import type { SagaEntity } from '../saga.entity';
import { SagasRepository } from '../sagas.repository';
import { RevenueStep } from './revenue.step';
import { SagaStepHandler } from './saga-step';

/**
 * The ERP invoices and credit memos of the billing documents the saga took in and the ERP does not hold yet (under
 * period close, an invoice carrying the saga's revenue plan).
 */
@Injectable()
export class ErpDocumentsStep extends SagaStepHandler {
  constructor(
    private readonly commands: SagaCommands,
    private readonly sagas: SagasRepository,
    private readonly config: SagasConfig,
    private readonly posting: RevenueRunsConfig,
    private readonly revenue: RevenueStep,
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
    // Under period close the revenue plan rides on the saga's invoice: computed now, sent with the documents.
    if (
      this.posting.REVENUE_POSTING === 'period_close' &&
      planned.some((c) => c.job === 'erp.post-invoice')
    ) {
      saga.data.revenueWithDocuments = true;
      await this.revenue.send(manager, saga, ctx, planned);
      return true;
    }
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
