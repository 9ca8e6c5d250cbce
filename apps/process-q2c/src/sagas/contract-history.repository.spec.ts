import type { ContractBooked } from '@revline/canonical';
import type { EntityManager } from 'typeorm';
import { describe, expect, it, vi } from 'vitest';
import { ContractHistoryReader } from './contract-history.repository';

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

describe('ContractHistoryReader.read', () => {
  const booked = { eventType: 'ContractBooked', contractId: 'C-1' };
  const amended = (n: number) => ({ eventType: 'ContractAmended', amendmentId: `A-${String(n)}` });
  const rows = [
    { event_id: 'e0', payload: booked },
    { event_id: 'e1', payload: amended(1) },
    { event_id: 'e2', payload: amended(2) },
  ];

  /** A manager over the stored events, counting the reads, in a transaction or not. */
  function eventsManager(inTransaction: boolean) {
    const query = vi.fn(() => Promise.resolve(rows));
    const manager = {
      query,
      queryRunner: { isTransactionActive: inTransaction },
    } as unknown as EntityManager;
    return { manager, query };
  }

  it("reads the events up to the saga's event, once per transaction", async () => {
    const reader = new ContractHistoryReader();
    const { manager, query } = eventsManager(true);
    const history = await reader.read(manager, 'C-1', 'e1');
    expect(history.booking).toBe(booked);
    expect(history.amendments).toEqual([amended(1)]);
    expect(await reader.read(manager, 'C-1', 'e1')).toBe(history);
    expect(query).toHaveBeenCalledTimes(1);
    // Another event's history, and another transaction, are read on their own.
    expect((await reader.read(manager, 'C-1', 'e2')).amendments).toHaveLength(2);
    const other = eventsManager(true);
    await reader.read(other.manager, 'C-1', 'e1');
    expect(query).toHaveBeenCalledTimes(2);
    expect(other.query).toHaveBeenCalledTimes(1);
  });

  it('reads again outside a transaction, and when the event is not (yet) stored', async () => {
    const reader = new ContractHistoryReader();
    const outside = eventsManager(false);
    await reader.read(outside.manager, 'C-1', 'e1');
    await reader.read(outside.manager, 'C-1', 'e1');
    expect(outside.query).toHaveBeenCalledTimes(2);
    const inside = eventsManager(true);
    expect((await reader.read(inside.manager, 'C-1', 'e9')).amendments).toHaveLength(2);
    await reader.read(inside.manager, 'C-1', 'e9');
    expect(inside.query).toHaveBeenCalledTimes(2);
  });

  it("keeps a first booking's history for its transaction only, without reading the events", async () => {
    const reader = new ContractHistoryReader();
    const booking = {
      eventType: 'ContractBooked',
      contractId: 'C-2',
      messageId: 'e5',
    } as unknown as ContractBooked;
    const inside = eventsManager(true);
    reader.keepFirstBooking(inside.manager, 'C-2', booking);
    expect(await reader.read(inside.manager, 'C-2', 'e5')).toEqual({ booking, amendments: [] });
    expect(inside.query).not.toHaveBeenCalled();
    const other = eventsManager(true);
    await reader.read(other.manager, 'C-2', 'e0');
    expect(other.query).toHaveBeenCalledTimes(1);
    const outside = eventsManager(false);
    reader.keepFirstBooking(outside.manager, 'C-2', booking);
    await reader.read(outside.manager, 'C-2', 'e0');
    expect(outside.query).toHaveBeenCalledTimes(1);
  });
});
