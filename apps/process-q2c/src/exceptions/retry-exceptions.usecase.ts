import { Injectable } from '@nestjs/common';
import { AuditLog } from '@revline/auth';
import { DomainError } from '@revline/http';
import type { Envelope } from '@revline/messaging';
import { ExceptionEntity } from '@revline/messaging';
import { DataSource, In } from 'typeorm';
import type { RetryOutcomeDto } from '@revline/finance-api';
import { JobRequeuer } from './job-requeuer';

/**
 * An operator retries parked jobs after fixing the cause: each envelope goes back on its queue with the same
 * idempotency key (a new job id), the exception is marked `retrying` and the action audited, in one
 * transaction. The job's success resolves the exception; a new failure reopens it.
 */
@Injectable()
export class RetryExceptions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly requeuer: JobRequeuer,
  ) {}

  async execute(ids: readonly string[], actor: string): Promise<RetryOutcomeDto[]> {
    const unique = [...new Set(ids)];
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .getRepository(ExceptionEntity)
        .createQueryBuilder('e')
        .where({ id: In(unique) })
        .orderBy('e.first_seen_at')
        .setLock('pessimistic_write')
        .getMany();
      const missing = unique.filter((id) => !rows.some((r) => r.id === id));
      if (missing.length > 0) {
        throw new DomainError(
          404,
          `No exception ${missing.join(', ')}`,
          missing.map(() => ({ field: 'ids', problem: 'no such exception' })),
        );
      }
      const outcomes: RetryOutcomeDto[] = [];
      for (const row of rows) {
        if (row.status === 'resolved') {
          outcomes.push({ id: row.id, outcome: 'skipped', note: 'already resolved' });
          continue;
        }
        const jobId = await this.requeuer.requeue(row.envelope as Envelope, 'retry');
        await manager.getRepository(ExceptionEntity).update({ id: row.id }, { status: 'retrying' });
        await this.audit.append(
          {
            actor,
            action: 'exception.retry',
            target: `exception:${row.id}`,
            before: { status: row.status, category: row.category, occurrences: row.occurrences },
            after: { status: 'retrying', jobId },
          },
          manager,
        );
        outcomes.push({ id: row.id, outcome: 'retrying' });
      }
      return outcomes;
    });
  }
}
