// `npm run test:chaos`: the fault-injection suite. Starts a Postgres and a Redis of its own (free ports, a temporary
// directory), the built apps and the sandbox as processes reaching them through proxies it owns, then, fault after
// fault, streams bookings and amendments through Salesforce while it injects the fault, waits for the platform to
// catch up, and finally checks from the vendors' own records that every change landed exactly once. Prints one
// line per fault (changes, lost, doubled, recovery time) and `N passed, M failed`; exits 1 on any failure.
//
// CHAOS_FAULTS=<substring>[,<substring>] runs only the faults whose names contain one of them;
// CHAOS_SABOTAGE=double adds a second Stripe subscription to one booking after the load, to see the suite fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildIsStale } from './lib.mjs';
import { FAULTS } from './chaos/faults.mjs';
import { sleep, startPostgres, startRedis } from './chaos/infra.mjs';
import { Load } from './chaos/load.mjs';
import { startPlatform } from './chaos/platform.mjs';
import { contractDoubles, judge, snapshot } from './chaos/verify.mjs';

const DATABASE = 'revline_chaos';
const SETTLE_MS = Number(process.env.CHAOS_SETTLE_SECONDS ?? 120) * 1000;
const say = (line) => process.stdout.write(`[chaos] ${line}\n`);

/** mulberry32: the faults' random choices, repeatable with CHAOS_SEED. */
function seeded(seed) {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sum of `revline_jobs_total{outcome="completed"}` an instance reports. */
async function jobsHandled(instance, key) {
  const res = await fetch(`${instance.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`${instance.name} /metrics: ${res.status}`);
  return (await res.text())
    .split('\n')
    .filter((l) => l.startsWith('revline_jobs_total{') && l.includes('outcome="completed"'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

async function main() {
  if (buildIsStale())
    throw new Error('dist/ is missing or older than the sources: run `npm run build` first');
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'revline-chaos-'));
  const cleanups = [() => rmSync(dir, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => {});
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanUp().then(() => process.exit(143)));
  try {
    return await run(dir, cleanups, started);
  } finally {
    await cleanUp();
  }
}

async function run(dir, cleanups, started) {
  const postgres = await startPostgres(dir);
  cleanups.push(() => postgres.stop());
  const redis = await startRedis(dir);
  cleanups.push(() => redis.stop());
  say(`own Postgres on ${postgres.port}, own Redis on ${redis.port} (AOF everysec, noeviction), in ${dir}`);

  const { migrateAll } = await import('./migrate.mjs');
  await migrateAll(postgres.url(DATABASE), {});
  const db = new pg.Pool({ connectionString: postgres.url(DATABASE), max: 2 });
  db.on('error', () => {});
  cleanups.push(() => db.end());
  const query = async (sql, params) => (await db.query(sql, params)).rows;

  const platform = await startPlatform({ postgres, redis, database: DATABASE });
  cleanups.push(() => platform.stop());
  say(`platform healthy after ${((Date.now() - started) / 1000).toFixed(0)} s`);

  // The demo's clients and price book, pointed at this platform.
  Object.assign(process.env, {
    SALESFORCE_LOGIN_URL: platform.urls.salesforce,
    STRIPE_PORT: String(platform.urls.stripePort),
    NETSUITE_BASE_URL: platform.urls.netsuite,
    EXPERIENCE_FINANCE_URL: platform.urls.experience,
    PROCESS_Q2C_URL: platform.urls.process,
    BOOTSTRAP_ADMIN_API_KEY: platform.adminKey,
  });
  const { salesforce, salesforceSandbox, stripe, netsuite } = await import('./demo/clients.mjs');
  const { mapYearlyPrices } = await import('./demo/mapping.mjs');
  const clients = { sf: await salesforce(), stripe: stripe(), erp: netsuite() };
  await mapYearlyPrices(clients.stripe);
  const load = new Load({
    sf: clients.sf,
    sandbox: salesforceSandbox,
    linked: async (id) =>
      (await query('SELECT 1 FROM q2c.contract_refs WHERE salesforce_contract_id = $1', [id])).length > 0,
  });
  await load.setUp();

  let lastSeen = '';
  const settle = async (changes, from) => {
    const deadline = Date.now() + SETTLE_MS;
    for (;;) {
      const snap = await snapshot(clients, changes).catch((error) => ((lastSeen = error.message), null));
      const waiting = snap ? changes.filter((c) => !judge(c, snap).landed) : changes;
      if (snap && waiting.length === 0) return Date.now() - from;
      if (snap)
        lastSeen = waiting.map((c) => `${c.orderId}: ${judge(c, snap).missing.join('; ')}`).join(' | ');
      if (Date.now() > deadline) return null;
      await sleep(2000);
    }
  };

  // Warm-up: the first booking of each account (its customer in Stripe and NetSuite), undisturbed.
  const warm = [];
  for (const account of load.accounts) warm.push(await load.book('warm-up', account));
  if ((await settle(warm, Date.now())) === null)
    throw new Error(`the undisturbed warm-up did not land: ${lastSeen}`);
  await load.contract(warm);
  say(`warm-up: ${warm.length} bookings landed; the faults begin`);

  const only = process.env.CHAOS_FAULTS?.split(',').filter(Boolean);
  const faults = only ? FAULTS.filter((f) => only.some((o) => f.name.includes(o))) : FAULTS;
  const ctx = {
    platform,
    postgres,
    redis,
    query,
    random: seeded(Number(process.env.CHAOS_SEED ?? 21)),
    urls: { stripe: `http://127.0.0.1:${platform.urls.stripePort}`, netsuite: platform.urls.netsuite },
    jobsHandled: (instance) => jobsHandled(instance, platform.adminKey),
  };
  const results = [];
  for (const fault of faults) {
    const stopLoad = load.stream(fault.name);
    const detail = await fault.inject(ctx).catch((error) => ({ error }));
    const healed = Date.now();
    await sleep(2000);
    await stopLoad();
    const changes = load.changes.filter((c) => c.phase === fault.name);
    const recoveryMs = await settle(changes, healed);
    const failures = detail?.error ? [`the fault could not be injected: ${detail.error.message}`] : [];
    if (fault.check) failures.push(...(await fault.check(ctx).catch((e) => [`check: ${e.message}`])));
    if (ctx.scheduledNote) (say(ctx.scheduledNote), (ctx.scheduledNote = undefined));
    results.push({ fault, changes, recoveryMs, failures, detail: typeof detail === 'string' ? detail : '' });
    say(
      `${fault.name}${typeof detail === 'string' ? ` (${detail})` : ''}: ${changes.length} changes, ${recoveryMs === null ? 'not all landed' : `all landed ${(recoveryMs / 1000).toFixed(1)} s after the fault ended`}`,
    );
    // Landed bookings become the next phases' amendments.
    const landedBookings = changes.filter((c) => c.kind === 'booking').slice(0, 6);
    if (recoveryMs !== null) await load.contract(landedBookings).catch(() => {});
  }

  if (process.env.CHAOS_SABOTAGE === 'double') {
    // A doubled effect planted on purpose: a second subscription for one booking's contract, made with the stripe
    // SDK as a buggy retry would make it.
    const victim = load.changes.find((c) => c.kind === 'booking' && c.phase !== 'warm-up');
    const [subscription] = (await snapshot(clients, [victim])).subscriptions;
    await clients.stripe.subscriptions.create({
      customer: subscription.customer,
      items: [{ price: subscription.items.data[0].price.id, quantity: 10 }],
      metadata: { revline_contract_id: victim.contractOrderId },
    });
    say(`sabotage: a second Stripe subscription for contract ${victim.contractOrderId}`);
  }

  // The verdict, from the vendors' records once everything is quiet.
  await sleep(5000);
  const snap = await snapshot(clients, load.changes);
  const doubles = contractDoubles(snap);
  const imbalance = await (await fetch(`${platform.urls.netsuite}/sandbox/ledger/imbalance`)).json();
  const lines = [];
  let passed = 0;
  let failed = 0;
  const width = Math.max(...results.map((r) => r.fault.name.length)) + 2;
  process.stdout.write(
    `\n${'fault'.padEnd(width)}${'changes'.padStart(8)}${'lost'.padStart(6)}${'doubled'.padStart(9)}  recovery\n`,
  );
  for (const r of results) {
    const verdicts = r.changes.map((c) => ({ c, v: judge(c, snap) }));
    const lost = verdicts.filter(({ v }) => !v.landed);
    const doubled = verdicts.filter(({ c, v }) => v.doubled || doubles[c.contractOrderId]);
    const ok = lost.length === 0 && doubled.length === 0 && r.failures.length === 0 && r.changes.length > 0;
    if (ok) passed += 1;
    else failed += 1;
    const recovery =
      r.recoveryMs === null ? `> ${SETTLE_MS / 1000} s` : `${(r.recoveryMs / 1000).toFixed(1)} s`;
    const line = `${r.fault.name.padEnd(width)}${String(r.changes.length).padStart(8)}${String(lost.length).padStart(6)}${String(doubled.length).padStart(9)}  ${recovery.padEnd(9)} ${ok ? 'PASS' : 'FAIL'}`;
    process.stdout.write(`${line}\n`);
    lines.push({ ...r, lost: lost.length, doubled: doubled.length, recovery, ok });
    for (const { c, v } of lost.slice(0, 3))
      process.stdout.write(`    lost ${c.kind} ${c.orderId}: ${v.missing.join('; ')}\n`);
    for (const { c, v } of doubled.slice(0, 3))
      process.stdout.write(
        `    doubled ${c.kind} ${c.orderId}: ${[...v.twice, ...(doubles[c.contractOrderId] ?? [])].join('; ')}\n`,
      );
    for (const f of r.failures) process.stdout.write(`    ${f}\n`);
    if (r.changes.length === 0) process.stdout.write('    no change ran through this fault\n');
  }
  const unbalanced = Object.entries(imbalance).filter(([, v]) => v !== '0');
  if (unbalanced.length > 0) {
    failed += 1;
    process.stdout.write(`the NetSuite ledger does not balance: ${JSON.stringify(imbalance)}\n`);
  }
  if (load.errors.length > 0)
    process.stdout.write(
      `(${load.errors.length} changes could not be made in Salesforce: ${load.errors[0]})\n`,
    );
  if (failed > 0) {
    // Where Revline stands, to start the diagnosis: open exceptions and sagas not completed.
    const open = await query(
      `SELECT category, left(reason, 160) AS reason, count(*)::int AS n FROM (
         SELECT category, reason FROM q2c.exceptions WHERE status <> 'resolved' UNION ALL
         SELECT category, reason FROM billing.exceptions WHERE status <> 'resolved' UNION ALL
         SELECT category, reason FROM erp.exceptions WHERE status <> 'resolved' UNION ALL
         SELECT category, reason FROM salesforce.exceptions WHERE status <> 'resolved') e GROUP BY 1, 2`,
    ).catch((error) => [{ category: 'unreadable', reason: error.message, n: 0 }]);
    for (const e of open) process.stdout.write(`exception ×${e.n}: ${e.category}: ${e.reason}\n`);
    const sagas = await query(
      `SELECT kind, status, step, count(*)::int AS n FROM q2c.sagas WHERE status <> 'completed' GROUP BY 1, 2, 3`,
    ).catch(() => []);
    for (const g of sagas) process.stdout.write(`saga ×${g.n}: ${g.kind} ${g.status} at ${g.step}\n`);
  }
  if (process.env.CHAOS_MARKDOWN === '1') {
    process.stdout.write('\n| fault | changes | lost | doubled | recovery |\n|---|---:|---:|---:|---:|\n');
    for (const l of lines)
      process.stdout.write(
        `| ${l.fault.name} | ${l.changes.length} | ${l.lost} | ${l.doubled} | ${l.recovery} |\n`,
      );
  }
  process.stdout.write(
    `\n${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
  );
  return failed === 0 ? 0 : 1;
}

main()
  .then((code) => process.exit(code))
  .catch((error) => {
    process.stderr.write(`[chaos] failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
