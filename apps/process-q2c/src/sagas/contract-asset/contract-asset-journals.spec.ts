import { describe, expect, it } from 'vitest';
import { CONTRACT_ASSET, contractAssetJournals, voidContractAsset } from './contract-asset-journals';

/** G1's first four months (golden figures), in minor units. */
const recognised = new Map([
  ['2026-01', 101918n],
  ['2026-02', 92055n],
  ['2026-03', 101917n],
  ['2026-04', 98631n],
  ['2026-05', 101917n],
]);
const base = {
  contractId: 'C-BACK',
  currency: 'USD',
  subsidiary: 'US',
  version: 1,
  productClass: 'SEAT',
  recognisedByPeriod: recognised,
  sentByPeriod: new Map<string, bigint>(),
};

describe('contract-asset journals of a schedule version', () => {
  it('debits January..March to the unbilled receivable and clears it in April, when the 12,000.00 is invoiced', () => {
    const journals = contractAssetJournals({ ...base, billedByPeriod: new Map([['2026-04', 1200000n]]) });
    expect(journals.map((j) => [j.period, j.amount.amountMinor])).toEqual([
      ['2026-01', '101918'],
      ['2026-02', '92055'],
      ['2026-03', '101917'],
      ['2026-04', '-295890'],
    ]);
    expect(journals[0]).toMatchObject({
      externalId: `rj:C-BACK:${CONTRACT_ASSET}:2026-01:1`,
      obligationId: CONTRACT_ASSET,
      kind: 'contract_asset',
      scheduleVersion: 1,
      productClass: 'SEAT',
    });
  });

  it('sends nothing for a contract billed in advance from its start, nor before anything is billed', () => {
    expect(contractAssetJournals({ ...base, billedByPeriod: new Map([['2026-01', 1200000n]]) })).toEqual([]);
    expect(contractAssetJournals({ ...base, billedByPeriod: new Map() })).toEqual([]);
  });

  it('sends a later version only the months whose movement changed, a zero where one no longer holds', () => {
    const sent = new Map([
      ['2026-01', 101918n],
      ['2026-02', 92055n],
      ['2026-03', 101917n],
      ['2026-04', -295890n],
    ]);
    // Billing of 2,000.00 only in April: 3,945.21 recognised leaves 1,945.21 unbilled, 1,013.69 cleared.
    const journals = contractAssetJournals({
      ...base,
      version: 2,
      sentByPeriod: sent,
      billedByPeriod: new Map([['2026-04', 200000n]]),
    });
    expect(journals.map((j) => [j.period, j.amount.amountMinor, j.scheduleVersion])).toEqual([
      ['2026-04', '-101369', 2],
    ]);
    // Billing moved to March: January and February unchanged, March clears, April nothing any more.
    const moved = contractAssetJournals({
      ...base,
      version: 3,
      sentByPeriod: sent,
      billedByPeriod: new Map([['2026-03', 1200000n]]),
    });
    expect(moved.map((j) => [j.period, j.amount.amountMinor])).toEqual([
      ['2026-03', '-193973'],
      ['2026-04', '0'],
    ]);
  });

  it("moves the revenue run ahead of a voided invoice to the unbilled receivable, in the void's own series", () => {
    // G1 invoiced 12,000.00 on 2026-01-01, voided and reversed that day: January bills nothing any more.
    const billed = new Map([['2026-01', 0n]]);
    const journals = contractAssetJournals({
      ...base,
      billedByPeriod: billed,
      sentByPeriod: new Map(),
      obligationId: voidContractAsset('in_G1'),
    });
    expect(journals.map((j) => [j.obligationId, j.period, j.amount.amountMinor])).toEqual([
      ['contract-asset:void:in_G1', '2026-01', '101918'],
    ]);
    expect(journals[0]?.externalId).toBe('rj:C-BACK:contract-asset:void:in_G1:2026-01:1');
    // The contract's next version leaves what the void's series holds out: it sends nothing for January.
    expect(
      contractAssetJournals({
        ...base,
        version: 2,
        billedByPeriod: billed,
        heldElsewhereByPeriod: new Map([['2026-01', 101918n]]),
      }),
    ).toEqual([]);
  });

  it('takes a voided invoice back in the month of its reversal when the credit memo is dated the void day', () => {
    // Invoiced 12,000.00 in January, voided in March (ERP_INVOICE_VOID_AS=credit): January and February billed
    // ahead, March clears the deferral and carries January..March's revenue as unbilled.
    const journals = contractAssetJournals({
      ...base,
      billedByPeriod: new Map([
        ['2026-01', 1200000n],
        ['2026-03', -1200000n],
      ]),
      sentByPeriod: new Map(),
      heldElsewhereByPeriod: new Map(),
      obligationId: voidContractAsset('in_G1'),
    });
    expect(journals.map((j) => [j.period, j.amount.amountMinor])).toEqual([['2026-03', '295890']]);
  });
});
