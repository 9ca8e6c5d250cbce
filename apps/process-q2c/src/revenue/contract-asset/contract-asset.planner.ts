import { Injectable } from '@nestjs/common';
import type { ErpRevenueJournalPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import type { ContractAssetInput } from './contract-asset-journals';
import { contractAssetJournals } from './contract-asset-journals';
import { ContractAssetRepository } from './contract-asset.repository';

type VersionInput = Omit<ContractAssetInput, 'billedByPeriod' | 'sentByPeriod'>;

/** The contract-asset journals of a saga's schedule version, from what billing held then and what was sent before. */
@Injectable()
export class ContractAssetPlanner {
  constructor(private readonly repository: ContractAssetRepository) {}

  async journals(
    manager: EntityManager,
    sagaId: string,
    version: VersionInput,
  ): Promise<ErpRevenueJournalPayload[]> {
    return contractAssetJournals({
      ...version,
      billedByPeriod: await this.repository.billedByPeriod(manager, sagaId),
      sentByPeriod: await this.repository.sentByPeriod(manager, version.contractId, version.version),
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
}
