import { Injectable } from '@nestjs/common';
import type { ErpRevenueJournalPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { ContractHistoryReader } from '../contract-history.repository';
import { sagaContext } from '../erp-plan';
import { revenuePlan } from '../revenue-plan';
import { fiscalPolicy } from '../../shared/fiscal-periods';
import { SagasConfig } from '../../shared/sagas.config';
import { RevenueRunsConfig } from '../../revenue-runs/revenue-runs.config';
import type { ContractAssetInput } from './contract-asset-journals';
import { contractAssetJournals, voidContractAsset } from './contract-asset-journals';
import { ContractAssetRepository } from './contract-asset.repository';

type VersionInput = Omit<ContractAssetInput, 'billedByPeriod' | 'sentByPeriod'>;

const plus = (a: ReadonlyMap<string, bigint>, b: ReadonlyMap<string, bigint>): Map<string, bigint> => {
  const sum = new Map(a);
  for (const [period, amount] of b) sum.set(period, (sum.get(period) ?? 0n) + amount);
  return sum;
};

/**
 * The contract-asset journals of a saga's schedule version, from what billing held then and what was sent before;
 * and the movement a void sends at once, in a series of its own (`contract-asset:void:<invoice>`), so that the
 * contract's unbilled receivable takes the revenue run ahead of the billing the void took back. A later version
 * leaves what the voids' series hold out of its own amounts: together the series hold each month's movement.
 */
@Injectable()
export class ContractAssetPlanner {
  constructor(
    private readonly repository: ContractAssetRepository,
    private readonly history: ContractHistoryReader,
    private readonly config: SagasConfig,
    private readonly posting: RevenueRunsConfig,
  ) {}

  /**
   * The journals a schedule version sends when it is computed: at booking, its period journals and contract-asset
   * movement; under period close none (the period's revenue run posts revenue and the unbilled receivable).
   */
  async sentWith<P extends VersionInput & { journals: ErpRevenueJournalPayload[] }>(
    manager: EntityManager,
    sagaId: string,
    plan: P,
  ): Promise<P> {
    if (this.posting.REVENUE_POSTING === 'period_close') return { ...plan, journals: [] };
    return this.withContractAsset(manager, sagaId, plan);
  }

  async journals(
    manager: EntityManager,
    sagaId: string,
    version: VersionInput,
  ): Promise<ErpRevenueJournalPayload[]> {
    // As of the saga's first revenue sent, so that a replay sees the voids its step saw, and no later one.
    const asOf = await this.repository.revenueSentAt(manager, sagaId);
    return contractAssetJournals({
      ...version,
      billedByPeriod: await this.repository.billedByPeriod(manager, sagaId, asOf),
      sentByPeriod: await this.repository.sentByPeriod(manager, version.contractId, version.version),
      heldElsewhereByPeriod: await this.repository.voidSentByPeriod(manager, version.contractId, asOf),
    });
  }

  /** A revenue plan with its contract-asset journals after its recognition journals. */
  async withContractAsset<P extends VersionInput & { journals: ErpRevenueJournalPayload[] }>(
    manager: EntityManager,
    sagaId: string,
    plan: P,
  ): Promise<P> {
    return { ...plan, journals: [...plan.journals, ...(await this.journals(manager, sagaId, plan))] };
  }

  /**
   * The contract-asset movement a void of `invoiceId` sends, once its reversal is asked for: the contract's latest
   * schedule version measured against the billing left (the void recorded), less what the contract's series hold.
   * None before the contract has sent any schedule version (its first revenue step then counts the void).
   */
  async afterVoid(
    manager: EntityManager,
    contractId: string,
    invoiceId: string,
  ): Promise<ErpRevenueJournalPayload[]> {
    if (this.posting.REVENUE_POSTING === 'period_close') return [];
    const latest = await this.repository.latestSagas(manager, contractId);
    if (!latest) return [];
    const saga = await this.repository.saga(manager, latest.revenue);
    const ctx = await sagaContext(this.history, manager, saga);
    const plan = revenuePlan(
      ctx.history,
      ctx.catalogue,
      this.config.ERP_SUBSIDIARY,
      fiscalPolicy(this.config),
    );
    const held = plus(
      await this.repository.sentByPeriod(manager, contractId),
      await this.repository.voidSentByPeriod(manager, contractId, null),
    );
    return contractAssetJournals({
      contractId,
      currency: plan.currency,
      subsidiary: plan.subsidiary,
      version: saga.data.scheduleVersion ?? plan.version,
      productClass: plan.productClass,
      recognisedByPeriod: plan.recognisedByPeriod,
      billedByPeriod: await this.repository.billedByPeriod(manager, latest.billing, null),
      sentByPeriod: new Map(),
      heldElsewhereByPeriod: held,
      obligationId: voidContractAsset(invoiceId),
    });
  }
}
