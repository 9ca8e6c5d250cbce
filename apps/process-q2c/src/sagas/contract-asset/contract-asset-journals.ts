import type { ErpRevenueJournalPayload } from '@revline/messaging';
import { contractRollForward } from '@revline/revenue';

/** The obligation id a contract's unbilled-receivable journals are kept under (one series per contract). */
export const CONTRACT_ASSET = 'contract-asset';

export interface ContractAssetInput {
  contractId: string;
  currency: string;
  subsidiary: string;
  version: number;
  productClass: string;
  /** Revenue of each month from the engine's schedules (the version being posted). */
  recognisedByPeriod: ReadonlyMap<string, bigint>;
  /**
   * What the billing documents of the contract bill, by the month they are issued (net of credits and tax); a
   * voided invoice is taken back in the month of its ERP reversal, as it no longer bills anything.
   */
  billedByPeriod: ReadonlyMap<string, bigint>;
  /** The latest contract-asset movement already sent to the ERP per month (by earlier versions). */
  sentByPeriod: ReadonlyMap<string, bigint>;
  /**
   * What other series of the contract's unbilled receivable hold per month (the movements sent after voids):
   * left out of this series' amounts, so that the series together hold the month's movement.
   */
  heldElsewhereByPeriod?: ReadonlyMap<string, bigint>;
  /** The series the journals are kept under: the contract's (`contract-asset`) unless said. */
  obligationId?: string;
}

/** The obligation id of the unbilled-receivable movement sent when a billing invoice is voided. */
export const voidContractAsset = (invoiceId: string): string => `${CONTRACT_ASSET}:void:${invoiceId}`;

/**
 * The contract-asset journals a schedule version sends: for each month up to the month of the contract's latest
 * billing document (what billing is known to hold), the month's change in the unbilled receivable — revenue run
 * ahead of billing is debited to it, and credited back when the invoice comes — wherever it differs from what an
 * earlier version sent (system-erp posts a version's difference from the last one posted). Nothing is sent when
 * revenue never runs ahead of billing, so a booking billed in advance costs the ERP no request.
 */
export function contractAssetJournals(input: ContractAssetInput): ErpRevenueJournalPayload[] {
  const billedMonths = [...input.billedByPeriod.keys()].sort();
  const through = billedMonths.at(-1);
  if (through === undefined) return [];
  const movements = new Map(
    contractRollForward(input.billedByPeriod, input.recognisedByPeriod, through).map(
      (m) => [m.period, m.contractAssetMovementMinor] as const,
    ),
  );
  const elsewhere = input.heldElsewhereByPeriod ?? new Map<string, bigint>();
  const obligationId = input.obligationId ?? CONTRACT_ASSET;
  const periods = [
    ...new Set([...movements.keys(), ...input.sentByPeriod.keys(), ...elsewhere.keys()]),
  ].sort();
  const out: ErpRevenueJournalPayload[] = [];
  for (const period of periods) {
    const amount = (movements.get(period) ?? 0n) - (elsewhere.get(period) ?? 0n);
    if (amount === (input.sentByPeriod.get(period) ?? 0n)) continue;
    out.push({
      externalId: ['rj', input.contractId, obligationId, period, input.version].join(':'),
      contractId: input.contractId,
      obligationId,
      period,
      scheduleVersion: input.version,
      amount: { amountMinor: amount.toString(), currency: input.currency },
      productClass: input.productClass,
      subsidiary: input.subsidiary,
      kind: 'contract_asset',
    });
  }
  return out;
}
