import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type RevenuePostingOutcome = 'posted' | 'nothing_to_post' | 'superseded';

/**
 * What system-erp posted for one contract, obligation, period and schedule version: the period's amount in that
 * version and the difference actually posted. A later version posts its amount minus the latest earlier
 * version's; an earlier version arriving after a later one posts nothing.
 */
@Entity({ name: 'revenue_postings' })
@Index('revenue_postings_version', ['contractId', 'obligationId', 'period', 'scheduleVersion'], {
  unique: true,
})
@Index('revenue_postings_period', ['period'])
export class RevenuePostingEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'contract_id', type: 'text' })
  contractId: string;

  @Column({ name: 'obligation_id', type: 'text' })
  obligationId: string;

  @Column({ type: 'text' })
  period: string;

  @Column({ name: 'schedule_version', type: 'int' })
  scheduleVersion: number;

  @Column({ type: 'text' })
  currency: string;

  @Column({ name: 'period_amount_minor', type: 'bigint' })
  periodAmountMinor: string;

  @Column({ name: 'posted_amount_minor', type: 'bigint' })
  postedAmountMinor: string;

  @Column({ name: 'product_class', type: 'text' })
  productClass: string;

  @Column({ type: 'text' })
  subsidiary: string;

  @Column({ name: 'external_id', type: 'text' })
  externalId: string;

  @Column({ name: 'erp_id', type: 'text', nullable: true })
  erpId: string | null;

  @Column({ type: 'text' })
  outcome: RevenuePostingOutcome;

  @Column({ name: 'command_key', type: 'text' })
  commandKey: string;

  @CreateDateColumn({ name: 'posted_at', type: 'timestamptz' })
  postedAt: Date;
}
