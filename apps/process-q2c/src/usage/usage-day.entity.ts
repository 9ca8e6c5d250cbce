import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A contract's usage of one product on one UTC day, summed as the events are moved into usage_events: what a usage
 * invoice shares among its customer's contracts (by customer, product and days), read without the events themselves.
 */
@Entity({ name: 'usage_days' })
@Index('usage_days_customer', ['customerId', 'productCode', 'day'])
export class UsageDayEntity {
  @PrimaryColumn({ name: 'contract_id', type: 'text' })
  contractId: string;

  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId: string;

  @PrimaryColumn({ name: 'product_code', type: 'text' })
  productCode: string;

  /** The UTC day of use. */
  @PrimaryColumn({ type: 'date' })
  day: string;

  /** A decimal, read back as a string. */
  @Column({ type: 'numeric' })
  quantity: string;

  @Column({ type: 'int' })
  events: number;
}
