import type { EntityManager } from 'typeorm';
import { describe, expect, it, vi } from 'vitest';
import { ContractHistoryReader } from './contract-history';

const SEAT = { productCode: 'SEAT' };

/** A manager whose mapping_versions hold `versions` (version → catalogue entries), counting the reads. */
function managerWith(versions: Partial<Record<number, Array<{ productCode: string }>>>) {
  const findOneBy = vi.fn(({ version }: { version: number }) => {
    const productCatalogue = versions[version];
    return Promise.resolve(productCatalogue ? { version, definition: { productCatalogue } } : null);
  });
  const manager = { getRepository: () => ({ findOneBy }) } as unknown as EntityManager;
  return { manager, findOneBy };
}

describe('ContractHistoryReader.catalogue', () => {
  it('reads a mapping version once and keeps its catalogue; another version is read on its own', async () => {
    const { manager, findOneBy } = managerWith({ 1: [SEAT], 2: [SEAT, { productCode: 'ANALYTICS' }] });
    const reader = new ContractHistoryReader();
    const first = await reader.catalogue(manager, 1);
    expect([...first.keys()]).toEqual(['SEAT']);
    expect(await reader.catalogue(manager, 1)).toBe(first);
    expect([...(await reader.catalogue(manager, 2)).keys()]).toEqual(['SEAT', 'ANALYTICS']);
    expect(findOneBy.mock.calls.map(([where]) => where)).toEqual([{ version: 1 }, { version: 2 }]);
  });

  it('refuses a version that does not exist, and reads it again next time', async () => {
    const { manager, findOneBy } = managerWith({});
    const reader = new ContractHistoryReader();
    await expect(reader.catalogue(manager, 7)).rejects.toThrow('Mapping version 7 does not exist');
    await expect(reader.catalogue(manager, 7)).rejects.toThrow('does not exist');
    expect(findOneBy).toHaveBeenCalledTimes(2);
  });
});
