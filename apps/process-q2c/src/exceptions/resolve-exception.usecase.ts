import { Injectable } from '@nestjs/common';
import { AuditLog } from '@revline/auth';
import { DomainError } from '@revline/http';
import { ExceptionEntity, Outbox, SETTLE_JOB } from '@revline/messaging';
import { DataSource } from 'typeorm';
import type { ExceptionDto } from '@revline/finance-api';
import { toExceptionDto } from './exception.dto';
import { ExceptionHistory } from './exception-history';
import { forwardedFrom } from './forwarded-exceptions.repository';

/**
 * An operator closes an exception without retrying it, with a reason; audited. One a system API forwarded is
 * closed in the system API's own table too (a settle command on its queue).
 */
@Injectable()
export class ResolveException {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
    private readonly history: ExceptionHistory,
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
      // One a system API forwarded is resolved there too, in the same transaction's outbox.
      const forwarded = forwardedFrom(row.details);
      if (forwarded) {
        await this.outbox.add(
          manager,
          SETTLE_JOB[forwarded.system],
          { sourceExceptionId: forwarded.sourceExceptionId, action: 'resolve', reason, actor },
          {
            idempotencyKey: `settle:${forwarded.system}:${forwarded.sourceExceptionId}:${String(row.occurrences)}:resolve`,
            causationId: null,
          },
        );
      }
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
      return toExceptionDto(row, (await this.history.of([id], manager)).get(id) ?? []);
    });
  }
}
