import { Injectable } from '@nestjs/common';
import type { ErpPostingOutcome, ErpRejectedPayload, JobName, JobPayloads } from '@revline/messaging';
import { Outbox } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import type { LineageHop } from '../lineage/lineage-recorder';
import { LineageRecorder, transactionWrites } from '../lineage/lineage-recorder';
import type { PlannedCommand } from './erp-plan';
import { revenueParts, sagaKey } from './erp-plan';
import { SagaCommandsRepository } from './saga-commands.repository';
import type { SagaEntity } from './saga.entity';

const SYSTEM_OF_JOB: Record<string, LineageHop['system']> = {
  crm: 'salesforce',
  billing: 'billing',
  erp: 'erp',
};

/**
 * Sends a saga's commands through the outbox, in the caller's transaction, under the saga's correlation id and a
 * deterministic idempotency key; records each as awaited (unless `await` is false) and as a lineage hop.
 */
@Injectable()
export class SagaCommands {
  constructor(
    private readonly outbox: Outbox,
    private readonly lineage: LineageRecorder,
    private readonly repository: SagaCommandsRepository,
  ) {}

  async send<J extends JobName>(
    manager: EntityManager,
    saga: SagaEntity,
    job: J,
    payload: JobPayloads[J],
    command: { key: string; externalId?: string; awaited?: boolean; detail?: string },
  ): Promise<void> {
    const options = { idempotencyKey: command.key, correlationId: saga.correlationId };
    const writes = transactionWrites(manager);
    // Inside a lineage batch the outbox row goes in the batch's statement at its end, with the command's own row.
    if (writes) writes.outbox.push(this.outbox.entry(manager, job, payload, options).row);
    else await this.outbox.add(manager, job, payload, options);
    await this.record(manager, saga, job, payload, command);
  }

  /**
   * Records a command the saga sends inside another one (an Account write-back riding in its Order's), as `send`
   * does but with nothing put on the outbox: its row (with its payload, so a refusal's retry can send it alone),
   * whether it is awaited, and its lineage hop.
   */
  async record<J extends JobName>(
    manager: EntityManager,
    saga: SagaEntity,
    job: J,
    payload: JobPayloads[J],
    command: { key: string; externalId?: string; awaited?: boolean; detail?: string },
  ): Promise<void> {
    await this.repository.insert(manager, [
      {
        key: command.key,
        sagaId: saga.sagaId,
        step: saga.step,
        job,
        status: command.awaited === false ? 'confirmed' : 'sent',
        externalId: command.externalId ?? null,
        payload: JSON.stringify(payload),
      },
    ]);
    if (command.awaited !== false && !saga.data.pending.includes(command.key))
      saga.data.pending.push(command.key);
    await this.lineage.record(
      {
        contractId: saga.contractId,
        system: SYSTEM_OF_JOB[job.split('.')[0] ?? ''] ?? 'revline',
        objectType: job,
        externalId: command.externalId ?? command.key,
        status: 'sent',
        correlationId: saga.correlationId,
        detail: command.detail ?? null,
      },
      manager,
    );
  }

  /** Sends a planned ERP command, awaited (a revenue batch's records are the caller's to record: recordRevenueParts). */
  async sendPlanned(manager: EntityManager, saga: SagaEntity, command: PlannedCommand): Promise<void> {
    const options = { key: command.key, externalId: command.externalId };
    switch (command.job) {
      case 'erp.upsert-customer':
        return this.send(manager, saga, command.job, command.payload, options);
      case 'erp.post-invoice':
        return this.send(manager, saga, command.job, command.payload, options);
      case 'erp.post-credit-memo':
        return this.send(manager, saga, command.job, command.payload, options);
      case 'erp.upsert-revenue-schedule':
        return this.send(manager, saga, command.job, command.payload, options);
      case 'erp.post-revenue-journal':
        return this.send(manager, saga, command.job, command.payload, options);
      case 'erp.post-revenue':
        return this.send(manager, saga, command.job, command.payload, {
          ...options,
          detail: `${String(command.payload.schedules.length)} schedules, ${String(command.payload.journals.length)} journals`,
        });
    }
  }

  /**
   * The saga's record of a revenue batch (`erp.post-revenue`): beside the batch's own saga_commands row (the one
   * command sent and awaited), a row per schedule and journal under the key each had as a command of its own, with
   * its job (`erp.upsert-revenue-schedule`, `erp.post-revenue-journal`), external id and payload. Those rows are
   * not awaited and send nothing; they follow the batch's answer record by record (confirmed with the ERP id, or
   * rejected), so the period recognition, the replays and the lineage see each journal as before.
   */
  async recordRevenueParts(
    manager: EntityManager,
    saga: SagaEntity,
    batch: JobPayloads['erp.post-revenue'],
  ): Promise<void> {
    await this.recordParts(manager, saga, revenueParts(saga, batch), batch.externalId);
  }

  /**
   * Records commands another one carries (`within`: its external id), each a row that sends nothing and is not
   * awaited, confirmed or rejected by the carrying command's answer, and a lineage hop.
   */
  async recordParts(
    manager: EntityManager,
    saga: SagaEntity,
    parts: readonly PlannedCommand[],
    within: string,
  ): Promise<void> {
    if (parts.length === 0) return;
    await this.repository.insert(
      manager,
      parts.map((p) => ({
        key: p.key,
        sagaId: saga.sagaId,
        step: saga.step,
        job: p.job,
        status: 'sent' as const,
        externalId: p.externalId,
        payload: JSON.stringify(p.payload),
      })),
    );
    await this.lineage.record(
      parts.map((p): LineageHop => ({
        contractId: saga.contractId,
        system: 'erp',
        objectType: p.job,
        externalId: p.externalId,
        status: 'sent',
        correlationId: saga.correlationId,
        detail: `in ${within}`,
      })),
      manager,
    );
  }

  /**
   * Marks a command confirmed with its target id and, for a revenue batch, each record the ERP posted (or found
   * nothing to post for) with its ERP id, in one statement; answers the external id the command was sent under
   * (undefined when no saga sent it). A caller that knows the command's row (`sent`: read with its saga) gets its
   * external id back at once, and the update goes in the transaction's batched statement.
   */
  async confirm(
    manager: EntityManager,
    saga: Pick<SagaEntity, 'eventId'>,
    key: string,
    targetId: string | null,
    postings: readonly ErpPostingOutcome[] = [],
    sent?: { externalId: string | null },
  ): Promise<string | null | undefined> {
    const confirmations = [
      // The records before the batch, so a saga parked by a refused journal sees that journal posted when the
      // batch's retry is confirmed.
      ...postings.map((p) => ({ key: sagaKey(saga.eventId, p.key), targetId: p.erpId || null })),
      { key, targetId },
    ];
    if (sent) {
      await this.repository.confirmLater(manager, confirmations);
      return sent.externalId;
    }
    return (await this.repository.confirm(manager, confirmations)).get(key);
  }

  /** Marks the records of a batch the ERP posted confirmed with their ERP ids, without the batch itself. */
  async confirmParts(
    manager: EntityManager,
    saga: Pick<SagaEntity, 'eventId'>,
    postings: readonly ErpPostingOutcome[],
  ): Promise<void> {
    await this.repository.confirm(
      manager,
      postings.map((p) => ({ key: sagaKey(saga.eventId, p.key), targetId: p.erpId || null })),
    );
  }

  /** Marks the batch's records the ERP refused rejected (still sent ones only: a confirmed record stays posted). */
  async rejectParts(
    manager: EntityManager,
    saga: Pick<SagaEntity, 'eventId'>,
    refused: NonNullable<ErpRejectedPayload['refused']>,
  ): Promise<void> {
    await this.repository.rejectSent(
      manager,
      refused.map((r) => sagaKey(saga.eventId, r.key)),
    );
  }

  /** Whether a command of the saga stands refused. */
  async hasRejected(manager: EntityManager, sagaId: string): Promise<boolean> {
    return this.repository.hasRejected(manager, sagaId);
  }
}
