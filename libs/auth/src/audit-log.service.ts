import { Injectable } from '@nestjs/common';
import { currentCorrelationId } from '@revline/observability';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AuditLogEntity } from './entities';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  before?: object | null;
  after?: object | null;
}

const GENESIS = '0'.repeat(64);

function hashOf(prevHash: string, row: Omit<AuditLogEntity, 'id' | 'hash' | 'prevHash'>): string {
  const content = JSON.stringify([
    prevHash,
    row.at.toISOString(),
    row.actor,
    row.action,
    row.target,
    row.before,
    row.after,
    row.correlationId,
  ]);
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The audit log of privileged actions. Rows are chained by hash under a transaction-scoped advisory lock, so
 * concurrent writers keep one chain; the database refuses updates and deletes (see the platform migration).
 */
@Injectable()
export class AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends in the caller's transaction when given one, so the action and its audit row commit together. */
  async append(entry: AuditEntry, manager?: EntityManager): Promise<AuditLogEntity> {
    const write = async (m: EntityManager) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('revline-audit-log'))`);
      const last = await m.getRepository(AuditLogEntity).find({ order: { id: 'DESC' }, take: 1 });
      const prevHash = last[0]?.hash ?? GENESIS;
      const row = {
        at: new Date(),
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        before: entry.before ?? null,
        after: entry.after ?? null,
        correlationId: currentCorrelationId() ?? null,
      };
      return m.getRepository(AuditLogEntity).save({ ...row, prevHash, hash: hashOf(prevHash, row) });
    };
    return manager ? write(manager) : this.dataSource.transaction(write);
  }

  /** Walks the chain; returns the id of the first row whose hash does not match, or null when intact. */
  async verify(): Promise<string | null> {
    const rows = await this.dataSource.getRepository(AuditLogEntity).find({ order: { id: 'ASC' } });
    let prevHash = GENESIS;
    for (const row of rows) {
      if (row.prevHash !== prevHash || hashOf(prevHash, row) !== row.hash) return row.id;
      prevHash = row.hash;
    }
    return null;
  }
}
