import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { AuthConfig } from '@revline/config';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AuditLog } from './audit-log.service';
import { ApiKeyEntity } from './entities';
import { insertConfiguredKey, lockConfiguredKeys, staleConfiguredKeys } from './configured-keys.repository';
import { RevocationBus } from './revocation-bus';
import type { ConfiguredKeySpec } from './service-key';
import type { Role } from './roles';
import { ROLES } from './roles';

/** Who a key acts for: its owner (a person's id or a service name) and the owners of the keys that minted it. */
export interface KeyOwnership {
  owner: string;
  mintedByOwners: string[];
}

export interface Principal extends KeyOwnership {
  keyId: string;
  name: string;
  roles: Role[];
}

function toPrincipal(entity: ApiKeyEntity): Principal {
  return {
    keyId: entity.id,
    name: entity.name,
    roles: entity.roles,
    owner: entity.owner,
    mintedByOwners: entity.mintedByOwners,
  };
}

/** The owner of the bootstrap admin key. */
export const BOOTSTRAP_OWNER = 'bootstrap-admin';

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  roles: Role[];
  createdBy: string;
  owner: string;
  mintedByOwners: string[];
  createdAt: string;
  revokedAt: string | null;
}

const CACHE_MS = 5_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function toSummary(entity: ApiKeyEntity): ApiKeySummary {
  return {
    id: entity.id,
    name: entity.name,
    prefix: entity.prefix,
    roles: entity.roles,
    createdBy: entity.createdBy,
    owner: entity.owner,
    mintedByOwners: entity.mintedByOwners,
    createdAt: entity.createdAt.toISOString(),
    revokedAt: entity.revokedAt?.toISOString() ?? null,
  };
}

/**
 * API keys: random 256-bit secrets, stored as SHA-256 (a slow hash adds nothing for keys this long and would
 * cost every request). Lookups are cached for a few seconds, and only while the app hears revocations: a
 * revocation is published to every app (RevocationBus), each of which forgets the key at once.
 */
@Injectable()
export class ApiKeys implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeys.name);
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  /** Counts revocations heard, so a lookup that raced one does not cache what it read before it. */
  private revocationsHeard = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly config: AuthConfig,
    private readonly revocations: RevocationBus,
  ) {}

  onModuleInit(): void {
    this.revocations.onRevoked((keyId) => {
      this.forget(keyId);
    });
    this.revocations.onDeaf(() => {
      this.revocationsHeard += 1;
      this.cache.clear();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.BOOTSTRAP_ADMIN_API_KEY;
    if (!key) return;
    await this.registerConfigured(key, {
      variable: 'BOOTSTRAP_ADMIN_API_KEY',
      name: 'bootstrap admin',
      roles: [...ROLES],
      createdBy: 'bootstrap',
      owner: BOOTSTRAP_OWNER,
    });
  }

  /**
   * Registers a key configured by an environment variable at start: inserted once by its hash (insert-or-ignore,
   * never changed afterwards, so revoking it through /v1/api-keys sticks), and the keys an earlier value of the
   * variable registered are revoked (audited, and heard by every app within a second), so changing the variable
   * retires the old key. A configured key that was revoked stays revoked and retires nothing. Resolves whether the
   * key was inserted now.
   */
  async registerConfigured(key: string, spec: ConfiguredKeySpec): Promise<boolean> {
    const stored = { prefix: key.slice(0, 8), keyHash: hashApiKey(key) };
    const { inserted, revoked } = await this.dataSource.transaction(async (manager) => {
      await lockConfiguredKeys(manager);
      const { row, inserted } = await insertConfiguredKey(manager, stored, spec);
      if (row.revokedAt) return { inserted, revoked: [] };
      const stale = await staleConfiguredKeys(manager, row, spec);
      for (const old of stale) await this.revokeIn(manager, old, `config:${spec.variable}`);
      return { inserted, revoked: stale.map((old) => old.id) };
    });
    if (inserted) this.logger.log(`Registered the API key of ${spec.variable}`);
    for (const id of revoked) {
      this.logger.log(`Revoked API key ${id}: ${spec.variable} no longer holds it`);
      this.forget(id);
      await this.revocations.publish(id);
    }
    return inserted;
  }

  /**
   * Mints a key. It is the minter's owner's unless `owner` names another; either way it remembers every owner up its
   * minting chain, who each saw a key on the way and so count as the same person for maker-checker.
   */
  async create(
    request: { name: string; roles: Role[]; owner?: string },
    minter: Principal,
    actor: string,
  ): Promise<{ key: string; summary: ApiKeySummary }> {
    const { name, roles } = request;
    const owner = request.owner ?? minter.owner;
    const mintedByOwners = [...new Set([...minter.mintedByOwners, minter.owner])].filter((o) => o !== owner);
    const key = `rvl_${randomBytes(32).toString('base64url')}`;
    const saved = await this.dataSource.transaction(async (manager) => {
      const entity = await manager.getRepository(ApiKeyEntity).save({
        name,
        prefix: key.slice(0, 8),
        keyHash: hashApiKey(key),
        roles,
        createdBy: actor,
        owner,
        mintedByOwners,
        revokedAt: null,
      });
      await this.audit.append(
        { actor, action: 'api-key.create', target: entity.id, after: { name, roles, owner, mintedByOwners } },
        manager,
      );
      return entity;
    });
    return { key, summary: toSummary(saved) };
  }

  async list(): Promise<ApiKeySummary[]> {
    const rows = await this.dataSource.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC' } });
    return rows.map(toSummary);
  }

  async revoke(id: string, actor: string): Promise<ApiKeySummary> {
    const revoked = await this.dataSource.transaction(async (manager) => {
      const entity = await manager
        .getRepository(ApiKeyEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!entity) throw new NotFoundException(`No API key with id ${id}`);
      if (!entity.revokedAt) await this.revokeIn(manager, entity, actor);
      return entity;
    });
    this.forget(id);
    await this.revocations.publish(id);
    return toSummary(revoked);
  }

  /** Revokes a live key (locked by the caller) in the caller's transaction, audited. */
  private async revokeIn(manager: EntityManager, entity: ApiKeyEntity, actor: string): Promise<void> {
    entity.revokedAt = new Date();
    await manager.getRepository(ApiKeyEntity).save(entity);
    await this.audit.append(
      {
        actor,
        action: 'api-key.revoke',
        target: entity.id,
        before: { revokedAt: null },
        after: { revokedAt: entity.revokedAt },
      },
      manager,
    );
  }

  /**
   * What the cache knows of a presented key without asking the database: its principal, null when it is known to
   * be unknown or revoked, undefined when it is not cached (or the cache cannot be trusted: revocations unheard).
   */
  cachedPrincipal(key: string): Principal | null | undefined {
    if (!this.revocations.listening) return undefined;
    const cached = this.cache.get(hashApiKey(key));
    return cached && cached.until > Date.now() ? cached.principal : undefined;
  }

  /** The principal a presented key stands for, or null when the key is unknown or revoked. */
  async authenticate(key: string): Promise<Principal | null> {
    const cached = this.cachedPrincipal(key);
    if (cached !== undefined) return cached;
    const keyHash = hashApiKey(key);
    const heard = this.revocationsHeard;
    const entity = await this.dataSource
      .getRepository(ApiKeyEntity)
      .findOne({ where: { keyHash, revokedAt: IsNull() } });
    const principal = entity ? toPrincipal(entity) : null;
    if (this.cache.size > 10_000) this.cache.clear();
    if (heard === this.revocationsHeard) this.cache.set(keyHash, { principal, until: Date.now() + CACHE_MS });
    return principal;
  }

  /** The principal of a key by its id, or null when there is no such key or it has been revoked. */
  async principalOf(keyId: string): Promise<Principal | null> {
    const entity = await this.dataSource
      .getRepository(ApiKeyEntity)
      .findOne({ where: { id: keyId, revokedAt: IsNull() } });
    return entity ? toPrincipal(entity) : null;
  }

  /** Who a key (revoked or not) acts for, or null when there is no such key. */
  async ownership(keyId: string): Promise<KeyOwnership | null> {
    const entity = await this.dataSource.getRepository(ApiKeyEntity).findOneBy({ id: keyId });
    return entity ? { owner: entity.owner, mintedByOwners: entity.mintedByOwners } : null;
  }

  /** Drops a revoked key from this process's cache. */
  private forget(keyId: string): void {
    this.revocationsHeard += 1;
    for (const [keyHash, entry] of this.cache)
      if (entry.principal?.keyId === keyId) this.cache.delete(keyHash);
  }
}
