import { Injectable } from '@nestjs/common';
import { AuditLog } from '@revline/auth';
import { DomainError } from '@revline/http';
import type { Envelope } from '@revline/messaging';
import { ExceptionEntity, Outbox, SETTLE_JOB } from '@revline/messaging';
import { DataSource, In } from 'typeorm';
import type { RetryOutcomeDto } from '@revline/finance-api';
import type { EntityManager } from 'typeorm';
import { REJECTION_CATEGORIES } from '../sagas/saga-rejections';
import { SagaStepRetry } from '../sagas/saga-step-retry';
import { forwardedFrom } from './forwarded-exceptions.repository';
import { JobRequeuer } from './job-requeuer';

/**
 * An operator retries parked jobs after fixing the cause: each envelope goes back on its queue with the same
 * idempotency key (a new job id), the exception is marked `retrying` and the action audited, in one
 * transaction. The job's success resolves the exception; a new failure reopens it. A command a system refused
 * (`billing_rejected`, `erp_rejected`, `crm_rejected`) is retried through its saga, which runs the step again.
 */
@Injectable()
export class RetryExceptions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly requeuer: JobRequeuer,
    private readonly steps: SagaStepRetry,
    private readonly outbox: Outbox,
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
        const sent = await this.resend(manager, row, actor);
        if ('skipped' in sent) {
          outcomes.push({ id: row.id, outcome: 'skipped', note: sent.skipped });
          continue;
        }
        const { jobId } = sent;
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

  /** Sends the exception's work again: the job id put on a queue (`replanned`: the saga sent it), or why not. */
  private async resend(
    manager: EntityManager,
    row: ExceptionEntity,
    actor: string,
  ): Promise<{ jobId: string } | { skipped: string }> {
    const forwarded = forwardedFrom(row.details);
    if (forwarded) return this.resendForwarded(manager, row, forwarded, actor);
    const details = row.details as { sagaId?: unknown; commandIdempotencyKey?: unknown };
    if (
      REJECTION_CATEGORIES.includes(row.category) &&
      typeof details.sagaId === 'string' &&
      typeof details.commandIdempotencyKey === 'string'
    ) {
      const step = await this.steps.retry(manager, details.sagaId, details.commandIdempotencyKey);
      if (step.resend === 'none') return { skipped: step.note };
      if (step.resend === 'replanned') return { jobId: 'replanned' };
    }
    const envelope = row.envelope as Envelope;
    // A billing command no saga sent: the billing platform keeps the refused key's answer, so it goes under a new one.
    if (row.category === 'billing_rejected' && typeof details.sagaId !== 'string') {
      const idempotencyKey = `${envelope.idempotencyKey}~r${String(row.occurrences)}`;
      return { jobId: await this.requeuer.requeue({ ...envelope, idempotencyKey }, 'retry') };
    }
    return { jobId: await this.requeuer.requeue(envelope, 'retry') };
  }

  /**
   * An exception a system API forwarded is retried there: the system API runs its parked job again (its success
   * resolves both rows). A connection alert resolves itself when the connection works, and a Salesforce order
   * reusing a known id is not a job to run again.
   */
  private async resendForwarded(
    manager: EntityManager,
    row: ExceptionEntity,
    forwarded: ReturnType<typeof forwardedFrom> & object,
    actor: string,
  ): Promise<{ jobId: string } | { skipped: string }> {
    if (row.category === 'connection_failed')
      return { skipped: 'a connection alert resolves itself when the connection works again' };
    if (row.category === 'crm_record_id_reused')
      return { skipped: 'the order was not queued and cannot be: check the org, then resolve the exception' };
    const job = SETTLE_JOB[forwarded.system];
    const envelope = await this.outbox.add(
      manager,
      job,
      {
        sourceExceptionId: forwarded.sourceExceptionId,
        action: 'retry',
        reason: 'retried from the workbench',
        actor,
      },
      {
        idempotencyKey: `settle:${forwarded.system}:${forwarded.sourceExceptionId}:${String(row.occurrences)}:retry`,
        causationId: null,
      },
    );
    return { jobId: `${job}:${envelope.idempotencyKey}` };
  }
}
