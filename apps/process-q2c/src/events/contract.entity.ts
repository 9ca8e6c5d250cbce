import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ContractLineState } from './contract-state';

/**
 * What Revline knows of each booked contract, kept in step with the event store (written in the same
 * transaction as each event): its customer, term, currency and lines.
 */
@Entity({ name: 'contracts' })
export class ContractEntity {
  @PrimaryColumn({ name: 'contract_id', type: 'text' })
  contractId: string;

  @Column({ name: 'salesforce_account_id', type: 'text' })
  salesforceAccountId: string;

  @Column({ type: 'text' })
  currency: string;

  @Column({ name: 'term_start', type: 'date' })
  termStart: string;

  @Column({ name: 'term_end', type: 'date' })
  termEnd: string;

  @Column({ type: 'text' })
  status: 'active' | 'cancelled';

  @Column({ type: 'jsonb' })
  lines: ContractLineState[];

  @Column({ name: 'last_event_id', type: 'uuid' })
  lastEventId: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * A Salesforce contract id that stands for a Revline contract: the contract CPQ created from the booking order,
 * and the ones it creates from each renewal order.
 */
@Entity({ name: 'contract_refs' })
export class ContractRefEntity {
  @PrimaryColumn({ name: 'salesforce_contract_id', type: 'text' })
  salesforceContractId: string;

  @Column({ name: 'contract_id', type: 'text' })
  contractId: string;

  @CreateDateColumn({ name: 'linked_at', type: 'timestamptz' })
  linkedAt: Date;
}
