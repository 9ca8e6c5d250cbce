import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../../lineage/lineage-recorder';
import { RevenueRunsRepository } from '../../revenue-runs/revenue-runs.repository';
import { fiscalPolicy } from '../../shared/fiscal-periods';
import { SagasConfig } from '../../shared/sagas.config';
import { ContractAssetPlanner } from '../contract-asset/contract-asset.planner';
import type { PlannedCommand, SagaContext } from '../erp-plan';
import { foldRevenue, revenueCommands } from '../erp-plan';
import { revenuePlan } from '../revenue-plan';
import { SagaCommands } from '../saga-commands';
import type { SagaEntity } from '../saga.entity';
import type { LazySagaContext } from './saga-step';
import { SagaStepHandler } from './saga-step';

/**
 * The contract's revenue schedule version: stored for the period close, and sent to the ERP as one batch with its
 * journals (the contract-asset movements among them).
 */
@Injectable()
export class RevenueStep extends SagaStepHandler {
  constructor(
    private readonly commands: SagaCommands,
    private readonly lineage: LineageRecorder,
    private readonly config: SagasConfig,
    private readonly contractAsset: ContractAssetPlanner,
    private readonly revenueRuns: RevenueRunsRepository,
  ) {
    super();
  }

  async run(manager: EntityManager, saga: SagaEntity, context: LazySagaContext): Promise<boolean> {
    // Under period close the version went out with the saga's invoice (ErpDocumentsStep).
    if (!saga.data.revenueWithDocuments) await this.send(manager, saga, await context());
    return true;
  }

  /**
   * Computes, stores and sends the saga's schedule version, after the `documents` (whose invoices carry it under
   * period close).
   */
  async send(
    manager: EntityManager,
    saga: SagaEntity,
    ctx: SagaContext,
    documents: PlannedCommand[] = [],
  ): Promise<void> {
    const recognition = revenuePlan(
      ctx.history,
      ctx.catalogue,
      this.config.ERP_SUBSIDIARY,
      fiscalPolicy(this.config),
    );
    if (saga.kind === 'ramp_step' && recognition.schedules.length === 0) {
      for (const command of documents) await this.commands.sendPlanned(manager, saga, command);
      // The step was in the booking's schedule: the engine finds nothing to change, so no version reaches the ERP.
      await this.lineage.record(
        {
          contractId: saga.contractId,
          system: 'revline',
          objectType: 'RevenueScheduleUpdated',
          externalId: `${saga.contractId}:${ctx.amendment?.effectiveDate ?? ''}`,
          status: 'unchanged',
          correlationId: saga.correlationId,
          detail: 'ramp step already in the booking schedule; no new schedule version',
        },
        manager,
      );
      return;
    }
    // Revenue run ahead of billing (a back-dated booking, billing in arrears) goes to the unbilled receivable.
    await this.revenueRuns.storeSchedules(manager, recognition.stored);
    const plan = await this.contractAsset.sentWith(manager, saga.sagaId, recognition);
    saga.data.scheduleVersion = plan.version;
    saga.data.treatment = plan.treatment;
    if (plan.reason) saga.data.treatmentReason = plan.reason;
    await this.lineage.record(
      {
        contractId: saga.contractId,
        system: 'revline',
        objectType: 'RevenueScheduleUpdated',
        externalId: `${saga.contractId}:v${String(plan.version)}`,
        status: 'computed',
        correlationId: saga.correlationId,
        detail: `version ${String(plan.version)}, ${plan.treatment}${plan.reason ? `: ${plan.reason}` : ''}`,
      },
      manager,
    );
    // One command for the whole version; its schedules and journals are recorded one by one beside it (those an
    // invoice carries too, with the invoice's key).
    const { commands, carried } = foldRevenue(documents, revenueCommands(saga, plan));
    for (const command of commands) {
      await this.commands.sendPlanned(manager, saga, command);
      if (command.job === 'erp.post-revenue')
        await this.commands.recordRevenueParts(manager, saga, command.payload);
    }
    for (const batch of carried) await this.commands.recordRevenueParts(manager, saga, batch);
    saga.data.journalsPosted = plan.journals.length;
  }
}
