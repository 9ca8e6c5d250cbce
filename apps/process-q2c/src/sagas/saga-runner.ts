import { Injectable } from '@nestjs/common';
import type { BusinessError, ErpPostingOutcome } from '@revline/messaging';
import { inStoredTrace } from '@revline/observability';
import { transaction } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { LineageHop } from '../lineage/lineage-recorder';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { ExceptionResolutions } from '../shared/exception-resolutions';
import { SAGA_STATUS } from './saga-data';
import { SagaCommands } from './saga-commands';
import { SagaEngine } from './saga-engine';
import { REJECTION_CATEGORIES } from './saga-rejections';
import { baseKey } from './saga-retries';
import { SagaStore } from './saga-store';
import type { SagaEntity } from './saga.entity';

/** A command a saga sent, found by its key, with the saga locked. */
export type SentCommand = Awaited<ReturnType<SagaStore['lockAllBySentCommands']>>[number];

/**
 * Applies what a message tells a saga and moves it on, in the caller's transaction (the message's inbox row);
 * when the saga completes, the next change of the same contract, which waited for it, moves on too. The lineage
 * hops of the whole run are written together, at its end.
 */
@Injectable()
export class SagaRunner {
  constructor(
    private readonly store: SagaStore,
    private readonly engine: SagaEngine,
    private readonly lineage: LineageRecorder,
    private readonly dataSource: DataSource,
    private readonly commands: SagaCommands,
    private readonly exceptions: ExceptionResolutions,
  ) {}

  /**
   * The sagas that sent these commands, locked in one statement (in saga order, so two batches of confirmations
   * never wait on each other), each moved on once with its own commands; answers the commands found (a key no
   * saga sent is absent). A saga of a contract whose earlier saga completed in this run may have been moved on as
   * its successor: it is read again (its lock is held), not taken as it was locked.
   */
  async withSendersOf(
    manager: EntityManager,
    keys: readonly string[],
    apply: (saga: SagaEntity, commands: readonly SentCommand[]) => Promise<void>,
  ): Promise<SentCommand[]> {
    if (keys.length === 0) return [];
    const sent = await this.store.lockAllBySentCommands(manager, keys);
    const groups = new Map<string, { saga: SagaEntity; commands: SentCommand[] }>();
    for (const command of sent) {
      const group = groups.get(command.saga.sagaId) ?? { saga: command.saga, commands: [] };
      group.commands.push(command);
      groups.set(command.saga.sagaId, group);
    }
    const contractsMoved = new Set<string>();
    for (const { saga: locked, commands } of groups.values()) {
      const current = contractsMoved.has(locked.contractId) ? locked.sagaId : locked;
      contractsMoved.add(locked.contractId);
      await this.within(manager, current, (saga) => apply(saga, commands));
    }
    return sent;
  }

  /** The saga by its id, or one the caller locked already in this transaction. */
  async within(
    manager: EntityManager,
    saga: string | SagaEntity,
    apply: (saga: SagaEntity) => Promise<void> | void = () => undefined,
  ): Promise<SagaEntity | null> {
    return this.lineage.batch(manager, () => this.run(manager, saga, apply));
  }

  private async run(
    manager: EntityManager,
    sagaOrId: string | SagaEntity,
    apply: (saga: SagaEntity) => Promise<void> | void,
  ): Promise<SagaEntity | null> {
    const saga = typeof sagaOrId === 'string' ? await this.store.lock(manager, sagaOrId) : sagaOrId;
    if (!saga) return null;
    return inStoredTrace(`saga ${saga.kind} ${saga.step}`, saga.data, () => this.move(manager, saga, apply));
  }

  private async move(
    manager: EntityManager,
    saga: SagaEntity,
    apply: (saga: SagaEntity) => Promise<void> | void,
  ): Promise<SagaEntity> {
    const wasParked = saga.status === SAGA_STATUS.parked;
    await apply(saga);
    if (saga.status !== SAGA_STATUS.parked || wasParked) {
      await this.engine.advance(manager, saga);
    }
    // A saga that moved on is no longer in error: the lineage keeps the exception it was in.
    if (wasParked && saga.status !== SAGA_STATUS.parked) saga.lastError = null;
    await this.store.save(manager, saga);
    if (wasParked && saga.status !== SAGA_STATUS.parked)
      await this.exceptions.sagaMovedOn(manager, saga.sagaId);
    if (saga.status === SAGA_STATUS.completed) {
      const next = await this.engine.successorOf(manager, saga);
      if (next) await this.run(manager, next, () => undefined);
    }
    return saga;
  }

  /**
   * Marks a command confirmed and no longer awaited; false when the saga was not waiting for it. Nothing here needs
   * the row's external id: the update goes in the transaction's batched statement.
   */
  async confirm(
    manager: EntityManager,
    saga: SagaEntity,
    key: string,
    targetId: string | null,
  ): Promise<boolean> {
    return (await this.confirmPosting(manager, saga, key, targetId, [], { externalId: null })).awaited;
  }

  /**
   * Marks a command confirmed and no longer awaited, with (for a revenue batch) the records the ERP posted, in one
   * statement; answers whether the saga was waiting for it, and the external id the command was sent under (`sent`:
   * as read with the saga, the update then going in the transaction's batched statement).
   */
  async confirmPosting(
    manager: EntityManager,
    saga: SagaEntity,
    key: string,
    targetId: string | null,
    postings: readonly ErpPostingOutcome[] = [],
    sent?: { externalId: string | null },
  ): Promise<{ awaited: boolean; externalId: string | null | undefined }> {
    const externalId = await this.commands.confirm(manager, saga, key, targetId, postings, sent);
    // A command a system refused went through after its retry: its exception is closed.
    if (saga.data.retries)
      await this.exceptions.commandConfirmed(manager, baseKey(key), REJECTION_CATEGORIES);
    const before = saga.data.pending.length;
    saga.data.pending = saga.data.pending.filter((k) => k !== key);
    const awaited = saga.data.pending.length < before;
    // A confirmation the saga did not wait for (a period recognition's catch-up journal) leaves a parked saga parked,
    // and so does one of another command while a command the ERP refused is still unconfirmed: that refusal is what
    // parked it, and only its retry moves it on.
    if (
      saga.status === SAGA_STATUS.parked &&
      awaited &&
      !(await this.commands.hasRejected(manager, saga.sagaId))
    ) {
      saga.status = SAGA_STATUS.running;
    }
    return { awaited, externalId };
  }

  /** Parks a saga after a business exception, in a transaction of its own (the message's was rolled back). */
  async park(sagaId: string, error: BusinessError, hop?: Partial<LineageHop>): Promise<void> {
    await transaction(this.dataSource, async (manager) => {
      const saga = await this.store.lock(manager, sagaId);
      if (!saga) return;
      saga.status = SAGA_STATUS.parked;
      saga.lastError = `${error.category}: ${error.message}`;
      await this.store.save(manager, saga);
      await this.lineage.record(
        {
          contractId: saga.contractId,
          system: 'revline',
          objectType: 'Saga',
          externalId: saga.sagaId,
          status: 'exception',
          correlationId: saga.correlationId,
          detail: saga.lastError,
          ...hop,
        },
        manager,
      );
    });
  }
}
