import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Envelope } from './envelope';
import { jobIdFor } from './envelope';
import { Inbox } from './inbox';
import { JobHandler } from './job-handler.decorator';
import { Queues } from './queues';
import { isJobName, queueOf } from './registry';

const CONSUMER = 'exception-settlement';

/** In the BullMQ id of a job an operator's retry put back on its queue. */
export const RETRY_JOB_ID_MARK = '-retry-';

type SettleJob = 'billing.settle-exception' | 'erp.settle-exception' | 'crm.settle-exception';

/**
 * Applies the workbench's decision on an exception a system API forwarded: `resolve` closes the system API's own
 * row with the operator's reason; `retry` marks it `retrying` and puts its parked job back on its queue under a
 * new job id (the same envelope and idempotency key); the job's success resolves it, a new failure reopens it.
 * A connection alert is never retried: it resolves itself when the connection works.
 */
@Injectable()
export class ExceptionSettlement {
  constructor(
    private readonly dataSource: DataSource,
    private readonly inbox: Inbox,
    private readonly queues: Queues,
  ) {}

  async settle(envelope: Envelope<SettleJob>): Promise<unknown> {
    const { sourceExceptionId, action, reason, actor } = envelope.payload;
    const schema = this.dataSource.driver.schema ?? 'public';
    const outcome = await this.inbox.runOnce(CONSUMER, envelope, async (manager) => {
      const [row] = await manager.query<
        Array<{ status: string; job: string; envelope: Envelope } | undefined>
      >(`SELECT "status", "job", "envelope" FROM "${schema}"."exceptions" WHERE "id" = $1 FOR UPDATE`, [
        sourceExceptionId,
      ]);
      if (!row || row.status === 'resolved')
        return { settled: false, note: row ? 'already resolved' : 'unknown' };
      if (action === 'resolve') {
        await manager.query(
          `UPDATE "${schema}"."exceptions" SET "status" = 'resolved', "resolved_at" = now(), "resolution" = $2
            WHERE "id" = $1`,
          [sourceExceptionId, `${reason} (by ${actor})`],
        );
        return { settled: true };
      }
      if (!isJobName(row.job)) return { settled: false, note: `${row.job} is not a job that can run again` };
      await manager.query(`UPDATE "${schema}"."exceptions" SET "status" = 'retrying' WHERE "id" = $1`, [
        sourceExceptionId,
      ]);
      const parked = row.envelope;
      const queue = await this.queues.get(queueOf(parked.job));
      const jobId = `${jobIdFor(parked.job, parked.idempotencyKey)}${RETRY_JOB_ID_MARK}${randomUUID()}`;
      await queue.add(parked.job, parked, { ...this.queues.jobOptions(parked), jobId });
      return { settled: true, jobId };
    });
    return outcome.applied ? outcome.result : { duplicate: true };
  }
}

@Injectable()
export class BillingExceptionSettlement {
  constructor(private readonly settlement: ExceptionSettlement) {}

  @JobHandler('billing.settle-exception')
  settle(envelope: Envelope<'billing.settle-exception'>): Promise<unknown> {
    return this.settlement.settle(envelope);
  }
}

@Injectable()
export class ErpExceptionSettlement {
  constructor(private readonly settlement: ExceptionSettlement) {}

  @JobHandler('erp.settle-exception')
  settle(envelope: Envelope<'erp.settle-exception'>): Promise<unknown> {
    return this.settlement.settle(envelope);
  }
}

@Injectable()
export class CrmExceptionSettlement {
  constructor(private readonly settlement: ExceptionSettlement) {}

  @JobHandler('crm.settle-exception')
  settle(envelope: Envelope<'crm.settle-exception'>): Promise<unknown> {
    return this.settlement.settle(envelope);
  }
}

/** The job that carries the workbench's decision to each system API, and the handler it binds there. */
export const SETTLE_JOB = {
  billing: 'billing.settle-exception',
  erp: 'erp.settle-exception',
  salesforce: 'crm.settle-exception',
} as const;

export const SETTLEMENT_HANDLER = {
  billing: BillingExceptionSettlement,
  erp: ErpExceptionSettlement,
  salesforce: CrmExceptionSettlement,
} as const;
