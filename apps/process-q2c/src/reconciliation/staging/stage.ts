import type { RunContext } from '../checkpoints/checkpoint';
import { select } from '../checkpoints/checkpoint';
import type { SystemName } from '../system-apis';
import { copyFrom, NDJSON_COPY_OPTIONS } from './copy-in';

/**
 * Streams a system API's NDJSON export into a temp table of one `jsonb` column through COPY: the export is never
 * held in memory and never parsed in Node. Answers the rows staged.
 */
export async function stageExport(
  ctx: RunContext,
  table: string,
  system: SystemName,
  path: string,
  query: Record<string, string>,
): Promise<number> {
  await ctx.runner.query(`CREATE TEMP TABLE "${table}" ("doc" jsonb)`);
  const body = await ctx.systems.stream(system, path, query);
  await copyFrom(ctx.client, `COPY "${table}" ("doc") FROM STDIN WITH ${NDJSON_COPY_OPTIONS}`, body);
  await ctx.runner.query(`DELETE FROM "${table}" WHERE "doc" IS NULL`);
  const [row] = await select<Array<{ n: number }>>(ctx.runner, `SELECT count(*)::int AS n FROM "${table}"`);
  return row?.n ?? 0;
}

/**
 * Streams a system API's CSV export into a typed temp table through COPY … (FORMAT csv, HEADER MATCH): Postgres
 * checks the header row names exactly the table's columns, in order, so a changed export fails loudly instead of
 * landing in the wrong columns. The cheapest path for the large exports: no JSON parsed on either side.
 */
export async function stageCsv(
  ctx: RunContext,
  table: string,
  columns: ReadonlyArray<readonly [name: string, type: string]>,
  system: SystemName,
  path: string,
  query: Record<string, string>,
): Promise<number> {
  const ddl = columns.map(([name, type]) => `"${name}" ${type}`).join(', ');
  await ctx.runner.query(`CREATE TEMP TABLE "${table}" (${ddl})`);
  const body = await ctx.systems.stream(system, path, { ...query, format: 'csv' });
  return copyFrom(ctx.client, `COPY "${table}" FROM STDIN WITH (FORMAT csv, HEADER MATCH)`, body);
}
