import { Injectable } from '@nestjs/common';
import type { Principal } from '@revline/auth';
import { AuditLog, MakerChecker } from '@revline/auth';
import { DomainError } from '@revline/http';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { ActiveMapping } from './active-mapping';
import type { MappingVersionDto } from './mapping-version.dto';
import { toMappingVersionDto } from './mapping-version.dto';
import { MappingVersionEntity } from './mapping-version.entity';

async function lockedProposal(manager: EntityManager, version: number): Promise<MappingVersionEntity> {
  const row = await manager
    .getRepository(MappingVersionEntity)
    .createQueryBuilder('m')
    .where('m.version = :version', { version })
    .setLock('pessimistic_write')
    .getOne();
  if (!row) throw new DomainError(404, `Mapping version ${String(version)} does not exist`);
  if (row.status !== 'proposed') {
    throw new DomainError(
      409,
      `Mapping version ${String(version)} is ${row.status}, not proposed: only a proposal can be approved or rejected`,
    );
  }
  return row;
}

/**
 * Maker-checker: a second person (an admin whose key is not the proposer's owner's, nor minted from theirs) approves a
 * proposal, which becomes the one active version (the previous one is
 * superseded) in one transaction with its audit row. A proposal whose base version is no longer active is refused
 * (409 with both versions) and stays a proposal until it is rejected: it must be proposed again on the active
 * version, so an approval never silently undoes a change approved in between.
 */
@Injectable()
export class ApproveMappingVersion {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly active: ActiveMapping,
    private readonly makerChecker: MakerChecker,
  ) {}

  async execute(
    version: number,
    approver: Principal,
    actor: string,
    reason: string | undefined,
  ): Promise<MappingVersionDto> {
    const dto = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('q2c-mapping-versions'))`);
      const proposal = await lockedProposal(manager, version);
      await this.makerChecker.assertSecondPerson(
        proposal.proposedByKeyId,
        approver,
        `Mapping version ${String(version)}`,
      );
      const repo = manager.getRepository(MappingVersionEntity);
      const current = await repo.findOneBy({ status: 'active' });
      if ((current?.version ?? null) !== proposal.basedOnVersion) {
        throw new DomainError(
          409,
          `Mapping version ${String(version)} was proposed against version ${String(proposal.basedOnVersion)}, but version ${String(current?.version)} is active now: propose it again against the active version (and reject this one)`,
          undefined,
          { baseVersion: proposal.basedOnVersion, activeVersion: current?.version ?? null },
        );
      }
      const now = new Date();
      if (current) await repo.update({ id: current.id }, { status: 'superseded' });
      Object.assign(proposal, {
        status: 'active',
        decidedBy: actor,
        decidedAt: now,
        decisionReason: reason ?? null,
        activatedAt: now,
      });
      await repo.save(proposal);
      await this.audit.append(
        {
          actor,
          action: 'mapping.approve',
          target: `mapping-version:${String(version)}`,
          before: { activeVersion: current?.version ?? null, status: 'proposed' },
          after: { activeVersion: version, status: 'active', reason: reason ?? null },
        },
        manager,
      );
      return toMappingVersionDto(proposal);
    });
    this.active.invalidate();
    return dto;
  }
}

/** Any integration admin may reject a proposal (the proposer too: a withdrawal), with a reason. */
@Injectable()
export class RejectMappingVersion {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async execute(version: number, actor: string, reason: string): Promise<MappingVersionDto> {
    return this.dataSource.transaction(async (manager) => {
      const proposal = await lockedProposal(manager, version);
      Object.assign(proposal, {
        status: 'rejected',
        decidedBy: actor,
        decidedAt: new Date(),
        decisionReason: reason,
      });
      await manager.getRepository(MappingVersionEntity).save(proposal);
      await this.audit.append(
        {
          actor,
          action: 'mapping.reject',
          target: `mapping-version:${String(version)}`,
          before: { status: 'proposed' },
          after: { status: 'rejected', reason },
        },
        manager,
      );
      return toMappingVersionDto(proposal);
    });
  }
}
