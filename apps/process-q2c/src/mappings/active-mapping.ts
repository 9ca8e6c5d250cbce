import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import { prepared } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { CompiledMapping } from './mapping-definition';
import { compileMapping } from './mapping-definition';
import { MappingVersionEntity } from './mapping-version.entity';
import { Q2cConfig } from './q2c.config';

/**
 * The active mapping version, compiled and kept in memory. `cached()` serves the synchronous validation route
 * (at most MAPPING_CACHE_TTL_MS stale on other instances; invalidated at once on this one when a version is
 * approved); `current()` checks the active version number first, so normalisation always uses the version
 * active when it runs.
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
