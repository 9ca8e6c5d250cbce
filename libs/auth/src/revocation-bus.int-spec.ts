import { RedisConfig } from '@revline/config';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RevocationBus } from './revocation-bus';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function busOn(prefix: string): RevocationBus {
  return new RevocationBus(Object.assign(new RedisConfig(), { REDIS_URL, QUEUE_PREFIX: prefix }));
}

describe('RevocationBus', () => {
  const started: RevocationBus[] = [];
  const start = async (prefix: string): Promise<RevocationBus> => {
    const bus = busOn(prefix);
    started.push(bus);
    await bus.onModuleInit();
    return bus;
  };

  afterEach(async () => {
    await Promise.all(started.splice(0).map((bus) => bus.onApplicationShutdown()));
  });

  it('delivers a revocation to every app on the same prefix, and to none on another', async () => {
    const prefix = `bus-${randomBytes(4).toString('hex')}`;
    const [publisher, listener, elsewhere] = [
      await start(prefix),
      await start(prefix),
      await start(`${prefix}-x`),
    ];
    const heard = vi.fn();
    const overheard = vi.fn();
    listener.onRevoked(heard);
    elsewhere.onRevoked(overheard);
    expect(listener.listening).toBe(true);
    await publisher.publish('0b5e7c1e-0000-4000-8000-000000000001');
    await vi.waitFor(() => {
      expect(heard).toHaveBeenCalledWith('0b5e7c1e-0000-4000-8000-000000000001');
    }, 1_000);
    expect(overheard).not.toHaveBeenCalled();
  });

  it('turns deaf when its connection drops, and listens again once subscribed anew', async () => {
    const prefix = `bus-${randomBytes(4).toString('hex')}`;
    const [publisher, listener] = [await start(prefix), await start(prefix)];
    const deaf = vi.fn();
    const heard = vi.fn();
    listener.onDeaf(deaf);
    listener.onRevoked(heard);
    const admin = new Redis(REDIS_URL);
    try {
      // Both apps' subscriptions carry the channel's name: both drop.
      const clients = (await admin.client('LIST')) as string;
      const ids = clients
        .split('\n')
        .filter((line) => line.includes(` name=${listener.channel}:subscriber `))
        .map((line) => /\bid=(\d+)/.exec(line)?.[1] ?? '');
      expect(ids).toHaveLength(2);
      for (const id of ids) await admin.client('KILL', 'ID', id);
    } finally {
      await admin.quit();
    }
    await vi.waitFor(() => {
      expect(deaf).toHaveBeenCalled();
    }, 1_000);
    await vi.waitFor(() => {
      expect(listener.listening).toBe(true);
    }, 5_000);
    await publisher.publish('0b5e7c1e-0000-4000-8000-000000000002');
    await vi.waitFor(() => {
      expect(heard).toHaveBeenCalledWith('0b5e7c1e-0000-4000-8000-000000000002');
    }, 1_000);
  });
});
