import { Injectable, Logger, Optional } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { MetricsService } from '@revline/observability';
import { DataSource } from 'typeorm';
import type {
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

export interface AuditHeadRow {
  id: string;
  hash: string;
  action: string;
}

/**
 * Announces the audit log's head (a log line and the `revline_audit_log_head` metric) so it can be anchored outside
 * the database; only once the transaction that wrote it has committed, so a rolled-back action announces nothing.
 */
@Injectable()
export class AuditHead implements EntitySubscriberInterface, OnModuleInit {
  private readonly logger = new Logger('AuditLog');
  private readonly pending = new WeakMap<QueryRunner, AuditHeadRow>();

  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  /** A row written with `manager`: announced now when it is already committed, at the commit otherwise. */
  written(row: AuditHeadRow, manager: EntityManager): void {
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) this.pending.set(runner, row);
    else this.announce(row);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const row = this.pending.get(event.queryRunner);
    if (!row || event.queryRunner.isTransactionActive) return; // a savepoint released: not committed yet
    this.pending.delete(event.queryRunner);
    this.announce(row);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.pending.delete(event.queryRunner);
  }

  private announce({ id, hash, action }: AuditHeadRow): void {
    this.metrics?.auditLogHead.reset();
    this.metrics?.auditLogHead.set({ hash }, Number(id));
    this.logger.log({ msg: 'audit log head', auditLogHead: { id, hash }, action });
  }
}
