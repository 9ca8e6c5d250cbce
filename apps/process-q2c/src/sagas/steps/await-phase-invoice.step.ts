import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SagasConfig } from '../../shared/sagas.config';
import { BillingDocumentsRepository } from '../billing-documents.repository';
import { billingCustomerLock } from '../billing-documents.repository';
import { meteredPriceIds } from '../billing-plan';
import type { SagaEntity } from '../saga.entity';
import { BillingDocumentClaims } from './document-claims';
import { SagaPredecessors } from './predecessors';
import type { LazySagaContext } from './saga-step';
import { SagaStepHandler } from './saga-step';

/**
 * A ramp step's invoice: the first invoice of the subscription issued on or after the step's date that no saga
 * has claimed (Stripe prorates a phase changing the price mid-period, or invoices the period a phase starts).
 * One that came before the saga was started is found in the billing documents; a later one wakes the saga.
 */
@Injectable()
export class AwaitPhaseInvoiceStep extends SagaStepHandler {
  constructor(
    private readonly documents: BillingDocumentsRepository,
    private readonly claims: BillingDocumentClaims,
    private readonly predecessors: SagaPredecessors,
    private readonly config: SagasConfig,
  ) {
    super();
  }

  async run(manager: EntityManager, saga: SagaEntity, context: LazySagaContext): Promise<boolean> {
    const ctx = await context();
    if (!(await this.predecessors.done(manager, saga))) return false;
    const dueOn = ctx.amendment?.effectiveDate ?? ctx.history.booking.termStart;
    // The step is reached outside billing.events (the due job, a predecessor's completion): look under the lock
    // the invoice's handler takes, or an invoice issued meanwhile would find no saga waiting and the saga no invoice.
    if (saga.data.billingCustomerId) await billingCustomerLock(manager, saga.data.billingCustomerId);
    // Not a usage invoice (every line on a metered price): a usage line's month ends on the step's date too, and
    // its invoice is the usage booking's, not the phase's.
    const invoice = await this.documents.unclaimedInvoiceFrom(
      manager,
      saga.data.subscriptionId ?? '',
      dueOn,
      meteredPriceIds(ctx.catalogue),
    );
    if (!invoice) {
      // The platform invoices a phase when its clock reaches it (a new period's invoice about an hour later).
      const from = Math.max(Date.now(), Date.parse(`${dueOn}T00:00:00.000Z`));
      saga.slaDeadline ??= new Date(from + this.config.RAMP_INVOICE_WAIT_MS);
      return false;
    }
    await this.claims.take(manager, saga, invoice, 'invoice');
    return true;
  }
}
