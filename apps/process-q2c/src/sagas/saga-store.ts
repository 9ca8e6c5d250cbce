import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SagaCommandsRepository } from './saga-commands.repository';
import type { SagaEntity } from './saga.entity';
import { SagasRepository } from './sagas.repository';

/** Sagas in Postgres, each read under a row lock for the transaction that moves it. */
@Injectable()
export class SagaStore {
  constructor(
    private readonly sagas: SagasRepository,
    private readonly commands: SagaCommandsRepository,
  ) {}

  async lock(manager: EntityManager, sagaId: string): Promise<SagaEntity | null> {
    return this.sagas.lock(manager, sagaId);
  }

  /**
   * The saga that sent a command, locked, and the command's job and external id (see
   * SagasRepository.lockBySentCommand).
   */
  async lockBySentCommand(
    manager: EntityManager,
    key: string,
  ): Promise<{ saga: SagaEntity; job: string; externalId: string | null } | null> {
    return this.sagas.lockBySentCommand(manager, key);
  }

  /** The sagas that sent these commands, locked in saga order (SagasRepository.lockAllBySentCommands). */
  async lockAllBySentCommands(
    manager: EntityManager,
    keys: readonly string[],
  ): Promise<Array<{ key: string; saga: SagaEntity; job: string; externalId: string | null }>> {
    return this.sagas.lockAllBySentCommands(manager, keys);
  }

  /** The saga that sent a command, by the command's idempotency key. */
  async bySentCommand(manager: EntityManager, key: string): Promise<{ sagaId: string; job: string } | null> {
    return this.commands.sentBy(manager, key);
  }

  async save(manager: EntityManager, saga: SagaEntity): Promise<void> {
    await this.sagas.save(manager, saga);
  }
}
