import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Revline's view of the customer master: one row per Salesforce account, with its ids elsewhere. */
@Entity({ name: 'customers' })
export class CustomerEntity {
  @PrimaryColumn({ name: 'salesforce_account_id', type: 'text' })
  salesforceAccountId: string;

  @Column({ name: 'billing_customer_id', type: 'text', nullable: true })
  billingCustomerId: string | null;

  @Column({ name: 'erp_customer_id', type: 'text', nullable: true })
  erpCustomerId: string | null;

  @Column({ type: 'text', nullable: true })
  currency: string | null;

  /** The system whose values were recorded last. */
  @Column({ name: 'recorded_from', type: 'text' })
  recordedFrom: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
