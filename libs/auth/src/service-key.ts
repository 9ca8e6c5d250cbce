import type { DataSource } from 'typeorm';
import { ApiKeyEntity } from './entities';
import { hashApiKey } from './api-keys.service';
import type { Role } from './roles';

/** Owners of the apps' configured service keys (`service:<app>`); no minted key can take one. */
export const isServiceOwner = (owner: string | undefined): boolean => owner?.startsWith('service:') ?? false;

/** How a configured service API key is recorded in the shared key table. */
export interface ServiceKeySpec {
  name: string;
  roles: Role[];
  createdBy: string;
  /** The service the key acts for, e.g. `service:process-q2c`. */
  owner: string;
}

/**
 * Registers a configured service API key in the shared key table at start, the way the bootstrap admin key is:
 * inserted once by its hash (insert-or-ignore), never changed afterwards, so revoking it through /v1/api-keys
 * sticks. Resolves true when the key was inserted now, false when it was already there.
 */
export async function registerServiceApiKey(
  dataSource: DataSource,
  key: string,
  spec: ServiceKeySpec,
): Promise<boolean> {
  const result = await dataSource
    .createQueryBuilder()
    .insert()
    .into(ApiKeyEntity)
    .values({
      name: spec.name,
      prefix: key.slice(0, 8),
      keyHash: hashApiKey(key),
      roles: spec.roles,
      createdBy: spec.createdBy,
      owner: spec.owner,
      mintedByOwners: [],
    })
    .orIgnore()
    .returning(['id'])
    .execute();
  return (result.raw as unknown[]).length > 0;
}
