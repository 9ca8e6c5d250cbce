import { Injectable } from '@nestjs/common';
import { AuditLog } from '@revline/auth';
import { DomainError } from '@revline/http';
import { ExceptionEntity } from '@revline/messaging';
import { DataSource } from 'typeorm';
import type { ExceptionDto } from '@revline/finance-api';
import { toExceptionDto } from './exception.dto';

/** An operator closes an exception without retrying it, with a reason; audited. */
@Injectable()
export class ResolveException {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async execute(id: string, reason: string, actor: string): Promise<ExceptionDto> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(ExceptionEntity);
      const row = await repo
        .createQueryBuilder('e')
        .where('e.id = :id', { id })
        .setLock('pessimistic_write')
        .getOne();
      if (!row) throw new DomainError(404, `Exception ${id} does not exist`);
      if (row.status === 'resolved') {
        throw new DomainError(409, `Exception ${id} is already resolved: ${row.resolution ?? ''}`);
      }
      const before = { status: row.status };
      Object.assign(row, { status: 'resolved', resolvedAt: new Date(), resolution: reason });
      await repo.save(row);
      await this.audit.append(
        {
          actor,
          action: 'exception.resolve',
          target: `exception:${id}`,
          before,
          after: { status: 'resolved', reason },
        },
        manager,
      );
      return toExceptionDto(row);
    });
  }
}
