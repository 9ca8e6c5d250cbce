import { Injectable } from '@nestjs/common';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import { VoidedInvoiceEntity } from './voided-invoice.entity';
import { flushSagaRows } from '../lineage/lineage-recorder';

export type VoidedInvoice = Omit<VoidedInvoiceEntity, 'receivedAt'>;

/** An ERP invoice Revline posted for a billing invoice: what a void of that billing invoice reverses. */
export interface PostedInvoice {
  sagaId: string;
  externalId: string;
  tranDate: string;
  /** A saga's own invoice (shown on its Salesforce order), or a usage invoice booked on the contract's booking. */
  source: 'saga' | 'usage';
}

const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The voided and uncollectible invoices, each read under a row lock for the transaction that changes it. */
@Injectable()
export class VoidedInvoices {
  async lock(manager: EntityManager, invoiceId: string): Promise<VoidedInvoice | null> {
    return manager
      .getRepository(VoidedInvoiceEntity)
      .createQueryBuilder('v')
      .where('v.invoice_id = :invoiceId', { invoiceId })
      .setLock('pessimistic_write')
      .getOne();
  }

  async save(manager: EntityManager, voided: VoidedInvoice): Promise<void> {
    await manager.getRepository(VoidedInvoiceEntity).upsert(voided, ['invoiceId']);
  }

  /**
   * The void, with no reversal asked yet, of the billing invoice an ERP invoice was posted for (`INV-<invoice>`, or
   * `INV-<invoice>-<contract>` for a usage invoice): a void that came before any saga took the invoice in.
   */
  async unreversedFor(manager: EntityManager, erpExternalId: string): Promise<VoidedInvoice | null> {
    const { rows } = await prepared<{ invoice_id: string }>(
      manager,
      `SELECT "invoice_id" FROM "q2c"."voided_invoices"
        WHERE "reversal_external_id" IS NULL
          AND ('INV-' || "invoice_id" = $1 OR starts_with($1, 'INV-' || "invoice_id" || '-'))
        LIMIT 1`,
      [erpExternalId],
    );
    const invoiceId = rows.at(0)?.invoice_id;
    return invoiceId ? this.lock(manager, invoiceId) : null;
  }

  /**
   * The ERP invoices posted (or to be posted) for a billing invoice: the one of the saga that took it in, and the
   * usage invoice of each contract whose usage it billed (`usage-invoice:<invoice>:<contract>` commands).
   */
  async postedFor(manager: EntityManager, invoiceId: string): Promise<PostedInvoice[]> {
    await flushSagaRows(manager);
    const sagas = await manager.query<
      Array<{ saga_id: string; doc: { erpExternalId: string; issuedOn: string } }>
    >(
      `SELECT s."saga_id", d.doc FROM "q2c"."sagas" s
         CROSS JOIN LATERAL jsonb_array_elements(s."data"->'invoices') AS d(doc)
        WHERE s."data"->'invoices' @> $1::jsonb AND d.doc->>'documentId' = $2
        ORDER BY s."saga_id"`,
      [JSON.stringify([{ documentId: invoiceId }]), invoiceId],
    );
    const usage = await manager.query<Array<{ saga_id: string; external_id: string; tran_date: string }>>(
      `SELECT "saga_id", "external_id", "payload"->>'tranDate' AS "tran_date" FROM "q2c"."saga_commands"
        WHERE "job" = 'erp.post-invoice' AND "idempotency_key" LIKE $1 ORDER BY "idempotency_key"`,
      [`usage-invoice:${likeLiteral(invoiceId)}:%`],
    );
    return [
      ...sagas.map((r): PostedInvoice => ({
        sagaId: r.saga_id,
        externalId: r.doc.erpExternalId,
        tranDate: r.doc.issuedOn,
        source: 'saga',
      })),
      ...usage.map((r): PostedInvoice => ({
        sagaId: r.saga_id,
        externalId: r.external_id,
        tranDate: r.tran_date,
        source: 'usage',
      })),
    ];
  }
}
