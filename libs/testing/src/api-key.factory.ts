import { ApiKeyEntity, hashApiKey } from '@revline/auth';
import type { Role } from '@revline/auth';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** Inserts an API key with the given roles and returns the key itself, for `Authorization: Bearer <key>`. */
export async function seedApiKey(
  dataSource: DataSource,
  roles: Role[],
  name = `test ${roles.join('+')}`,
  owner = `person:test-${randomBytes(6).toString('hex')}`,
): Promise<string> {
  const key = `rvl_test_${randomBytes(24).toString('base64url')}`;
  await dataSource
    .getRepository(ApiKeyEntity)
    .insert({ name, prefix: key.slice(0, 8), keyHash: hashApiKey(key), roles, createdBy: 'test', owner });
  return key;
}

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
