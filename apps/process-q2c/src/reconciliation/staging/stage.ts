import type { RunContext } from '../checkpoints/checkpoint';
import type { SystemName } from '../system-apis';
import { copyFrom } from './copy-in';

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
  const rows = await copyFrom(ctx.client, `COPY "${table}" FROM STDIN WITH (FORMAT csv, HEADER MATCH)`, body);
  // Temp tables get no statistics unless asked: without them the planner guesses and may nest loops over 1M rows.
  await ctx.runner.query(`ANALYZE "${table}"`);
  return rows;
}
