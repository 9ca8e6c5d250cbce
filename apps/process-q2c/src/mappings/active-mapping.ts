import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import { prepared } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { CompiledMapping } from './mapping-definition';
import { compileMapping } from './mapping-definition';
import { MappingVersionEntity } from './mapping-version.entity';
import { Q2cConfig } from './q2c.config';

/** The version normalisation assumed is no longer the active one (another instance approved one): start again. */
export class MappingChanged extends Error {
  constructor(
    readonly assumed: number,
    readonly active: number | null,
  ) {
    super(`Mapping version ${String(assumed)} is no longer active (${String(active)} is)`);
  }
}

/**
 * The active mapping version, compiled and kept in memory. `cached()` serves the synchronous validation route
 * (at most MAPPING_CACHE_TTL_MS stale on other instances; invalidated at once on this one when a version is
 * approved); `current()` checks the active version number first; normalisation uses `assumed()` and confirms it
 * in its transaction, so it too always uses the version active when it runs.
 */
@Injectable()
export class ActiveMapping {
  private compiled?: CompiledMapping;
  private loadedAt = 0;
  private loading?: Promise<CompiledMapping>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: Q2cConfig,
  ) {}

  async cached(): Promise<CompiledMapping> {
    if (this.compiled && Date.now() - this.loadedAt < this.config.MAPPING_CACHE_TTL_MS) return this.compiled;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /**
   * The version held in memory, read only when none is: normalisation assumes it and has the transaction confirm it
   * (EventStore.appendUnderMapping, or `confirm`), so it reads no version first. Approval on another instance does not
   * reach this one's memory: the confirmation finds it, and the caller invalidates and starts again.
   */
  async assumed(): Promise<CompiledMapping> {
    if (this.compiled) return this.compiled;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** MappingChanged unless `mapping` is the active version, as the caller's transaction reads it. */
  async confirm(manager: EntityManager, mapping: CompiledMapping): Promise<void> {
    const { rows } = await prepared<{ version: number }>(
      manager,
      `SELECT "version" FROM "q2c"."mapping_versions" WHERE "status" = 'active'`,
      [],
    );
    const active = rows[0]?.version ?? null;
    if (active !== mapping.version) throw new MappingChanged(mapping.version, active);
  }

  async current(manager: EntityManager = this.dataSource.manager): Promise<CompiledMapping> {
    const { rows } = await prepared<{ version: number }>(
      manager,
      `SELECT "version" FROM "q2c"."mapping_versions" WHERE "status" = 'active'`,
      [],
    );
    const version = rows[0]?.version;
    if (this.compiled && this.compiled.version === version) return this.compiled;
    return this.load(manager);
  }

  /**
   * A chosen version, compiled, for previews: the active one from the cache, any other proposed or approved one
   * (proposed, active or superseded) read from the database. 404 for an unknown version, 409 for a rejected one.
   */
  async version(version: number): Promise<CompiledMapping> {
    const active = await this.cached();
    if (active.version === version) return active;
    const row = await this.dataSource.getRepository(MappingVersionEntity).findOneBy({ version });
    if (!row) throw new DomainError(404, `Mapping version ${String(version)} does not exist`);
    if (row.status === 'rejected')
      throw new DomainError(
        409,
        `Mapping version ${String(version)} was rejected: preview against a proposed, active or superseded version`,
      );
    return compileMapping(row.version, row.definition);
  }

  invalidate(): void {
    this.compiled = undefined;
    this.loadedAt = 0;
  }

  private async load(manager: EntityManager = this.dataSource.manager): Promise<CompiledMapping> {
    const row = await manager.getRepository(MappingVersionEntity).findOneBy({ status: 'active' });
    if (!row) throw new Error('No mapping version is active: the MappingVersions migration seeds version 1');
    this.compiled = compileMapping(row.version, row.definition);
    this.loadedAt = Date.now();
    return this.compiled;
  }
}
