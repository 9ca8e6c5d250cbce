import type { DataSource, EntityManager } from 'typeorm';
import { describe, expect, it, vi } from 'vitest';
import type { LineageHop } from './lineage-recorder';
import { flushSagaRows, LineageRecorder, transactionWrites } from './lineage-recorder';

type Statement = (sql: string, params: unknown[]) => Promise<{ rows: unknown[]; rowCount: number }>;

/** The statements each (fake) manager was asked to run, through prepared(). */
const statements = vi.hoisted(() => new Map<object, Statement>());
vi.mock('@revline/persistence', () => ({
  prepared: (target: object, sql: string, params: unknown[]) => {
    const run = statements.get(target);
    if (!run) throw new Error('a statement on an unknown manager');
    return run(sql, params);
  },
}));

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
  const query = vi.fn<Statement>(() => Promise.resolve({ rows: [], rowCount: 0 }));
  const manager = {} as EntityManager;
  statements.set(manager, query);
  return { manager, query };
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

  it("writes a batch's saga rows in the statement of its hops, or before a read of them", async () => {
    const { manager, query } = managerKeepingStatements();
    const saved = vi.fn();
    await recorder.batch(manager, async () => {
      await recorder.record(hop('a'), manager);
      const writes = transactionWrites(manager);
      writes?.confirmations.set('k-1', 'T-1');
      await flushSagaRows(manager);
      expect(query).toHaveBeenCalledTimes(1);
      // Only hops left: flushSagaRows writes nothing.
      await recorder.record(hop('b'), manager);
      await flushSagaRows(manager);
      expect(query).toHaveBeenCalledTimes(1);
      writes?.sagas.set('s-1', { sagaId: 's-1', contractId: 'C-1', values: ['s-1'], saved });
    });
    expect(query).toHaveBeenCalledTimes(2);
    const [first, second] = query.mock.calls;
    expect(first[1][7]).toEqual(['k-1']);
    expect(first[1][8]).toEqual(['T-1']);
    expect(externalIds(first[1].slice(9))).toEqual(['a']);
    expect(second[1][7]).toEqual([]);
    expect(externalIds(second[1].slice(9))).toEqual(['b']);
    expect(second[1][18]).toEqual(['s-1']);
    expect(transactionWrites(manager)).toBeUndefined();
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
