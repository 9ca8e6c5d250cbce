import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An ERP customer Revline has upserted, by its external id: one per CRM account, asked of the ERP once. */
@Entity({ name: 'customers' })
export class ErpCustomerEntity {
  @PrimaryColumn({ name: 'external_id', type: 'text' })
  externalId: string;

  @Column({ name: 'erp_id', type: 'text' })
  erpId: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
