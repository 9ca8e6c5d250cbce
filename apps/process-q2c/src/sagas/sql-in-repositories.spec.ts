import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** What runs SQL: a raw statement, a prepared one, a query builder, a TypeORM repository's reads and writes. */
const SQL = [
  /\bmanager\.query\s*[<(]/,
  /\bprepared\s*[<(]/,
  /\bcreateQueryBuilder\s*\(/,
  /getRepository\([^)]*\)\s*\.\s*(find\w*|save|insert|update|upsert|delete|remove|count\w*|exist\w*|query)\s*\(/,
  /\b(INSERT INTO|DELETE FROM|UPDATE\s+"|SELECT\s[^`]*\sFROM\s+")/,
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.ts$/.test(entry.name) &&
      !/\.(spec|int-spec|e2e-spec|migration|repository)\.ts$/.test(entry.name)
      ? [path]
      : [];
  });
}

describe('the sagas folder', () => {
  it('keeps its SQL in *.repository.ts files: planners, steps and handlers run none of their own', () => {
    const offenders = sources(__dirname).flatMap((path) => {
      const text = readFileSync(path, 'utf8');
      return SQL.filter((pattern) => pattern.test(text)).map(
        (pattern) => `${relative(__dirname, path)}: ${pattern.source}`,
      );
    });
    expect(offenders).toEqual([]);
  });

  it('would see a statement outside a repository', () => {
    const sample = 'await manager.query(`SELECT "saga_id" FROM "q2c"."sagas"`, []);';
    expect(SQL.filter((pattern) => pattern.test(sample))).toHaveLength(2);
  });
});
