import { Injectable } from '@nestjs/common';
import type { ErpPostingResult } from '@revline/erp-port';
import { ErpRejectedError, ErpUnavailableError } from '@revline/erp-port';
import type { Envelope, JobName } from '@revline/messaging';
import { BusinessError, Inbox, InboxEntryEntity, Outbox, TransientError } from '@revline/messaging';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

export const CONSUMER = 'system-erp';

/** What a command did in the ERP, reported back as `erp.posted`. */
export interface Posted extends ErpPostingResult {
  outcome?: 'posted' | 'nothing_to_post' | 'superseded';
  postedAmountMinor?: string;
}

export interface CommandSpec {
  recordType: string;
  externalId: string;
  /** Calls the ERP (outside any transaction: the call is an idempotent upsert, safe to repeat). */
  post: () => Promise<Posted>;
  /** Writes what else the command records, in the transaction of its inbox and outbox rows. */
  record?: (manager: EntityManager, posted: Posted) => Promise<void>;
}

/**
 * Runs one `erp.commands` job: calls the ERP, then records the inbox row and the `erp.posted` event in one
 * transaction. A message already applied is acknowledged without calling the ERP again. A refusal by the ERP
 * emits `erp.rejected` and parks the job as a business exception with the ERP's code (not marked applied, so an
 * operator's retry after the fix runs it again); an unreachable ERP is a transient error, retried with backoff.
 */
@Injectable()
export class ErpCommandRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
  ) {}

  async alreadyApplied(envelope: Envelope): Promise<boolean> {
    return this.dataSource
      .getRepository(InboxEntryEntity)
      .exists({ where: { consumer: CONSUMER, idempotencyKey: envelope.idempotencyKey } });
  }

  async run<J extends JobName>(envelope: Envelope<J>, spec: CommandSpec): Promise<Posted | undefined> {
    if (await this.alreadyApplied(envelope)) return undefined;
    let posted: Posted;
    try {
      posted = await spec.post();
    } catch (error) {
      throw await this.classify(envelope, spec, error);
    }
    await this.inbox.runOnce(CONSUMER, envelope, async (manager) => {
      await spec.record?.(manager, posted);
      await this.outbox.add(
        manager,
        'erp.posted',
        {
          commandIdempotencyKey: envelope.idempotencyKey,
          recordType: spec.recordType,
          externalId: posted.externalId,
          erpId: posted.erpId,
          outcome: posted.outcome ?? 'posted',
          ...(posted.postedAmountMinor === undefined ? {} : { postedAmountMinor: posted.postedAmountMinor }),
        },
        { idempotencyKey: `${envelope.idempotencyKey}:posted` },
      );
    });
    return posted;
  }

  private async classify(
    envelope: Envelope,
    spec: Pick<CommandSpec, 'recordType' | 'externalId'>,
    error: unknown,
  ): Promise<Error> {
    if (error instanceof ErpRejectedError) {
      await this.dataSource.transaction((manager) =>
        this.outbox.add(
          manager,
          'erp.rejected',
          {
            commandIdempotencyKey: envelope.idempotencyKey,
            recordType: spec.recordType,
            externalId: spec.externalId,
            errorCode: error.vendorCode,
            message: error.message,
            category: error.category,
            ...(error.field ? { field: error.field } : {}),
          },
          { idempotencyKey: `${envelope.idempotencyKey}:rejected:${error.vendorCode}` },
        ),
      );
      return new BusinessError(
        `erp_${error.category}`,
        `The ERP refused ${spec.recordType} ${spec.externalId}: ${error.message}`,
        {
          errorCode: error.vendorCode,
          recordType: spec.recordType,
          externalId: spec.externalId,
          ...(error.field ? { field: error.field } : {}),
        },
      );
    }
    if (error instanceof ErpUnavailableError) {
      return new TransientError(
        `ERP unavailable: ${error.message}${error.vendorCode ? ` (${error.vendorCode})` : ''}`,
        {
          cause: error,
        },
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}
