// Helpers shared by the project's scripts (build, start, migrate, openapi, bench).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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
