import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { VoidedInvoiceEntity } from './voided-invoice.entity';

export type VoidedInvoice = Omit<VoidedInvoiceEntity, 'receivedAt'>;

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
}
