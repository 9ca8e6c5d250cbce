import { Injectable } from '@nestjs/common';
import type { Principal } from '@revline/auth';
import { AuditLog } from '@revline/auth';
import { DomainError } from '@revline/http';
import { DataSource } from 'typeorm';
import type { MappingVersionDto } from './mapping-version.dto';
import { toMappingVersionDto } from './mapping-version.dto';
import { MappingVersionEntity } from './mapping-version.entity';
import type { ProposeMapping } from './mapping-requests';

/**
 * An admin proposes a new mapping version built on the active one, naming it (`baseVersion`); it does nothing until
 * another approves it. A proposal built on a version that is no longer active is refused (409, with the active
 * version), so an admin never silently drops what another approved since they read the mapping.
 */
export function staleBase(baseVersion: number | null, activeVersion: number | null): DomainError {
  return new DomainError(
    409,
    `The proposal is built on mapping version ${String(baseVersion)}, but version ${String(activeVersion)} is active now: read the active version, apply your change to it and propose again with baseVersion ${String(activeVersion)}`,
    [{ field: 'baseVersion', problem: `must be the active version (${String(activeVersion)})` }],
    { baseVersion, activeVersion },
  );
}

@Injectable()
export class ProposeMappingVersion {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async execute(body: ProposeMapping, actor: string, proposer: Principal): Promise<MappingVersionDto> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('q2c-mapping-versions'))`);
      const repo = manager.getRepository(MappingVersionEntity);
      const active = await repo.findOneBy({ status: 'active' });
      if (active?.version !== body.baseVersion) throw staleBase(body.baseVersion, active?.version ?? null);
      const last = await repo.find({ order: { version: 'DESC' }, take: 1 });
      const row = await repo.save(
        repo.create({
          version: (last[0]?.version ?? 0) + 1,
          status: 'proposed',
          basedOnVersion: active.version,
          definition: body.definition,
          summary: body.summary,
          proposedBy: actor,
          proposedByKeyId: proposer.keyId,
          proposedAt: new Date(),
          decidedBy: null,
          decidedAt: null,
          decisionReason: null,
          activatedAt: null,
        }),
      );
      await this.audit.append(
        {
          actor,
          action: 'mapping.propose',
          target: `mapping-version:${String(row.version)}`,
          before: { version: active.version, definition: active.definition },
          after: {
            version: row.version,
            status: row.status,
            summary: row.summary,
            definition: row.definition,
          },
        },
        manager,
      );
      return toMappingVersionDto(row);
    });
  }
}
