import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export interface CheckpointTally {
  checkpoint: string;
  compared: number;
  opened: number;
  stillOpen: number;
  closed: number;
}

/** One reconciliation run: its scope, period, trigger, outcome and per-checkpoint tallies. */
@Entity({ name: 'reconciliation_runs' })
// One running run per scope, contract and customer: an expression index (migration BreakDetails1764400001400).
@Index('reconciliation_runs_one_running', { synchronize: false })
@Index('reconciliation_runs_started', ['startedAt'])
export class ReconciliationRunEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' })
  runId: string;

  @Column({ type: 'text' })
  scope: string;

  @Column({ type: 'text' })
  period: string;

  /** Set when the run compares one contract only. */
  @Column({ name: 'contract_id', type: 'text', nullable: true })
  contractId: string | null;

  /** Set when the run compares one billing customer only. */
  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId: string | null;

  @Column({ type: 'text' })
  trigger: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  checkpoints: CheckpointTally[];
}

/**
 * A difference a run found between two systems (or the expected schedule), kept open while runs keep seeing it and
 * closed by the first run that no longer does. At most one open break per key.
 */
@Entity({ name: 'reconciliation_breaks' })
@Index('reconciliation_breaks_open_key', ['checkpoint', 'category', 'objectType', 'objectId', 'field'], {
  unique: true,
  where: `"status" = 'open'`,
})
@Index('reconciliation_breaks_contract', ['contractId'])
@Index('reconciliation_breaks_open_page', ['breakId'], { where: `"status" = 'open'` })
@Index('reconciliation_breaks_open_customer', ['customerId', 'breakId'], { where: `"status" = 'open'` })
@Index('reconciliation_breaks_opened', ['openedAt'])
export class ReconciliationBreakEntity {
  @PrimaryColumn({ name: 'break_id', type: 'uuid' })
  breakId: string;

  @Column({ type: 'text' })
  checkpoint: string;

  @Column({ type: 'text' })
  category: string;

  /** The accounting period the break belongs to, for period-bound checkpoints; null when it is about now. */
  @Column({ type: 'text', nullable: true })
  period: string | null;

  @Column({ name: 'contract_id', type: 'text', nullable: true })
  contractId: string | null;

  @Column({ name: 'object_type', type: 'text' })
  objectType: string;

  @Column({ name: 'object_id', type: 'text' })
  objectId: string;

  @Column({ type: 'text', default: '' })
  field: string;

  @Column({ type: 'text', nullable: true })
  expected: string | null;

  @Column({ type: 'text', nullable: true })
  actual: string | null;

  @Column({ type: 'text', nullable: true })
  difference: string | null;

  @Column({ name: 'correlation_id', type: 'text', nullable: true })
  correlationId: string | null;

  /** ISO 4217 code of money values (unit `money`). */
  @Column({ type: 'text', nullable: true })
  currency: string | null;

  /** The billing customer the break belongs to. */
  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId: string | null;

  /** What expected, actual and difference count: see BREAK_UNITS. */
  @Column({ type: 'text', default: 'text' })
  unit: string;

  /** The expected side's record id (e.g. the Salesforce order, the billing invoice). */
  @Column({ name: 'expected_source_id', type: 'text', nullable: true })
  expectedSourceId: string | null;

  /** The actual side's record id (e.g. the billing subscription item, the ERP document). */
  @Column({ name: 'actual_source_id', type: 'text', nullable: true })
  actualSourceId: string | null;

  /** `expected` or `actual`: the side that changed since both agreed; null when they never agreed. */
  @Column({ name: 'changed_side', type: 'text', nullable: true })
  changedSide: string | null;

  @Column({ name: 'first_run_id', type: 'uuid' })
  firstRunId: string;

  @Column({ name: 'last_run_id', type: 'uuid' })
  lastRunId: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'opened_at', type: 'timestamptz', default: () => 'now()' })
  openedAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'closed_by_run_id', type: 'uuid', nullable: true })
  closedByRunId: string | null;
}
