import type { DataSource, EntityManager } from 'typeorm';
import { describe, expect, it, vi } from 'vitest';
import type { LineageHop } from './lineage-recorder';
import { LineageRecorder } from './lineage-recorder';

const hop = (externalId: string): LineageHop => ({
  contractId: 'C-1',
  system: 'revline',
  objectType: 'Saga',
  externalId,
  status: 'started',
  correlationId: 'corr-1',
  occurredAt: new Date('2026-01-05T10:00:00Z'),
});

/** A transaction's manager that keeps the statements it is asked to run. */
function managerKeepingStatements() {
  const query = vi.fn<(sql: string, params: unknown[]) => Promise<unknown[]>>(() => Promise.resolve([]));
  return { manager: { query } as unknown as EntityManager, query };
}

/** The external ids (the fourth column) of the hops a statement inserted. */
const externalIds = (params: unknown[]): unknown => params[3];

describe('LineageRecorder', () => {
  const recorder = new LineageRecorder({} as DataSource);

  it('writes each call at once outside a batch', async () => {
    const { manager, query } = managerKeepingStatements();
    await recorder.record(hop('a'), manager);
    await recorder.record([hop('b'), hop('c')], manager);
    expect(query).toHaveBeenCalledTimes(2);
    expect(externalIds(query.mock.calls[1][1])).toEqual(['b', 'c']);
  });

  it("writes a batch's hops in one statement, in the order they were recorded, when the work ends", async () => {
    const { manager, query } = managerKeepingStatements();
    const result = await recorder.batch(manager, async () => {
      await recorder.record(hop('a'), manager);
      await recorder.record([hop('b'), hop('c')], manager);
      // A batch inside the batch joins it.
      await recorder.batch(manager, () => recorder.record(hop('d'), manager));
      expect(query).not.toHaveBeenCalled();
      return 'done';
    });
    expect(result).toBe('done');
    expect(query).toHaveBeenCalledTimes(1);
    const params = query.mock.calls[0][1];
    expect(externalIds(params)).toEqual(['a', 'b', 'c', 'd']);
    expect(params[8]).toEqual(Array.from({ length: 4 }, () => '2026-01-05T10:00:00.000Z'));
  });

  it('writes nothing when the work throws, and records at once again afterwards', async () => {
    const { manager, query } = managerKeepingStatements();
    await expect(
      recorder.batch(manager, async () => {
        await recorder.record(hop('a'), manager);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(query).not.toHaveBeenCalled();
    await recorder.record(hop('b'), manager);
    expect(query).toHaveBeenCalledTimes(1);
  });

  it("keeps another transaction's hops out of a batch", async () => {
    const first = managerKeepingStatements();
    const other = managerKeepingStatements();
    await recorder.batch(first.manager, async () => {
      await recorder.record(hop('a'), first.manager);
      await recorder.record(hop('z'), other.manager);
      expect(other.query).toHaveBeenCalledTimes(1);
    });
    expect(externalIds(first.query.mock.calls[0][1])).toEqual(['a']);
  });

  it('refuses a hop without a correlation id', async () => {
    const { manager } = managerKeepingStatements();
    const uncorrelated: LineageHop = {
      system: 'revline',
      objectType: 'Saga',
      externalId: 'a',
      status: 'started',
    };
    await expect(recorder.record(uncorrelated, manager)).rejects.toThrow('needs a correlation id');
  });
});
