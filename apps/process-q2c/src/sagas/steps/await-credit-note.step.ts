import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BillingDocumentsRepository } from '../billing-documents.repository';
import type { SagaEntity } from '../saga.entity';
import { BillingDocumentClaims } from './document-claims';
import { SagaStepHandler } from './saga-step';

/** The credit note of the credit asked for: the customer's first unclaimed one of exactly that amount. */
@Injectable()
export class AwaitCreditNoteStep extends SagaStepHandler {
  constructor(
    private readonly documents: BillingDocumentsRepository,
    private readonly claims: BillingDocumentClaims,
  ) {
    super();
  }

  async run(manager: EntityManager, saga: SagaEntity): Promise<boolean> {
    const amount = saga.data.awaitingCreditMinor;
    if (amount === undefined) return true;
    const note = await this.documents.unclaimedCreditNote(manager, saga.data.billingCustomerId ?? '', amount);
    if (!note) return false;
    await this.claims.take(manager, saga, note, 'credit_note');
    saga.data.awaitingCreditMinor = undefined;
    return true;
  }
}
