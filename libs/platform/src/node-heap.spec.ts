import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_NODE_ARGS } from './node-heap';

describe('APP_NODE_ARGS', () => {
  it('are flags Node takes, and they cap the heap near 256 MB', () => {
    const limit = Number(
      execFileSync(process.execPath, [
        ...APP_NODE_ARGS,
        '-p',
        'require("node:v8").getHeapStatistics().heap_size_limit',
      ]).toString(),
    );
    expect(limit).toBeGreaterThanOrEqual(256 * 1024 * 1024);
    expect(limit).toBeLessThan(400 * 1024 * 1024);
  });

  it("are docker-compose's NODE_OPTIONS for the apps, and the sandbox runs without them", () => {
    const compose = readFileSync(join(__dirname, '../../../docker-compose.yml'), 'utf8');
    const options = [...compose.matchAll(/NODE_OPTIONS: (.*)/g)].map((m) => m[1]);
    expect(options).toEqual([APP_NODE_ARGS.join(' '), "''"]);
  });
});
