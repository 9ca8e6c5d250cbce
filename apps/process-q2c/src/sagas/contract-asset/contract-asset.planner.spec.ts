import type { EntityManager } from 'typeorm';
import { describe, expect, it } from 'vitest';
import type { ContractHistoryReader } from '../contract-history.repository';
import { RevenueRunsConfig } from '../../revenue-runs/revenue-runs.config';
import { SagasConfig } from '../../shared/sagas.config';
import { CONTRACT_ASSET } from './contract-asset-journals';
import { ContractAssetPlanner } from './contract-asset.planner';
import type { ContractAssetRepository } from './contract-asset.repository';

const manager = {} as EntityManager;
const recognisedByPeriod = new Map([
  ['2026-01', 101918n],
  ['2026-02', 92055n],
]);
const version = {
  contractId: 'C-G1',
  currency: 'USD',
  subsidiary: 'US',
  version: 2,
  productClass: 'SEAT',
  recognisedByPeriod,
};

/**
 * G1's January invoice of 12,000.00 voided and reversed in January; the void's series sent the 1,019.18 January ran
 * ahead of billing. The repository answers as of the saga's first revenue sent (`asOf`).
 */
function planner(asOf: string | null, calls: string[]): ContractAssetPlanner {
  const voided = asOf === null || asOf > '2026-01-05';
  const repository: Pick<
    ContractAssetRepository,
    'revenueSentAt' | 'billedByPeriod' | 'sentByPeriod' | 'voidSentByPeriod'
  > = {
    revenueSentAt: () => Promise.resolve(asOf),
    billedByPeriod: (_m, sagaId, at) => {
      calls.push(`billed ${sagaId} ${String(at)}`);
      return Promise.resolve(new Map([['2026-01', voided ? 0n : 1200000n]]));
    },
    sentByPeriod: (_m, contractId, v) => {
      calls.push(`sent ${contractId} ${String(v)}`);
      return Promise.resolve(new Map());
    },
    voidSentByPeriod: (_m, contractId, at) => {
      calls.push(`void-sent ${contractId} ${String(at)}`);
      return Promise.resolve(new Map(voided ? [['2026-01', 101918n]] : []));
    },
  };
  return new ContractAssetPlanner(
    repository as ContractAssetRepository,
    {} as ContractHistoryReader,
    new SagasConfig(),
    new RevenueRunsConfig(),
  );
}

describe('contract-asset planner with a voided invoice', () => {
  it("counts the voided invoice as not billed and leaves the void's movement to its series", async () => {
    const calls: string[] = [];
    // The next version after the void: January runs 1,019.18 ahead, already held by the void's series.
    expect(await planner(null, calls).journals(manager, 'saga-2', version)).toEqual([]);
    expect(calls).toEqual(['billed saga-2 null', 'sent C-G1 2', 'void-sent C-G1 null']);
  });

  it('replays a saga as of its first revenue sent: a void after it changes nothing it planned', async () => {
    const calls: string[] = [];
    const at = '2026-01-02 09:00:00.123456+00';
    expect(await planner(at, calls).journals(manager, 'saga-1', { ...version, version: 1 })).toEqual([]);
    expect(calls).toContain(`billed saga-1 ${at}`);
    expect(calls).toContain(`void-sent C-G1 ${at}`);
  });

  it('sends the month whose movement the void series does not hold', async () => {
    const calls: string[] = [];
    const journals = await planner(null, calls).journals(manager, 'saga-2', {
      ...version,
      recognisedByPeriod: new Map([['2026-01', 150000n]]),
    });
    expect(journals.map((j) => [j.obligationId, j.period, j.amount.amountMinor])).toEqual([
      [CONTRACT_ASSET, '2026-01', '48082'],
    ]);
  });
});
