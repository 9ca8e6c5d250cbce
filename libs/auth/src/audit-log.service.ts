import { Injectable } from '@nestjs/common';
import { currentCorrelationId } from '@revline/observability';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { ChainBreak, ChainPosition } from './audit-chain';
import { asStoredJson, AUDIT_GENESIS, auditRowHash, firstBreak } from './audit-chain';
import type { AuditLogFilter } from './audit-log.repository';
import { AuditLogRepository } from './audit-log.repository';
import { AuditHead } from './audit-head';
import type { AuditLogEntity } from './entities';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  before?: object | null;
  after?: object | null;
}

export interface AuditVerification {
  intact: boolean;
  /** Rows found intact, from the first. */
  checkedRows: number;
  /** Of those, the rows written before canonical hashing: linked, but their content cannot be checked. */
  legacyRows: number;
  /** The last row that holds (before the break, or the last row); null when none does. */
  head: { id: string; hash: string } | null;
  firstBrokenRow: ChainBreak | null;
}

const VERIFY_CHUNK = 1_000;

/**
 * The audit log of privileged actions. Rows are chained by hash (see audit-chain.ts) under a transaction-scoped
 * advisory lock, so concurrent writers keep one chain; the database refuses updates and deletes (see the platform
 * migration). Each committed write announces the new head (see audit-head.ts), so it can be anchored outside the
 * database.
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: AuditLogRepository,
    private readonly head: AuditHead,
  ) {}

  /** Appends in the caller's transaction when given one, so the action and its audit row commit together. */
  async append(entry: AuditEntry, manager?: EntityManager): Promise<AuditLogEntity> {
    return manager ? this.write(entry, manager) : this.dataSource.transaction((m) => this.write(entry, m));
  }

  /** Newest first. */
  page(filter: AuditLogFilter, beforeId: string | undefined, limit: number): Promise<AuditLogEntity[]> {
    return this.rows.page(filter, beforeId, limit);
  }

  /** Walks the whole chain, oldest first, and stops at the first row that breaks it. */
  async verify(): Promise<AuditVerification> {
    let position: ChainPosition = { id: null, hash: AUDIT_GENESIS, canonical: false };
    let checkedRows = 0;
    let legacyRows = 0;
    for (;;) {
      const chunk = await this.rows.chunkAfter(position.id, VERIFY_CHUNK);
      const broken = firstBreak(chunk, position);
      const holding = broken
        ? chunk.slice(
            0,
            chunk.findIndex((row) => row.id === broken.id),
          )
        : chunk;
      checkedRows += holding.length;
      legacyRows += holding.filter((row) => row.hashScheme === 'legacy').length;
      const last = holding.at(-1);
      if (last) position = { id: last.id, hash: last.hash, canonical: last.hashScheme !== 'legacy' };
      if (broken || chunk.length < VERIFY_CHUNK) {
        const head = position.id === null ? null : { id: position.id, hash: position.hash };
        return { intact: !broken, checkedRows, legacyRows, head, firstBrokenRow: broken };
      }
    }
  }

  private async write(entry: AuditEntry, manager: EntityManager): Promise<AuditLogEntity> {
    const last = await this.rows.lockHead(manager);
    const prevHash = last?.hash ?? AUDIT_GENESIS;
    const row = {
      at: new Date(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      before: asStoredJson(entry.before),
      after: asStoredJson(entry.after),
      correlationId: currentCorrelationId() ?? null,
    };
    const saved = await this.rows.insert(manager, {
      ...row,
      prevHash,
      hash: auditRowHash(prevHash, row),
      hashScheme: 'rfc8785-sha256',
    });
    this.head.written({ id: saved.id, hash: saved.hash, action: saved.action }, manager);
    return saved;
  }
}
