/** The subset of an ioredis client this check needs. */
export interface RedisInfoClient {
  config(subcommand: 'GET', parameter: string): Promise<unknown>;
  info(section: string): Promise<string>;
}

export class EvictionPolicyError extends Error {
  constructor(readonly policy: string) {
    super(
      `Redis maxmemory-policy is "${policy}"; Revline needs "noeviction" so queued jobs are never evicted. ` +
        'Set it with `CONFIG SET maxmemory-policy noeviction` (and in redis.conf).',
    );
    this.name = 'EvictionPolicyError';
  }
}

/** Reads the policy with CONFIG GET, or from INFO where managed services disable CONFIG. */
export async function readEvictionPolicy(redis: RedisInfoClient): Promise<string> {
  try {
    const reply = await redis.config('GET', 'maxmemory-policy');
    if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1];
  } catch {
    // fall through to INFO
  }
  const info = await redis.info('memory');
  const match = /maxmemory_policy:(\S+)/.exec(info);
  if (!match?.[1]) throw new Error('Could not read Redis maxmemory-policy from CONFIG GET or INFO memory');
  return match[1];
}

export async function assertNoEviction(redis: RedisInfoClient): Promise<void> {
  const policy = await readEvictionPolicy(redis);
  if (policy !== 'noeviction') throw new EvictionPolicyError(policy);
}
