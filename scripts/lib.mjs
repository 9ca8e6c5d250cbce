// Helpers shared by the project's scripts (build, start, migrate, openapi, bench).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const APPS = [
  'experience-finance',
  'process-q2c',
  'system-salesforce',
  'system-billing',
  'system-erp',
  'sandbox',
];
export const STAMP = join(ROOT, 'dist', '.build-stamp');
/** Where npm start keeps its keys, the embedded Postgres and the sandbox's state; CI points it at one of its own. */
export const STATE = process.env.REVLINE_STATE_DIR ?? join(ROOT, '.revline');

/** What npm start runs where: each port from its variable, or the default. */
export const PORTS = {
  'experience-finance': ['EXPERIENCE_FINANCE_PORT', 3000],
  'process-q2c': ['PROCESS_Q2C_PORT', 3001],
  'system-salesforce': ['SYSTEM_SALESFORCE_PORT', 3002],
  'system-billing': ['SYSTEM_BILLING_PORT', 3003],
  'system-erp': ['SYSTEM_ERP_PORT', 3004],
  'sandbox (Salesforce)': ['SANDBOX_SALESFORCE_PORT', 4010],
  'sandbox (Stripe)': ['SANDBOX_STRIPE_PORT', 4020],
  'sandbox (NetSuite)': ['SANDBOX_NETSUITE_PORT', 4030],
};
export const portOf = (name) => Number(process.env[PORTS[name][0]] ?? PORTS[name][1]);

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    process.stderr.write(`\n${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
}

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist is missing or older than any TypeScript source or the build configuration. */
export function buildIsStale() {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  const sources = Math.max(
    ...['apps', 'libs', 'bench'].map((d) => newestSource(join(ROOT, d))),
    ...['tsconfig.json', 'tsconfig.build.json']
      .filter((f) => existsSync(join(ROOT, f)))
      .map((f) => statSync(join(ROOT, f)).mtimeMs),
  );
  return sources > built;
}

/** Requires a built module of the project, by its path under dist. */
export async function importBuilt(path) {
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)(join(ROOT, 'dist', path));
}

/** The admin key npm start made (BOOTSTRAP_ADMIN_API_KEY, or the one it keeps in its state directory). */
export function adminKey() {
  if (process.env.BOOTSTRAP_ADMIN_API_KEY) return process.env.BOOTSTRAP_ADMIN_API_KEY;
  const path = join(STATE, 'admin-api-key');
  if (!existsSync(path))
    throw new Error(
      `no admin key: run npm start first (it keeps one in ${path}), or set BOOTSTRAP_ADMIN_API_KEY`,
    );
  return readFileSync(path, 'utf8').trim();
}

/** A Revline API called with a key: `call(path)` reads, `call(path, { method, body })` writes. */
export function revline(baseUrl, key = adminKey()) {
  return async (path, { method = 'GET', body } = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const csv = (res.headers.get('content-type') ?? '').includes('text/csv');
    const answer = res.status === 204 ? null : csv ? await res.text() : await res.json().catch(() => null);
    if (!res.ok)
      throw Object.assign(new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`), {
        status: res.status,
        body: answer,
      });
    return answer;
  };
}
