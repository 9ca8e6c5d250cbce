import type { ErpPostingOutcome } from '@revline/messaging';
import type { LineageHop } from '../lineage/lineage-recorder';
import type { SagaEntity } from './saga.entity';

/** A lineage hop per record the ERP posted in a batch, under the external id the saga gave the record. */
export function postingHops(
  saga: Pick<SagaEntity, 'contractId' | 'correlationId'>,
  postings: readonly ErpPostingOutcome[],
): LineageHop[] {
  return postings.map((p) => ({
    contractId: saga.contractId,
    system: 'erp',
    objectType: p.recordType,
    externalId: p.key,
    status: p.outcome,
    correlationId: saga.correlationId,
    detail: [
      p.erpId && `ERP id ${p.erpId}`,
      p.postedAmountMinor && `posted ${p.postedAmountMinor}`,
      `ERP external id ${p.externalId}`,
    ]
      .filter(Boolean)
      .join(', '),
  }));
}
