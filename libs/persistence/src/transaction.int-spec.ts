import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { TransactionCommitEvent } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dataSourceOptions } from './data-source-options';
import { prepared } from './lean-reads';
import { transaction } from './transaction';

const url = `${process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432'}/postgres`;
const TABLE = `"public"."revline_transaction_spec_${String(process.pid)}"`;

type WireClient = PoolClient & {
  pipeline: boolean;
  connection: { stream: { write: (chunk: Buffer, ...rest: unknown[]) => boolean }; on: Function };
};

describe('transaction', () => {
  let dataSource: DataSource;
  const pool = () => (dataSource.driver as PostgresDriver).master as Pool;
  const values = async () =>
    (await dataSource.query<Array<{ v: number }>>(`SELECT "v" FROM ${TABLE} ORDER BY "v"`)).map((r) => r.v);

  beforeAll(async () => {
    // One connection, so every transaction runs on the client the assertions look at.
    dataSource = await new DataSource(
      dataSourceOptions({ schema: 'public', entities: [], migrations: [], url, poolSize: 1 }),
    ).initialize();
    await dataSource.query(`CREATE TABLE IF NOT EXISTS ${TABLE} ("v" int PRIMARY KEY)`);
  });
  afterAll(async () => {
    await dataSource.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await dataSource.destroy();
  });
  beforeEach(async () => {
    await dataSource.query(`DELETE FROM ${TABLE}`);
  });

  it('sends the BEGIN with the first statement: both are written before Postgres answers either', async () => {
    const client = (await pool().connect()) as WireClient;
    client.release();
    const wire: string[] = [];
    const write = client.connection.stream.write;
    client.connection.stream.write = function (chunk: Buffer, ...rest: unknown[]) {
      wire.push(`sent ${String.fromCharCode(chunk[0])}`);
      return write.call(this, chunk, ...rest);
    };
    const answered = () => wire.push('answered');
    client.connection.on('readyForQuery', answered);
    try {
      await transaction(dataSource, async (manager) => {
        await prepared(manager, `INSERT INTO ${TABLE} ("v") VALUES ($1)`, [1]);
      });
    } finally {
      client.connection.stream.write = write;
      (client.connection as unknown as NodeJS.EventEmitter).off('readyForQuery', answered);
    }
    // Q: the BEGIN (a simple query); P, B, D, E, S: the named statement's parse, bind, describe, execute and sync.
    expect(wire.slice(0, 8)).toEqual([
      'sent Q',
      'sent P',
      'sent B',
      'sent D',
      'sent E',
      'sent S',
      'answered',
      'answered',
    ]);
    expect(wire.slice(8)).toEqual(['sent Q', 'answered']); // the COMMIT
    expect(await values()).toEqual([1]);
    expect(client.pipeline).toBe(false);
  });

  it("runs every statement of `work` in one transaction and answers `work`'s result", async () => {
    const result = await transaction(dataSource, async (manager) => {
      const [first] = await manager.query<Array<{ tx: string }>>('SELECT txid_current()::text AS tx');
      await manager.query(`INSERT INTO ${TABLE} ("v") VALUES (1), (2)`);
      const [second] = await manager.query<Array<{ tx: string }>>('SELECT txid_current()::text AS tx');
      return first.tx === second.tx ? 'one transaction' : 'two';
    });
    expect(result).toBe('one transaction');
    expect(await values()).toEqual([1, 2]);
  });

  it('rolls everything back when `work` throws, rethrows its error, and hands the connection back out of pipeline mode', async () => {
    const failure = new Error('refused half-way');
    await expect(
      transaction(dataSource, async (manager) => {
        await manager.query(`INSERT INTO ${TABLE} ("v") VALUES (1)`);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await values()).toEqual([]);
    const client = (await pool().connect()) as WireClient;
    client.release();
    expect(client.pipeline).toBe(false);
    // The connection is usable, and outside any transaction.
    const [{ status }] = (
      await pool().query<{ status: string }>('SELECT now() = statement_timestamp() AS status')
    ).rows as Array<{ status: string }>;
    expect(status).toBe(true);
  });

  it("rolls back on a statement Postgres refuses, with Postgres's error", async () => {
    await expect(
      transaction(dataSource, async (manager) => {
        await prepared(manager, `INSERT INTO ${TABLE} ("v") VALUES ($1)`, [1]);
        await prepared(manager, `INSERT INTO ${TABLE} ("v") VALUES ($1)`, [1]);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await values()).toEqual([]);
    await transaction(dataSource, (manager) => manager.query(`INSERT INTO ${TABLE} ("v") VALUES (3)`));
    expect(await values()).toEqual([3]);
  });

  it("tells TypeORM's subscribers of the commit, with the runner `work` used (the outbox relay wakes on it)", async () => {
    const seen: unknown[] = [];
    const subscriber = {
      afterTransactionCommit: (event: TransactionCommitEvent) => {
        seen.push(event.queryRunner.data);
      },
    };
    dataSource.subscribers.push(subscriber);
    try {
      await transaction(dataSource, async (manager) => {
        await manager.query(`INSERT INTO ${TABLE} ("v") VALUES (1)`);
        Object.assign(manager.queryRunner?.data ?? {}, { wroteOutbox: true });
      });
    } finally {
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(subscriber), 1);
    }
    expect(seen).toEqual([{ wroteOutbox: true }]);
  });

  it('makes a transaction opened inside `work` a savepoint, as TypeORM does', async () => {
    await transaction(dataSource, async (manager) => {
      await manager.query(`INSERT INTO ${TABLE} ("v") VALUES (1)`);
      await manager
        .transaction(async (inner) => {
          await inner.query(`INSERT INTO ${TABLE} ("v") VALUES (2)`);
          throw new Error('inner refused');
        })
        .catch(() => undefined);
      await manager.query(`INSERT INTO ${TABLE} ("v") VALUES (3)`);
    });
    expect(await values()).toEqual([1, 3]);
  });
});
