import { Injectable } from '@nestjs/common';
import type { BillingDocumentPayload } from '@revline/messaging';
import { BusinessError } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { SagasConfig } from '../../shared/sagas.config';
import { BillingDocumentsRepository } from '../billing-documents.repository';
import { chargedWithoutUsage } from '../billing-plan';
import type { SagaContext } from '../erp-plan';
import type { SagaEntity } from '../saga.entity';
import { BillingDocumentClaims } from './document-claims';
import type { LazySagaContext } from './saga-step';
import { SagaStepHandler } from './saga-step';

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/** What the checked invoice charged for: an amendment's proration or renewal term, or a booking's first stub. */
function chargeLabel(ctx: SagaContext): string {
  const am = ctx.amendment;
  if (!am) return `invoiced the stub to the bill-cycle day of booking ${ctx.history.booking.contractId}`;
  const what = am.amendmentType === 'renewal' ? 'invoiced the renewal term of' : 'prorated';
  return `${what} ${am.amendmentType} ${am.amendmentId}`;
}

/**
 * The invoices a charge waits for: the one its billing change raised, and for a renewal the invoice of the period
 * starting on the renewal date. A renewal on time has only the latter; one applied after its date has both (the
 * period was invoiced at the old prices, the change prorates the difference), and together they bill the term.
 * An amendment's invoices, and a booking's first invoice when its bill-cycle day makes it a stub, must bill what the
 * engine expected, within the tolerance.
 */
@Injectable()
export class AwaitInvoiceStep extends SagaStepHandler {
  constructor(
    private readonly documents: BillingDocumentsRepository,
    private readonly claims: BillingDocumentClaims,
    private readonly config: SagasConfig,
  ) {
    super();
  }

  async run(manager: EntityManager, saga: SagaEntity, context: LazySagaContext): Promise<boolean> {
    const renewalFrom = saga.data.awaitingRenewalFrom;
    const ids: string[] = saga.data.awaitingInvoiceId ? [saga.data.awaitingInvoiceId] : [];
    if (renewalFrom !== undefined) {
      // The renewal's invoice, issued when the billing platform's clock reaches the renewal date, not yet claimed.
      const period = await this.documents.unclaimedPeriodInvoice(
        manager,
        saga.data.subscriptionId ?? '',
        renewalFrom,
        saga.data.awaitingInvoiceId ?? '',
      );
      if (!period) return false;
      ids.push(period);
    }
    if (ids.length === 0) return true;
    const invoices: BillingDocumentPayload[] = [];
    for (const id of ids) {
      const invoice = await this.documents.payload(manager, id);
      if (!invoice) return false;
      invoices.push(invoice);
    }
    if (saga.data.expectedProrationMinor !== undefined) {
      // The contract's history only now: a saga still waiting for its invoice needs none.
      const ctx = await context();
      const expected = BigInt(saga.data.expectedProrationMinor);
      const billed = chargedWithoutUsage(invoices, ctx.catalogue);
      saga.data.billedProrationMinor = billed.toString();
      if (abs(billed - expected) > BigInt(this.config.PRORATION_TOLERANCE_MINOR)) {
        throw new BusinessError(
          'proration_mismatch',
          `The billing platform ${chargeLabel(ctx)} at ${billed.toString()} ${ctx.history.booking.currency} minor units (${ids.join(', ')}); the engine expected ${expected.toString()} (tolerance ${String(this.config.PRORATION_TOLERANCE_MINOR)})`,
          {
            contractId: saga.contractId,
            invoiceId: ids.join(','),
            expectedMinor: expected.toString(),
            billedMinor: billed.toString(),
          },
        );
      }
    }
    for (const invoice of invoices) await this.claims.take(manager, saga, invoice, 'invoice');
    saga.data.awaitingInvoiceId = undefined;
    saga.data.awaitingRenewalFrom = undefined;
    return true;
  }
}
