import { Injectable } from '@nestjs/common';
import type { CommandRejection, Envelope, JobPayloads } from '@revline/messaging';
import { createEnvelope, ExceptionRecorder, Outbox } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import type { LineageHop } from '../lineage/lineage-recorder';
import { flushSagaRows, LineageRecorder } from '../lineage/lineage-recorder';
import { RefusedCommands } from './refused-commands.repository';
import { SAGA_STATUS } from './saga-data';
import { baseKey } from './saga-retries';
import { SagaStore } from './saga-store';
import type { SagaEntity } from './saga.entity';

export type RejectingSystem = 'billing' | 'erp' | 'salesforce';

/** The exception category of each system's refusals. */
export const REJECTION_CATEGORY: Record<RejectingSystem, string> = {
  billing: 'billing_rejected',
  erp: 'erp_rejected',
  salesforce: 'crm_rejected',
};

export const REJECTION_CATEGORIES: readonly string[] = Object.values(REJECTION_CATEGORY);

const VENDOR: Record<RejectingSystem, string> = {
  billing: 'Stripe',
  erp: 'NetSuite',
  salesforce: 'Salesforce',
};

export interface Rejection extends CommandRejection {
  /** Further details for the operator (the ERP's category, the records a batch refused…). */
  extra?: Record<string, unknown>;
  /** The lineage hops of the refusal; one `rejected` hop of the command when absent. */
  hops?: (saga: SagaEntity) => LineageHop[];
}

/**
 * A system API refused a command for good: the saga that sent it parks with the vendor's code and message, the
 * command is marked rejected (the lifecycle shows its system failed), the refusal is a lineage hop, and the
 * workbench gets an exception at once — one per command, reopened (counted) when its retry is refused again, and
 * carrying the command's own envelope, so a retry can send it again.
 */
@Injectable()
export class SagaRejections {
  constructor(
    private readonly store: SagaStore,
    private readonly lineage: LineageRecorder,
    private readonly exceptions: ExceptionRecorder,
    private readonly commands: RefusedCommands,
    private readonly outbox: Outbox,
  ) {}

  async reject(
    manager: EntityManager,
    system: RejectingSystem,
    rejection: Rejection,
    answer: Envelope,
    /** The saga, when the caller has locked it already. */
    locked?: SagaEntity | null,
  ): Promise<{ sagaId: string | null }> {
    const key = rejection.commandIdempotencyKey;
    let saga = locked ?? null;
    if (locked === undefined) {
      const command = await this.store.bySentCommand(manager, key);
      saga = command ? await this.store.lock(manager, command.sagaId) : null;
    }
    const category = REJECTION_CATEGORY[system];
    const reason = `${VENDOR[system]} refused ${rejection.command}${
      saga ? ` for contract ${saga.contractId}` : ''
    }: ${rejection.message} (${rejection.errorCode})`;
    if (saga) {
      await this.commands.markRejected(manager, key);
      if (saga.status !== SAGA_STATUS.completed) saga.status = SAGA_STATUS.parked;
      saga.lastError = `${category}: ${rejection.errorCode}: ${rejection.message}`;
      saga.slaDeadline = null;
      await this.store.save(manager, saga);
      await this.lineage.record(
        rejection.hops?.(saga) ?? [
          {
            contractId: saga.contractId,
            system,
            objectType: rejection.command,
            externalId: key,
            status: 'rejected',
            correlationId: saga.correlationId,
            detail: `${rejection.errorCode}: ${rejection.message}`,
          },
        ],
        manager,
      );
    }
    // The exception carries the command as it was first sent (its retries share it, so one line per command); a
    // lineage batch's outbox rows are written first.
    await flushSagaRows(manager);
    const sent =
      (await this.outbox.sent(manager, baseKey(key))) ?? (saga ? await this.alone(manager, saga, key) : null);
    const contractId = saga?.contractId ?? rejection.contractId;
    await this.exceptions.record(
      sent ?? answer,
      {
        category,
        reason,
        details: {
          ...(contractId ? { contractId } : {}),
          ...(saga ? { sagaId: saga.sagaId } : {}),
          system,
          command: rejection.command,
          commandIdempotencyKey: key,
          commandBaseKey: baseKey(key),
          errorCode: rejection.errorCode,
          vendorMessage: rejection.message,
          ...(rejection.httpStatus !== undefined ? { httpStatus: rejection.httpStatus } : {}),
          ...(rejection.field ? { field: rejection.field } : {}),
          ...rejection.extra,
        },
      },
      manager,
    );
    return { sagaId: saga?.sagaId ?? null };
  }

  /**
   * A command sent inside another (an Account write-back riding in its Order's) as an envelope of its own, so the
   * exception's retry sends it alone, under its key.
   */
  private async alone(manager: EntityManager, saga: SagaEntity, key: string): Promise<Envelope | null> {
    const recorded = await this.commands.recorded(manager, baseKey(key));
    // Only a write-back rides in another command; any other command without an envelope keeps its answer's.
    if (recorded?.job !== 'crm.write-back') return null;
    return createEnvelope('crm.write-back', recorded.payload as JobPayloads['crm.write-back'], {
      idempotencyKey: baseKey(key),
      correlationId: saga.correlationId,
    });
  }
}
