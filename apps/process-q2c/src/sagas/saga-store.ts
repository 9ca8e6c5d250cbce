import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SagaEntity } from './saga.entity';

/** Sagas in Postgres, each read under a row lock for the transaction that moves it. */
@Injectable()
export class SagaStore {
  async lock(manager: EntityManager, sagaId: string): Promise<SagaEntity | null> {
    return manager
      .getRepository(SagaEntity)
      .createQueryBuilder('s')
      .where('s.saga_id = :sagaId', { sagaId })
      .setLock('pessimistic_write')
      .getOne();
  }

  /** The saga that sent a command, by the command's idempotency key. */
  async bySentCommand(manager: EntityManager, key: string): Promise<{ sagaId: string; job: string } | null> {
    const rows = await manager.query<Array<{ saga_id: string; job: string }>>(
      `SELECT "saga_id", "job" FROM "q2c"."saga_commands" WHERE "idempotency_key" = $1`,
      [key],
    );
    const row = rows.at(0);
    return row ? { sagaId: row.saga_id, job: row.job } : null;
  }

  async save(manager: EntityManager, saga: SagaEntity): Promise<void> {
    await manager.getRepository(SagaEntity).save(saga);
  }
}
