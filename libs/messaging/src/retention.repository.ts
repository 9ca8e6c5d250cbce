import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RetentionTarget } from './retention-target';

/** The SQL of retention: one batch of a table's rows older than a cutoff. */
@Injectable()
export class RetentionRepository {
  /**
   * Deletes up to `limit` rows whose `column` is before `cutoff`, found through the column's index; rows another
   * pruner holds are skipped (SKIP LOCKED), so replicas prune side by side. Returns the rows deleted.
   */
  async pruneBatch(
    manager: EntityManager,
    target: RetentionTarget,
    cutoff: Date,
    limit: number,
  ): Promise<number> {
    const table = `"${target.schema}"."${target.table}"`;
    const [, count] = await manager.query<[unknown[], number]>(
      `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM ${table} WHERE "${target.column}" < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))`,
      [cutoff, limit],
    );
    return count;
  }
}
