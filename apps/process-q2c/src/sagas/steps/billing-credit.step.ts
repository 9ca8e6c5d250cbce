import { Injectable } from '@nestjs/common';
import { BusinessError } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { BillingDocumentsRepository } from '../billing-documents.repository';
import { sagaKey } from '../erp-plan';
import { SagaCommands } from '../saga-commands';
import { retriesOf, retryKey } from '../saga-retries';
import type { SagaEntity } from '../saga.entity';
import type { LazySagaContext } from './saga-step';
import { SagaStepHandler } from './saga-step';

/**
 * A reduction's or cancellation's credit, asked of the billing platform on the first invoice line of the
 * subscription that can carry it. Not awaited as a command: the credit note it raises is (await_credit_note).
 */
@Injectable()
export class BillingCreditStep extends SagaStepHandler {
  constructor(
    private readonly documents: BillingDocumentsRepository,
    private readonly commands: SagaCommands,
  ) {
    super();
  }

  async run(manager: EntityManager, saga: SagaEntity, context: LazySagaContext): Promise<boolean> {
    const ctx = await context();
    const credit = BigInt(saga.data.awaitingCreditMinor ?? '0');
    if (credit <= 0n) {
      saga.data.awaitingCreditMinor = undefined;
      return true;
    }
    const invoices = await this.documents.invoicesOf(manager, saga.data.subscriptionId ?? '');
    const line = invoices
      .flatMap((invoice) => invoice.lines.map((l) => ({ invoiceId: invoice.documentId, line: l })))
      .find((l) => BigInt(l.line.amount.amountMinor) >= credit);
    if (!line) {
      throw new BusinessError(
        'no_invoice_to_credit',
        `No invoice line of subscription ${saga.data.subscriptionId ?? '(none)'} can carry a credit of ${credit.toString()} minor units`,
        { contractId: saga.contractId },
      );
    }
    await this.commands.send(
      manager,
      saga,
      'billing.issue-credit',
      {
        invoiceId: line.invoiceId,
        reason: 'order_change',
        lines: [
          {
            invoiceLineId: line.line.lineId,
            amount: { amountMinor: credit.toString(), currency: ctx.history.booking.currency },
          },
        ],
      },
      {
        key: retryKey(sagaKey(saga.eventId, 'credit'), retriesOf(saga, 'billing_credit')),
        awaited: false,
        detail: `credit ${credit.toString()} on ${line.invoiceId}`,
      },
    );
    saga.data.creditAppliesTo = line.invoiceId;
    return true;
  }
}
