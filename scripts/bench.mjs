// `npm run bench`: runs every benchmark script (dist/bench/*.bench.js) in turn. Each prints its figures as
// JSON lines on stdout; this runner passes them through and adds one line per script that failed to run. Anything
// else a script prints (a library's warning, say) goes to stderr, so stdout stays JSON lines only.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, buildIsStale, importBuilt, run } from './lib.mjs';

if (buildIsStale())
  run(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const dir = join(ROOT, 'dist/bench');
const only = process.argv.slice(2);
const scripts = existsSync(dir)
  ? readdirSync(dir).filter(
      (f) => f.endsWith('.bench.js') && (only.length === 0 || only.some((o) => f.includes(o))),
    )
  : [];
// A bench that hosts an app in its own process (q2c-usage hosts process-q2c, whose memory it measures) runs with the
// heap flags every app runs with.
const { APP_NODE_ARGS } = await importBuilt('libs/platform/src/node-heap.js');
const HOSTS_AN_APP = new Set(['q2c-usage.bench.js']);
let failed = 0;
for (const script of scripts.sort()) {
  const flags = HOSTS_AN_APP.has(script) ? [...APP_NODE_ARGS] : [];
  const result = spawnSync(process.execPath, ['--expose-gc', ...flags, join(dir, script)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    env: { LOG_LEVEL: 'silent', ...process.env },
    timeout: 10 * 60_000,
  });
  for (const line of (result.stdout ?? '').toString().split('\n').filter(Boolean)) {
    (line.startsWith('{') ? process.stdout : process.stderr).write(`${line}\n`);
  }
  if (result.status !== 0) {
    failed++;
    process.stdout.write(
      `${JSON.stringify({ bench: script.replace('.bench.js', ''), error: `exit ${result.status ?? result.signal}` })}\n`,
    );
  }
}
process.exit(failed > 0 ? 1 : 0);
