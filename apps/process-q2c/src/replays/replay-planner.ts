import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ContractHistoryReader } from '../sagas/contract-history.repository';
import type { PlannedCommand } from '../sagas/erp-plan';
import { erpCustomerExternalId } from '../sagas/customer-plan';
import {
  customerCommand,
  documentCommands,
  ERP_JOBS,
  foldedCommands,
  revenueCommands,
  revenueParts,
  sagaContext,
  withCustomer,
} from '../sagas/erp-plan';
import { revenuePlan } from '../sagas/revenue-plan';
import type { RevenuePlan } from '../sagas/revenue-plan';
import { ContractAssetPlanner } from '../sagas/contract-asset/contract-asset.planner';
import type { SagaData } from '../sagas/saga-data';
import { fiscalPolicy } from '../shared/fiscal-periods';
import { SagasConfig } from '../shared/sagas.config';
import type { CommandDifference, ReplayCommandDto } from './replay.dto';

export interface ReplaySaga {
  sagaId: string;
  eventId: string;
  kind: string;
  contractId: string;
  correlationId: string;
  data: SagaData;
}

interface LoggedCommand {
  idempotency_key: string;
  job: string;
  status: string;
  external_id: string | null;
  target_id: string | null;
  payload: object;
}

/** JSON with keys sorted, so two payloads compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/**
 * What a completed saga would post to the ERP now — the deterministic commands recomputed from the stored events,
 * the mapping version they were normalised with and the billing documents the saga consumed — beside what its
 * command log says it posted. The revenue batch (`erp.post-revenue`) is sent as one command but compared per
 * schedule and journal, against the rows the saga recorded for each. What a billing void sent under the saga (keys
 * `void:…`: the reversal, its contract-asset movement) answers the void, not the saga's events, and is left out.
 */
@Injectable()
export class ReplayPlanner {
  constructor(
    private readonly history: ContractHistoryReader,
    private readonly config: SagasConfig,
    private readonly contractAsset: ContractAssetPlanner,
  ) {}

  async planned(manager: EntityManager, saga: ReplaySaga): Promise<PlannedCommand[]> {
    const ctx = await sagaContext(this.history, manager, saga);
    const subsidiary = this.config.ERP_SUBSIDIARY;
    const customer = customerCommand(saga, ctx, subsidiary);
    const customerExternalId =
      saga.data.erpCustomerExternalId ??
      erpCustomerExternalId(ctx.history.booking.customer, saga.data.salesforceAccountId);
    const plain = documentCommands(saga, ctx, customerExternalId, subsidiary);
    // A booking's invoices carried its customer (see withCustomer); it is listed on its own too, as the saga recorded it.
    const documents = (saga.kind === 'booking' && customer && withCustomer(plain, customer)) || plain;
    const revenue = revenueCommands(
      saga,
      await this.revenue(
        manager,
        saga,
        revenuePlan(ctx.history, ctx.catalogue, subsidiary, fiscalPolicy(this.config)),
      ),
    );
    return [
      ...(saga.kind === 'booking' && customer ? [customer] : []),
      // Under period close the saga's invoice carried its revenue plan (see foldRevenue).
      ...(saga.data.revenueWithDocuments
        ? foldedCommands(saga, documents, revenue)
        : [...documents, ...revenue]),
    ];
  }

  /** The revenue the saga's step sent: none for a ramp step already in the schedule, else with its contract asset. */
  private async revenue(manager: EntityManager, saga: ReplaySaga, plan: RevenuePlan): Promise<RevenuePlan> {
    if (saga.kind === 'ramp_step' && plan.schedules.length === 0) return plan;
    return this.contractAsset.sentWith(manager, saga.sagaId, plan);
  }

  async compare(
    manager: EntityManager,
    saga: ReplaySaga,
    planned: PlannedCommand[],
  ): Promise<ReplayCommandDto[]> {
    const logged = await manager.query<LoggedCommand[]>(
      `SELECT "idempotency_key", "job", "status", "external_id", "target_id", "payload" FROM "q2c"."saga_commands"
        WHERE "saga_id" = $1 AND "job" = ANY($2::text[]) AND "idempotency_key" NOT LIKE 'void:%'
        ORDER BY "sent_at", "idempotency_key"`,
      [saga.sagaId, ERP_JOBS],
    );
    const byKey = new Map(logged.map((l) => [l.idempotency_key, l]));
    // A revenue batch is compared record by record: each schedule and journal it carries beside the row the saga
    // recorded for it (the batch's own row says nothing more than its records do).
    const shown: PlannedCommand[] = planned.flatMap((p): PlannedCommand[] => {
      if (p.job !== 'erp.post-revenue') return [p];
      byKey.delete(p.key);
      return revenueParts(saga, p.payload);
    });
    const rows: ReplayCommandDto[] = shown.map((p) => {
      const sent = byKey.get(p.key);
      byKey.delete(p.key);
      const difference: CommandDifference = !sent
        ? 'not_sent'
        : canonical(sent.payload) !== canonical(p.payload)
          ? 'payload_differs'
          : sent.status !== 'confirmed'
            ? 'unconfirmed'
            : 'none';
      return {
        sagaId: saga.sagaId,
        contractId: saga.contractId,
        job: p.job,
        idempotencyKey: p.key,
        externalId: p.externalId,
        wouldPost: p.payload,
        posted: sent?.payload ?? null,
        postedStatus: sent?.status ?? null,
        erpId: sent?.target_id ?? null,
        difference,
      };
    });
    for (const sent of byKey.values()) {
      rows.push({
        sagaId: saga.sagaId,
        contractId: saga.contractId,
        job: sent.job,
        idempotencyKey: sent.idempotency_key,
        externalId: sent.external_id ?? sent.idempotency_key,
        wouldPost: null,
        posted: sent.payload,
        postedStatus: sent.status,
        erpId: sent.target_id,
        difference: 'not_expected',
      });
    }
    return rows;
  }
}
