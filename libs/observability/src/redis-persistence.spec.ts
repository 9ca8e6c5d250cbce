import { describe, expect, it } from 'vitest';
import type { RedisInfoClient } from './eviction-policy';
import { readPersistence } from './redis-persistence';

const SAVED_AT = 1_796_550_818; // 2026-12-06T09:53:38Z

function client(fields: Record<string, string | number>, save: string | null): RedisInfoClient {
  const lines = Object.entries(fields).map(([k, v]) => `${k}:${String(v)}`);
  return {
    config: () =>
      save === null ? Promise.reject(new Error('unknown command CONFIG')) : Promise.resolve(['save', save]),
    info: () => Promise.resolve(`# Persistence\r\nloading:0\r\n${lines.join('\r\n')}\r\n`),
  };
}

const base = {
  rdb_changes_since_last_save: 12,
  rdb_last_save_time: SAVED_AT,
  rdb_last_bgsave_status: 'ok',
  rdb_last_bgsave_time_sec: -1,
  rdb_saves: 0,
  aof_last_write_status: 'ok',
};

describe('Redis persistence for readiness', () => {
  it('reports AOF when aof_enabled is 1, with the last write status', async () => {
    const persistence = await readPersistence(client({ ...base, aof_enabled: 1 }, ''));
    expect(persistence).toEqual({
      mode: 'aof',
      aofEnabled: true,
      rdbLastSave: '2026-12-06T09:53:38.000Z',
      rdbChangesSinceLastSave: 12,
      lastWriteStatus: 'ok',
    });
  });

  it('reports RDB when save points are configured and AOF is off', async () => {
    const persistence = await readPersistence(
      client({ ...base, aof_enabled: 0, rdb_last_bgsave_status: 'err' }, '3600 1 300 100'),
    );
    expect(persistence.mode).toBe('rdb');
    expect(persistence.lastWriteStatus).toBe('err');
  });

  it('says "not durable" when neither AOF nor snapshots are on', async () => {
    const persistence = await readPersistence(client({ ...base, aof_enabled: 0 }, ''));
    expect(persistence.mode).toBe('not durable');
    expect(persistence.lastWriteStatus).toBeNull();
  });

  it('without CONFIG (a managed Redis), counts snapshots taken since the start as RDB', async () => {
    expect((await readPersistence(client({ ...base, aof_enabled: 0, rdb_saves: 3 }, null))).mode).toBe('rdb');
    expect((await readPersistence(client({ ...base, aof_enabled: 0 }, null))).mode).toBe('not durable');
  });
});
