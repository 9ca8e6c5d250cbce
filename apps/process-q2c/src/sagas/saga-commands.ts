import { Injectable } from '@nestjs/common';
import type { JobName, JobPayloads } from '@revline/messaging';
import { Outbox } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import type { LineageHop } from '../lineage/lineage-recorder';
import { LineageRecorder } from '../lineage/lineage-recorder';
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
  ) {}

  async send<J extends JobName>(
    manager: EntityManager,
    saga: SagaEntity,
    job: J,
    payload: JobPayloads[J],
    command: { key: string; externalId?: string; awaited?: boolean; detail?: string },
  ): Promise<void> {
    await this.outbox.add(manager, job, payload, {
      idempotencyKey: command.key,
      correlationId: saga.correlationId,
    });
    await manager.query(
      `INSERT INTO "q2c"."saga_commands" ("idempotency_key", "saga_id", "step", "job", "status", "external_id", "payload")
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT ("idempotency_key") DO NOTHING`,
      [
        command.key,
        saga.sagaId,
        saga.step,
        job,
        command.awaited === false ? 'confirmed' : 'sent',
        command.externalId ?? null,
        JSON.stringify(payload),
      ],
    );
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
}
