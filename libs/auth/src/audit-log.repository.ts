import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { AuditHashScheme, AuditRowContent } from './audit-chain';
import { AuditLogEntity } from './entities';

export interface AuditLogFilter {
  /** Part of the actor, e.g. a key id or a service name. */
  actor?: string;
  action?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/** The audit table's reads and writes. Writers hold one transaction-scoped advisory lock, so the chain stays one. */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Takes the chain's lock for the caller's transaction and reads the last row. */
  async lockHead(manager: EntityManager): Promise<AuditLogEntity | null> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('revline-audit-log'))`);
    const last = await manager.getRepository(AuditLogEntity).find({ order: { id: 'DESC' }, take: 1 });
    return last[0] ?? null;
  }

  insert(
    manager: EntityManager,
    row: AuditRowContent & { prevHash: string; hash: string; hashScheme: AuditHashScheme },
  ): Promise<AuditLogEntity> {
    return manager.getRepository(AuditLogEntity).save(manager.getRepository(AuditLogEntity).create(row));
  }

  /** Newest first, rows older than the `beforeId` row when given. */
  page(filter: AuditLogFilter, beforeId: string | undefined, limit: number): Promise<AuditLogEntity[]> {
    const query = this.dataSource
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .orderBy('a.id', 'DESC')
      .take(limit);
    if (filter.actor) query.andWhere('strpos(a.actor, :actor) > 0', { actor: filter.actor });
    if (filter.action) query.andWhere('a.action = :action', { action: filter.action });
    if (filter.from) query.andWhere('a.at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('a.at < :to', { to: filter.to });
    if (beforeId) query.andWhere('a.id < :beforeId', { beforeId });
    return query.getMany();
  }

  /** Oldest first, the rows after the `afterId` row (from the start when null). */
  chunkAfter(afterId: string | null, limit: number): Promise<AuditLogEntity[]> {
    const query = this.dataSource
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .orderBy('a.id', 'ASC')
      .take(limit);
    if (afterId) query.andWhere('a.id > :afterId', { afterId });
    return query.getMany();
  }
}
