import type { RedisInfoClient } from './eviction-policy';

/** What readiness says of Redis persistence: how it survives a restart, and when it last saved a snapshot. */
export interface RedisPersistence {
  /** `aof`: the append-only file; `rdb`: snapshots only; `not durable`: a restart loses every queued job. */
  mode: 'aof' | 'rdb' | 'not durable';
  aofEnabled: boolean;
  /** The last RDB save (or the server's start, when it never saved), ISO 8601. */
  rdbLastSave: string | null;
  rdbChangesSinceLastSave: number | null;
  /** `ok` or `err`: the last AOF write or RDB save, for the mode in use. */
  lastWriteStatus: string | null;
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1];
}

function numberField(info: string, name: string): number | null {
  const value = field(info, name);
  return value === undefined || !/^-?\d+$/.test(value) ? null : Number(value);
}

/** Snapshots configured: CONFIG GET save, or (managed services disable CONFIG) a snapshot taken since the start. */
async function snapshotsConfigured(redis: RedisInfoClient, info: string): Promise<boolean> {
  try {
    const reply = await redis.config('GET', 'save');
    if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1].trim() !== '';
  } catch {
    // fall through to INFO
  }
  return (
    (numberField(info, 'rdb_saves') ?? 0) > 0 || (numberField(info, 'rdb_last_bgsave_time_sec') ?? -1) >= 0
  );
}

/** Reads INFO persistence (and CONFIG GET save where allowed). */
export async function readPersistence(redis: RedisInfoClient): Promise<RedisPersistence> {
  const info = await redis.info('persistence');
  const aofEnabled = field(info, 'aof_enabled') === '1';
  const lastSave = numberField(info, 'rdb_last_save_time');
  const rdb = !aofEnabled && (await snapshotsConfigured(redis, info));
  const mode = aofEnabled ? 'aof' : rdb ? 'rdb' : 'not durable';
  const status = aofEnabled ? 'aof_last_write_status' : 'rdb_last_bgsave_status';
  return {
    mode,
    aofEnabled,
    rdbLastSave: lastSave === null ? null : new Date(lastSave * 1000).toISOString(),
    rdbChangesSinceLastSave: numberField(info, 'rdb_changes_since_last_save'),
    lastWriteStatus: mode === 'not durable' ? null : (field(info, status) ?? null),
  };
}
