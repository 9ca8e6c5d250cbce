import { Injectable } from '@nestjs/common';
import type { BillingDocumentPayload, BillingPaymentReceivedPayload } from '@revline/messaging';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import { flushClaims, transactionWrites } from '../lineage/lineage-recorder';

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

export type BillingDocumentKind = 'invoice' | 'credit_note';

/**
 * The billing documents the billing platform issued, kept until a saga claims them: a document may come before the
 * saga waiting for it reaches its wait. The lookups of an unclaimed document lock its row for the claiming saga.
 */
@Injectable()
export class BillingDocumentsRepository {
  /** The documents a transaction stored, by id, as stored: a saga taking one in the same transaction reads it here. */
  private readonly stored = new WeakMap<EntityManager, Map<string, BillingDocumentPayload>>();

  /**
   * Keeps a document (a redelivery keeps the first), in the statement that first takes the billing customer's lock
   * (see billingCustomerLock): the lock is held before the row is written, and before anything after looks.
   */
  async store(manager: EntityManager, kind: BillingDocumentKind, doc: BillingDocumentPayload): Promise<void> {
    const json = JSON.stringify(doc);
    const { rowCount } = await prepared(
      manager,
      `INSERT INTO "q2c"."billing_documents" ("document_id", "kind", "customer_id", "subscription_id", "payload")
       SELECT $1::text, $2::text, $3::text, $4::text, $5::jsonb
         FROM (SELECT pg_advisory_xact_lock(hashtext($6::text))) AS "locked"
       ON CONFLICT ("document_id") DO NOTHING`,
      [
        doc.documentId,
        kind,
        doc.customerId,
        doc.subscriptionId ?? null,
        json,
        billingCustomerLockKey(doc.customerId),
      ],
    );
    if (rowCount !== 1 || !manager.queryRunner?.isTransactionActive) return;
    let byId = this.stored.get(manager);
    if (!byId) this.stored.set(manager, (byId = new Map<string, BillingDocumentPayload>()));
    // As read back from the row (the JSON it holds), not the message's object.
    byId.set(doc.documentId, JSON.parse(json) as BillingDocumentPayload);
  }

  /** Keeps a payment the billing platform received (a redelivery keeps the first). */
  async storePayment(manager: EntityManager, p: BillingPaymentReceivedPayload): Promise<void> {
    await manager.query(
      `INSERT INTO "q2c"."billing_documents" ("document_id", "kind", "customer_id", "payload")
       VALUES ($1, 'payment', $2, $3) ON CONFLICT ("document_id") DO NOTHING`,
      [p.paymentId, p.customerId, JSON.stringify(p)],
    );
  }

  async payload(manager: EntityManager, documentId: string): Promise<BillingDocumentPayload | null> {
    const kept = this.stored.get(manager)?.get(documentId);
    if (kept) return kept;
    const { rows } = await prepared<{ payload: BillingDocumentPayload }>(
      manager,
      `SELECT "payload" FROM "q2c"."billing_documents" WHERE "document_id" = $1`,
      [documentId],
    );
    return rows.at(0)?.payload ?? null;
  }

  /**
   * The unclaimed invoice of the subscription's period starting on `from` (a line of that period that is not a
   * proration), other than `except`: a renewal's invoice, issued when the billing platform's clock reaches the date.
   */
  async unclaimedPeriodInvoice(
    manager: EntityManager,
    subscriptionId: string,
    from: string,
    except: string,
  ): Promise<string | null> {
    await flushClaims(manager);
    const rows = await manager.query<Array<{ document_id: string }>>(
      `SELECT "document_id" FROM "q2c"."billing_documents"
        WHERE "kind" = 'invoice' AND "subscription_id" = $1 AND "saga_id" IS NULL AND "document_id" <> $3
          AND EXISTS (SELECT 1 FROM jsonb_array_elements("payload"->'lines') AS l
                       WHERE l->>'periodStart' = $2 AND NOT (l->>'proration')::boolean)
        ORDER BY "received_at" LIMIT 1 FOR UPDATE`,
      [subscriptionId, from, except],
    );
    return rows.at(0)?.document_id ?? null;
  }

  /**
   * The first unclaimed invoice of the subscription issued on or after `dueOn` with a line on a price not in
   * `meteredPriceIds` (a usage invoice, every line metered, is the usage booking's).
   */
  async unclaimedInvoiceFrom(
    manager: EntityManager,
    subscriptionId: string,
    dueOn: string,
    meteredPriceIds: readonly string[],
  ): Promise<BillingDocumentPayload | null> {
    await flushClaims(manager);
    const rows = await manager.query<Array<{ payload: BillingDocumentPayload }>>(
      `SELECT "payload" FROM "q2c"."billing_documents"
        WHERE "kind" = 'invoice' AND "subscription_id" = $1 AND "saga_id" IS NULL AND "payload"->>'issuedOn' >= $2
          AND EXISTS (SELECT 1 FROM jsonb_array_elements("payload"->'lines') l
                       WHERE coalesce(l->>'priceId', '') <> ALL($3::text[]))
        ORDER BY "payload"->>'issuedOn', "received_at" LIMIT 1 FOR UPDATE`,
      [subscriptionId, dueOn, meteredPriceIds],
    );
    return rows.at(0)?.payload ?? null;
  }

  /** Every invoice of the subscription, claimed or not, in the order they came. */
  async invoicesOf(manager: EntityManager, subscriptionId: string): Promise<BillingDocumentPayload[]> {
    await flushClaims(manager);
    const rows = await manager.query<Array<{ payload: BillingDocumentPayload }>>(
      `SELECT "payload" FROM "q2c"."billing_documents"
        WHERE "kind" = 'invoice' AND "subscription_id" = $1 ORDER BY "received_at"`,
      [subscriptionId],
    );
    return rows.map((r) => r.payload);
  }

  /** The first unclaimed credit note of the customer for exactly `amountMinor`. */
  async unclaimedCreditNote(
    manager: EntityManager,
    customerId: string,
    amountMinor: string,
  ): Promise<BillingDocumentPayload | null> {
    await flushClaims(manager);
    const rows = await manager.query<Array<{ payload: BillingDocumentPayload }>>(
      `SELECT "payload" FROM "q2c"."billing_documents"
        WHERE "kind" = 'credit_note' AND "customer_id" = $1 AND "saga_id" IS NULL
          AND "payload"->'total'->>'amountMinor' = $2
        ORDER BY "received_at" LIMIT 1 FOR UPDATE`,
      [customerId, amountMinor],
    );
    return rows.at(0)?.payload ?? null;
  }

  /** Ties a document to the saga that takes it in (inside a lineage batch, in the batch's statement at its end). */
  async claim(manager: EntityManager, documentId: string, sagaId: string): Promise<void> {
    const writes = transactionWrites(manager);
    if (writes) {
      writes.claims.set(documentId, sagaId);
      return;
    }
    await prepared(manager, `UPDATE "q2c"."billing_documents" SET "saga_id" = $2 WHERE "document_id" = $1`, [
      documentId,
      sagaId,
    ]);
  }
}
