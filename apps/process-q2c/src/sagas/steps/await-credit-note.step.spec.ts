import type { BillingDocumentPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { describe, expect, it, vi } from 'vitest';
import type { BillingDocumentsRepository } from '../billing-documents.repository';
import { SagaEntity } from '../saga.entity';
import { AwaitCreditNoteStep } from './await-credit-note.step';
import type { BillingDocumentClaims } from './document-claims';

const manager = {} as EntityManager;
const note = {
  documentId: 'cn_1',
  total: { amountMinor: '5000', currency: 'USD' },
} as BillingDocumentPayload;

function stepWith(found: BillingDocumentPayload | null) {
  const unclaimedCreditNote = vi.fn(() => Promise.resolve(found));
  const take = vi.fn(() => Promise.resolve());
  const step = new AwaitCreditNoteStep(
    { unclaimedCreditNote } as unknown as BillingDocumentsRepository,
    { take } as unknown as BillingDocumentClaims,
  );
  return { step, unclaimedCreditNote, take };
}

const creditSaga = (awaitingCreditMinor?: string) =>
  Object.assign(new SagaEntity(), {
    sagaId: 's-1',
    contractId: 'C-1',
    kind: 'reduction',
    data: {
      salesforceOrderId: 'O-1',
      salesforceAccountId: 'A-1',
      currency: 'USD',
      pending: [],
      invoices: [],
      creditNotes: [],
      billingCustomerId: 'cus_1',
      ...(awaitingCreditMinor === undefined ? {} : { awaitingCreditMinor }),
    },
  });

describe('AwaitCreditNoteStep', () => {
  it("takes in the customer's credit note of the amount the saga asked for", async () => {
    const { step, unclaimedCreditNote, take } = stepWith(note);
    const saga = creditSaga('5000');
    expect(await step.run(manager, saga)).toBe(true);
    expect(unclaimedCreditNote).toHaveBeenCalledWith(manager, 'cus_1', '5000');
    expect(take).toHaveBeenCalledWith(manager, saga, note, 'credit_note');
    expect(saga.data.awaitingCreditMinor).toBeUndefined();
  });

  it('waits while the credit note has not come', async () => {
    const { step, take } = stepWith(null);
    const saga = creditSaga('5000');
    expect(await step.run(manager, saga)).toBe(false);
    expect(take).not.toHaveBeenCalled();
    expect(saga.data.awaitingCreditMinor).toBe('5000');
  });

  it('has nothing to wait for when no credit was asked for', async () => {
    const { step, unclaimedCreditNote } = stepWith(note);
    expect(await step.run(manager, creditSaga())).toBe(true);
    expect(unclaimedCreditNote).not.toHaveBeenCalled();
  });
});
