// The faults, one per phase. Each `inject(ctx)` runs while the load streams, and returns once the fault is over (the
// process restarted, the store back, the network healed, the switch off); `check(ctx)`, when given, is a further
// condition the phase must meet (answers a list of failures).
import { sleep } from './infra.mjs';

const pick = (ctx, list) => list[Math.floor(ctx.random() * list.length)];

/** The sandbox's fault switches (`POST /sandbox/faults` on the vendor's port; Stripe's DELETE turns all off). */
export async function sandboxFaults(base, body, method = 'POST') {
  const res = await fetch(`${base}/sandbox/faults`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${base}/sandbox/faults: ${res.status} ${await res.text()}`);
}

const SCHEDULE_SECONDS = 5;

export const FAULTS = [
  {
    name: 'kill -9 of a random app, again and again',
    async inject(ctx) {
      const killed = [];
      for (let i = 0; i < 4; i++) {
        const instance = pick(ctx, Object.values(ctx.platform.primaries));
        killed.push(instance.app);
        await ctx.platform.restart(instance, 'SIGKILL');
      }
      return killed.join(', ');
    },
  },
  {
    name: 'Redis killed (kill -9) and restarted',
    async inject(ctx) {
      await sleep(3000);
      await ctx.redis.kill();
      await sleep(3000);
      await ctx.redis.start();
    },
  },
  {
    name: 'Redis restarted having lost its last writes (older AOF)',
    async inject(ctx) {
      await sleep(2000);
      ctx.redis.snapshotAof();
      // The writes of the next seconds (jobs queued, completed, removed) are then forgotten.
      await sleep(8000);
      await ctx.redis.kill();
      ctx.redis.restoreAof();
      await ctx.redis.start();
    },
  },
  {
    name: 'Postgres stopped immediately (pg_ctl -m immediate) and restarted',
    async inject(ctx) {
      await sleep(3000);
      ctx.postgres.stopImmediately();
      await sleep(5000);
      await ctx.postgres.start();
    },
  },
  {
    name: 'network cut app <-> Redis for 30 s',
    async inject(ctx) {
      const instance = pick(ctx, Object.values(ctx.platform.primaries));
      await sleep(2000);
      instance.proxies.redis.cut();
      await sleep(30_000);
      instance.proxies.redis.heal();
      return instance.app;
    },
  },
  {
    name: 'network cut app <-> Postgres for 30 s',
    async inject(ctx) {
      const instance = pick(ctx, Object.values(ctx.platform.primaries));
      await sleep(2000);
      instance.proxies.postgres.cut();
      await sleep(30_000);
      instance.proxies.postgres.heal();
      return instance.app;
    },
  },
  {
    name: 'NetSuite saves and its answer is lost (30 % of writes)',
    async inject(ctx) {
      await sandboxFaults(ctx.urls.netsuite, { timeoutAfterSaveRate: 0.3, timeoutAfterSaveMs: 0, seed: 7 });
      await sleep(15_000);
      await sandboxFaults(ctx.urls.netsuite, { timeoutAfterSaveRate: 0 });
    },
  },
  {
    name: 'Stripe creates and its answer is lost (30 % of POSTs)',
    async inject(ctx) {
      await sandboxFaults(ctx.urls.stripe, { answerLostRate: 0.3 });
      await sleep(15_000);
      await sandboxFaults(ctx.urls.stripe, null, 'DELETE');
    },
  },
  {
    name: 'Stripe webhooks delivered three times, out of order',
    async inject(ctx) {
      await sandboxFaults(ctx.urls.stripe, { webhookCopies: 3, webhookReorderWindowMs: 1500 });
      await sleep(15_000);
      await sandboxFaults(ctx.urls.stripe, null, 'DELETE');
    },
  },
  {
    name: "an app's event loop blocked for 5 s (SIGSTOP/SIGCONT)",
    async inject(ctx) {
      const paused = [];
      for (let i = 0; i < 3; i++) {
        const instance = pick(ctx, Object.values(ctx.platform.primaries));
        paused.push(instance.app);
        await ctx.platform.pause(instance, 5000);
        await sleep(2000);
      }
      return paused.join(', ');
    },
  },
  {
    name: 'two replicas of every app (same Postgres and Redis)',
    async inject(ctx) {
      // Every instance runs the monthly job's scheduler every 5 s (platform.mjs): it must still run once per slot.
      ctx.replicas = await ctx.platform.replicate();
      ctx.scheduledFrom = Date.now();
      await sleep(30_000);
      ctx.scheduledTo = Date.now();
    },
    /** Work shared (each replica's workers handled jobs) and the scheduled job once per 5-s slot, none missed. */
    async check(ctx) {
      const failures = [];
      const handledByReplica = [];
      for (const replica of ctx.replicas.filter((r) => r.app !== 'experience-finance')) {
        const handled = await ctx.jobsHandled(replica);
        handledByReplica.push(`${replica.app} ${handled}`);
        if (handled === 0) failures.push(`${replica.name} handled no job`);
      }
      const rows = await ctx.query(
        `SELECT idempotency_key FROM q2c.inbox WHERE consumer = 'process-q2c.scheduled'
          AND idempotency_key LIKE 'scheduler:q2c.recognise-period.monthly:%'`,
      );
      const slots = rows
        .map((r) => Number(r.idempotency_key.split(':').at(-1)))
        .filter((t) => t >= ctx.scheduledFrom + 2 * SCHEDULE_SECONDS * 1000 && t <= ctx.scheduledTo);
      const distinct = new Set(slots);
      if (distinct.size !== slots.length) failures.push(`a scheduled slot ran twice: ${slots.join(', ')}`);
      const expected = Math.floor((ctx.scheduledTo - ctx.scheduledFrom) / (SCHEDULE_SECONDS * 1000)) - 2;
      if (distinct.size < expected)
        failures.push(`the scheduled job ran ${distinct.size} times in ${expected} slots`);
      ctx.scheduledNote = `the scheduled job ran ${distinct.size} times in ${expected} whole slots; jobs handled per replica: ${handledByReplica.join(', ')}`;
      for (const replica of ctx.replicas) await ctx.platform.stopInstance(replica);
      return failures;
    },
  },
];
