import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';

/**
 * Serialises what touches one billing customer's waits for documents, until the transaction ends: a document
 * arriving (billing.invoice-issued, billing.credit-note-issued) while a saga learns to wait for it is either seen by
 * the saga or sees the saga waiting, never neither. Both sides take it before they look: the message handler before
 * it stores the document and looks for a waiting saga, the saga before it looks for the document — whichever
 * transaction moves the saga (a ramp step's due job starts its saga at the very moment the billing platform invoices
 * the phase).
 */
export async function billingCustomerLock(manager: EntityManager, customerId: string): Promise<void> {
  await prepared(manager, `SELECT pg_advisory_xact_lock(hashtext($1))`, [billingCustomerLockKey(customerId)]);
}

/** The advisory lock's key text (hashed by Postgres's hashtext). */
export function billingCustomerLockKey(customerId: string): string {
  return `q2c-billing-customer:${customerId}`;
}
