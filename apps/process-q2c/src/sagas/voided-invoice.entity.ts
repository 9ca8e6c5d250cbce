import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * An invoice the billing platform voided or marked uncollectible, with the ERP reversal Revline asked for: what
 * reconciliation expects of the ERP for it (nothing standing), and the record that a later status of the same
 * invoice (void after uncollectible) must not reverse it twice.
 */
@Entity({ name: 'voided_invoices' })
export class VoidedInvoiceEntity {
  @PrimaryColumn({ name: 'invoice_id', type: 'text' })
  invoiceId: string;

  /** void | uncollectible: the billing platform's latest word. */
  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  @Column({ name: 'total_minor', type: 'bigint' })
  totalMinor: string;

  @Column({ type: 'text' })
  currency: string;

  @Column({ name: 'voided_on', type: 'date' })
  voidedOn: string;

  /** The saga that posted the invoice to the ERP; null when none did (nothing to reverse). */
  @Column({ name: 'saga_id', type: 'uuid', nullable: true })
  sagaId: string | null;

  /** The reversing credit memo's ERP external id, and its date. */
  @Column({ name: 'reversal_external_id', type: 'text', nullable: true })
  reversalExternalId: string | null;

  @Column({ name: 'reversal_on', type: 'date', nullable: true })
  reversalOn: string | null;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
