import { Injectable } from '@nestjs/common';
import type { ErpRevenueJournalPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import type { ContractAssetInput } from './contract-asset-journals';
import { contractAssetJournals } from './contract-asset-journals';
import { ContractAssetRepository } from './contract-asset.repository';

/** The contract-asset journals of a schedule version, from what billing holds now and what was sent before. */
@Injectable()
export class ContractAssetPlanner {
  constructor(private readonly repository: ContractAssetRepository) {}

  async journals(
    manager: EntityManager,
    version: Omit<ContractAssetInput, 'billedByPeriod' | 'sentByPeriod'>,
  ): Promise<ErpRevenueJournalPayload[]> {
    return contractAssetJournals({
      ...version,
      billedByPeriod: await this.repository.billedByPeriod(manager, version.contractId),
      sentByPeriod: await this.repository.sentByPeriod(manager, version.contractId),
    });
  }
}
