import type { TestDatabase } from '@revline/testing';
import { createTestDatabase } from '@revline/testing';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE } from '../../database';
import type { RunContext } from '../checkpoints/checkpoint';
import { SystemApis } from '../system-apis';
import type { SystemName } from '../system-apis';
import { openExport, stageCsv, withExports } from './stage';

const COLUMNS = [
  ['id', 'text'],
  ['amount', 'bigint'],
] as const;

/** An export of `rows` rows in chunks of ten, which fails after `failAfter` chunks when asked to. */
function csvExport(rows: number, failAfter?: number): Readable & { consumed: () => boolean } {
  let chunks = 0;
  const source = Readable.from(
    (function* () {
      yield 'id,amount\n';
      for (let i = 0; i < rows; i += 10) {
        if (failAfter !== undefined && chunks === failAfter) throw new Error('the export was cut short');
        chunks += 1;
        yield Array.from(
          { length: Math.min(10, rows - i) },
          (_, k) => `r${String(i + k)},${String(i + k)}\n`,
        ).join('');
      }
    })(),
  );
  return Object.assign(source, { consumed: () => source.readableEnded });
}

/** System APIs answering prepared exports by path. */
class Exports extends SystemApis {
  constructor(private readonly byPath: Partial<Record<string, Readable>>) {
    super();
  }

  stream(_system: SystemName, path: string): Promise<Readable> {
    const body = this.byPath[path];
    return body ? Promise.resolve(body) : Promise.reject(new Error(`no export at ${path}`));
  }

  json<T>(): Promise<T> {
    return Promise.reject(new Error('not used'));
  }
}

describe('staging exports (COPY), opened at once and staged in turn', () => {
  let db: TestDatabase;
  let runner: QueryRunner;
  let client: PoolClient;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
  });

  afterAll(async () => {
    await db.drop();
  });

  afterEach(async () => {
    await runner.query('DISCARD TEMP');
    await runner.release();
  });

  async function contextWith(byPath: Record<string, Readable>): Promise<RunContext> {
    runner = db.dataSource.createQueryRunner();
    client = (await runner.connect()) as PoolClient;
    return {
      runner,
      client,
      runId: 'run',
      period: '2027-03',
      from: '2027-03-01',
      to: '2027-03-31',
      subject: { contractId: null, customerId: null },
      systems: new Exports(byPath),
    };
  }

  const count = async (table: string) =>
    ((await runner.query(`SELECT count(*)::int AS n FROM "${table}"`)) as Array<{ n: number }>)[0]?.n;

  it('reads an export ahead while another is staged, then stages it whole', async () => {
    const first = csvExport(5_000);
    const second = csvExport(2_000);
    const ctx = await contextWith({ '/first': first, '/second': second });
    const opened = [openExport(ctx, 'billing', '/first', {}), openExport(ctx, 'erp', '/second', {})];
    let secondReadBeforeItsTurn = false;
    await withExports(opened, async () => {
      await stageCsv(ctx, 'stage_first', COLUMNS, opened[0]);
      secondReadBeforeItsTurn = second.consumed();
      await stageCsv(ctx, 'stage_second', COLUMNS, opened[1]);
    });
    expect(secondReadBeforeItsTurn).toBe(true);
    expect(await count('stage_first')).toBe(5_000);
    expect(await count('stage_second')).toBe(2_000);
  });

  it('fails the staging of an export cut short (nothing staged), and closes the exports not read', async () => {
    const broken = csvExport(5_000, 100);
    const unread = csvExport(100_000);
    const ctx = await contextWith({ '/broken': broken, '/unread': unread });
    const opened = [openExport(ctx, 'billing', '/broken', {}), openExport(ctx, 'erp', '/unread', {})];
    await expect(
      withExports(opened, async () => {
        await stageCsv(ctx, 'stage_broken', COLUMNS, opened[0]);
        await stageCsv(ctx, 'stage_unread', COLUMNS, opened[1]);
      }),
    ).rejects.toThrow('system-billing /broken stopped mid-export: the export was cut short');
    expect(await count('stage_broken')).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await opened[1]).destroyed).toBe(true);
  });

  it("refuses an export whose header is not the table's columns, loudly and at once", async () => {
    const renamed = Readable.from(['amount,id\n', '1,r1\n']);
    const ctx = await contextWith({ '/renamed': renamed });
    await expect(
      stageCsv(ctx, 'stage_renamed', COLUMNS, openExport(ctx, 'billing', '/renamed', {})),
    ).rejects.toThrow(/column name mismatch/);
    expect(await count('stage_renamed')).toBe(0);
  });
});
