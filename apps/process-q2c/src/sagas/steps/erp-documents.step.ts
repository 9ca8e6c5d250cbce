import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RevenueRunsConfig } from '../../revenue-runs/revenue-runs.config';
import { SagasConfig } from '../../shared/sagas.config';
import { erpCustomerExternalId } from '../customer-plan';
import type { PlannedCommand, SagaContext } from '../erp-plan';
import { customerCommand, documentCommands, withCustomer } from '../erp-plan';
import { SagaCommands } from '../saga-commands';
import type { SagaEntity } from '../saga.entity';
import { SagasRepository } from '../sagas.repository';
import { RevenueStep } from './revenue.step';
import type { LazySagaContext } from './saga-step';
import { SagaStepHandler } from './saga-step';

/**
 * The ERP invoices and credit memos of the billing documents the saga took in and the ERP does not hold yet (under
 * period close, an invoice carrying the saga's revenue plan; for a booking whose account the ERP does not hold, an
 * invoice carrying the customer too).
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

  async run(manager: EntityManager, saga: SagaEntity, context: LazySagaContext): Promise<boolean> {
    const ctx = await context();
    const customer = saga.kind === 'booking' ? this.bookingCustomer(saga, ctx) : null;
    const customerExternalId = await this.erpCustomerOf(manager, saga);
    let planned = documentCommands(
      saga,
      ctx,
      customerExternalId,
      this.config.ERP_SUBSIDIARY,
      (d) => !d.erpId,
    );
    if (customer) {
      const carrying = withCustomer(planned, customer);
      if (!carrying) {
        // No invoice to carry it: the customer first, then (this step again) the documents.
        await this.commands.sendPlanned(manager, saga, customer);
        return false;
      }
      planned = carrying;
      const invoice = carrying.find((c) => c.job === 'erp.post-invoice') as PlannedCommand;
      await this.commands.recordParts(manager, saga, [customer], invoice.externalId);
    }
    // Under period close the revenue plan rides on the invoice: computed now, sent with the documents.
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

  /**
   * A booking's ERP customer, named in the saga, and its upsert while the ERP does not hold it (neither the booking
   * nor this saga, which may have posted it on its own, names its ERP id).
   */
  private bookingCustomer(saga: SagaEntity, ctx: SagaContext): ReturnType<typeof customerCommand> {
    saga.data.erpCustomerExternalId = erpCustomerExternalId(
      ctx.history.booking.customer,
      saga.data.salesforceAccountId,
    );
    return saga.data.erpCustomerId ? null : customerCommand(saga, ctx, this.config.ERP_SUBSIDIARY);
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
