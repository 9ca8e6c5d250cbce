import { Injectable } from '@nestjs/common';
import { AuditLog } from '@revline/auth';
import { DomainError } from '@revline/http';
import { Outbox } from '@revline/messaging';
import { v7 as uuidv7 } from 'uuid';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import type { PlannedCommand } from '../sagas/erp-plan';
import { SAGA_STATUS } from '../sagas/saga-data';
import type { SagaData } from '../sagas/saga-data';
import type { ReplayCommandDto, ReplayRequestDto, ReplayResultDto, SkippedSagaDto } from './replay.dto';
import type { ReplaySaga } from './replay-planner';
import { ReplayPlanner } from './replay-planner';

/** The most sagas one replay covers; a wider window is split by the caller. */
export const REPLAY_MAX_SAGAS = 500;

type Scope = { contractId: string } | { from: Date; to: Date };

interface SagaRow {
  saga_id: string;
  event_id: string;
  kind: string;
  contract_id: string;
  correlation_id: string;
  status: string;
  data: SagaData;
}

/** The scope of a replay from its request: one contract, or a window; anything else names the field at fault. */
export function scopeOf(body: ReplayRequestDto): Scope {
  const window = body.from !== undefined || body.to !== undefined;
  if (body.contractId !== undefined && window) {
    throw new DomainError(400, 'Give either contractId or from and to, not both', [
      { field: 'contractId', problem: 'must not be given with from/to' },
    ]);
  }
  if (body.contractId !== undefined) return { contractId: body.contractId };
  if (!window) {
    throw new DomainError(400, 'Give contractId, or from and to', [
      { field: 'contractId', problem: 'is required unless from and to are given' },
    ]);
  }
  if (body.from === undefined || body.to === undefined) {
    const field = body.from === undefined ? 'from' : 'to';
    throw new DomainError(400, `${field} is required with ${field === 'from' ? 'to' : 'from'}`, [
      { field, problem: 'is required' },
    ]);
  }
  const from = new Date(body.from);
  const to = new Date(body.to);
  if (!(from < to)) {
    throw new DomainError(400, 'to must be after from', [{ field: 'to', problem: 'must be after from' }]);
  }
  return { from, to };
}

/**
 * Replays a contract or a window through the ERP side of the chain. A dry run lists, per command, what the saga
 * would post now beside what it posted. A real replay sends every command of the completed sagas again with its
 * deterministic ERP external id (NetSuite upserts by `eid:`, revenue journals post only their difference), so
 * what is missing is restored and nothing is posted twice; the message key gets a replay suffix so the ERP
 * system API's inbox lets the command through. Sagas not completed are skipped: they move on by themselves.
 */
@Injectable()
export class RunReplay {
  constructor(
    private readonly dataSource: DataSource,
    private readonly planner: ReplayPlanner,
    private readonly outbox: Outbox,
    private readonly lineage: LineageRecorder,
    private readonly audit: AuditLog,
  ) {}

  async execute(body: ReplayRequestDto, actor: string): Promise<ReplayResultDto> {
    const scope = scopeOf(body);
    const dryRun = body.dryRun ?? true;
    const replayId = uuidv7();
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.sagas(manager, scope);
      if ('contractId' in scope && rows.length === 0) {
        throw new DomainError(404, `Contract ${scope.contractId} has no sagas`, [
          { field: 'contractId', problem: 'is not a known contract' },
        ]);
      }
      const skipped: SkippedSagaDto[] = [];
      const commands: ReplayCommandDto[] = [];
      let replayed = 0;
      let resent = 0;
      for (const row of rows) {
        if (row.status !== SAGA_STATUS.completed) {
          skipped.push({ sagaId: row.saga_id, contractId: row.contract_id, status: row.status });
          continue;
        }
        const saga: ReplaySaga = {
          sagaId: row.saga_id,
          eventId: row.event_id,
          kind: row.kind,
          contractId: row.contract_id,
          correlationId: row.correlation_id,
          data: row.data,
        };
        const planned = await this.planner.planned(manager, saga);
        commands.push(...(await this.planner.compare(manager, saga, planned)));
        replayed += 1;
        if (!dryRun) resent += await this.resend(manager, saga, planned, replayId);
      }
      const differences = commands.filter((c) => c.difference !== 'none').length;
      await this.audit.append(
        {
          actor,
          action: dryRun ? 'replay.dry-run' : 'replay.run',
          target:
            'contractId' in scope
              ? `contract:${scope.contractId}`
              : `window:${body.from ?? ''}/${body.to ?? ''}`,
          before: null,
          after: { replayId, sagas: replayed, differences, resent, skipped: skipped.length },
        },
        manager,
      );
      return { replayId, dryRun, sagas: replayed, differences, resent, commands, skipped };
    });
  }

  private async sagas(manager: EntityManager, scope: Scope): Promise<SagaRow[]> {
    const columns = `"saga_id", "event_id", "kind", "contract_id", "correlation_id", "status", "data"`;
    const rows =
      'contractId' in scope
        ? await manager.query<SagaRow[]>(
            `SELECT ${columns} FROM "q2c"."sagas" WHERE "contract_id" = $1 ORDER BY "saga_id" LIMIT $2`,
            [scope.contractId, REPLAY_MAX_SAGAS + 1],
          )
        : await manager.query<SagaRow[]>(
            `SELECT ${columns} FROM "q2c"."sagas" WHERE "started_at" >= $1 AND "started_at" < $2
              ORDER BY "saga_id" LIMIT $3`,
            [scope.from, scope.to, REPLAY_MAX_SAGAS + 1],
          );
    if (rows.length > REPLAY_MAX_SAGAS) {
      throw new DomainError(
        400,
        `The replay covers more than ${String(REPLAY_MAX_SAGAS)} sagas; narrow the window`,
        [
          {
            field: 'contractId' in scope ? 'contractId' : 'from',
            problem: `covers more than ${String(REPLAY_MAX_SAGAS)} sagas`,
          },
        ],
      );
    }
    return rows;
  }

  private async resend(
    manager: EntityManager,
    saga: ReplaySaga,
    planned: PlannedCommand[],
    replayId: string,
  ): Promise<number> {
    for (const command of planned) {
      await this.outbox.add(manager, command.job, command.payload, {
        idempotencyKey: `${command.key}:replay:${replayId}`,
        correlationId: saga.correlationId,
      });
    }
    await this.lineage.record(
      {
        contractId: saga.contractId,
        system: 'revline',
        objectType: 'Replay',
        externalId: replayId,
        status: 'replayed',
        correlationId: saga.correlationId,
        detail: `${String(planned.length)} ERP commands of the ${saga.kind} saga sent again`,
      },
      manager,
    );
    return planned.length;
  }
}
