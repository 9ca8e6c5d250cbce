import type { EntityManager } from 'typeorm';
import { IsNull, LessThanOrEqual, Not } from 'typeorm';
import { ApiKeyEntity } from './entities';
import type { ConfiguredKeySpec } from './service-key';

/** Serialises the registrations of configured keys across instances starting together. */
export async function lockConfiguredKeys(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('revline-configured-keys'))`);
}

/** Inserts the configured key once by its hash (insert-or-ignore), answering its row and whether it is new. */
export async function insertConfiguredKey(
  manager: EntityManager,
  stored: { prefix: string; keyHash: string },
  spec: ConfiguredKeySpec,
): Promise<{ row: ApiKeyEntity; inserted: boolean }> {
  const { prefix, keyHash } = stored;
  const result = await manager
    .createQueryBuilder()
    .insert()
    .into(ApiKeyEntity)
    .values({
      name: spec.name,
      prefix,
      keyHash,
      roles: spec.roles,
      createdBy: spec.createdBy,
      owner: spec.owner,
      mintedByOwners: [],
    })
    .orIgnore()
    .returning(['id'])
    .execute();
  const row = await manager.getRepository(ApiKeyEntity).findOneByOrFail({ keyHash });
  return { row, inserted: (result.raw as unknown[]).length > 0 };
}

/**
 * The live keys an earlier value of the same variable registered: same name, owner and creator, registered no later
 * than the configured key (so an instance still on an old value, restarting during a change, revokes nothing new).
 */
export function staleConfiguredKeys(
  manager: EntityManager,
  current: ApiKeyEntity,
  spec: ConfiguredKeySpec,
): Promise<ApiKeyEntity[]> {
  return manager.getRepository(ApiKeyEntity).find({
    where: {
      id: Not(current.id),
      name: spec.name,
      owner: spec.owner,
      createdBy: spec.createdBy,
      revokedAt: IsNull(),
      createdAt: LessThanOrEqual(current.createdAt),
    },
    lock: { mode: 'pessimistic_write' },
  });
}
