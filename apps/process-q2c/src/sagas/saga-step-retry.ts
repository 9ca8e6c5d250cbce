import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { ActiveMapping } from '../mappings/active-mapping';
import { RefusedCommands } from './refused-commands.repository';
import { SAGA_STATUS } from './saga-data';
import { retriesOf } from './saga-retries';
import { SagaRunner } from './saga-runner';
import { SagaStore } from './saga-store';
import type { SagaEntity } from './saga.entity';

export type StepRetry = { resend: 'replanned' } | { resend: 'envelope' } | { resend: 'none'; note: string };

/**
 * An operator's retry of a command a system refused, once the cause is fixed, in the caller's transaction.
 *
 * A billing command is planned again, with the catalogue of the mapping version active now (the fix is often a
 * mapping), and sent under a new idempotency key: Stripe keeps the answer of a key and refuses it with other
 * parameters. The refused command is superseded. An ERP or Salesforce command is sent again as it was, under its
 * key (a NetSuite upsert by external id, a Salesforce update of values: repeating either posts nothing twice); the
 * caller puts its envelope back on its queue.
 */
@Injectable()
export class SagaStepRetry {
  constructor(
    private readonly store: SagaStore,
    private readonly runner: SagaRunner,
    private readonly lineage: LineageRecorder,
    private readonly mapping: ActiveMapping,
    private readonly commands: RefusedCommands,
  ) {}

  async retry(manager: EntityManager, sagaId: string, key: string): Promise<StepRetry> {
    const command = await this.commands.find(manager, sagaId, key);
    if (!command) return { resend: 'none', note: `the saga did not send ${key}` };
    if (command.status !== 'rejected')
      return { resend: 'none', note: `${key} is ${command.status}, not refused` };
    if (command.job.startsWith('billing.')) {
      const active = await this.mapping.current(manager);
      await this.runner.within(manager, sagaId, async (saga) => {
        await this.commands.setStatus(manager, key, 'superseded');
        saga.data.pending = saga.data.pending.filter((k) => k !== key);
        saga.data.catalogueVersion = active.version;
        const n = this.count(saga, command.step);
        saga.step = command.step;
        saga.status = SAGA_STATUS.running;
        await this.hop(
          manager,
          saga,
          command.job,
          `${key}#${String(n)}`,
          `planned again with mapping version ${String(active.version)}`,
        );
      });
      return { resend: 'replanned' };
    }
    const saga = await this.store.lock(manager, sagaId);
    if (!saga) return { resend: 'none', note: `no saga ${sagaId}` };
    await this.commands.setStatus(manager, key, 'sent');
    const n = this.count(saga, command.step);
    await this.store.save(manager, saga);
    await this.hop(manager, saga, command.job, `${key}#${String(n)}`, 'sent again');
    return { resend: 'envelope' };
  }

  private count(saga: SagaEntity, step: string): number {
    const n = retriesOf(saga, step) + 1;
    saga.data.retries = { ...saga.data.retries, [step]: n };
    return n;
  }

  private async hop(
    manager: EntityManager,
    saga: SagaEntity,
    job: string,
    externalId: string,
    detail: string,
  ): Promise<void> {
    const system = job.startsWith('billing.') ? 'billing' : job.startsWith('crm.') ? 'salesforce' : 'erp';
    await this.lineage.record(
      {
        contractId: saga.contractId,
        system,
        objectType: job,
        externalId,
        status: 'retried',
        correlationId: saga.correlationId,
        detail,
      },
      manager,
    );
  }
}
