import { PassThrough, pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type { RunContext } from '../checkpoints/checkpoint';
import type { SystemName } from '../system-apis';
import { copyFrom } from './copy-in';

/** How much of an export opened ahead of its staging may wait in memory before its sender is held back. */
const PREFETCH_BYTES = 32 * 1024 * 1024;

/** A system API's CSV export, requested now and staged later (see openExport). */
export type OpenedExport = Promise<Readable>;

/**
 * Requests a system API's CSV export at once: the system starts exporting while the run stages something else on
 * its one connection, up to PREFETCH_BYTES kept in memory (then TCP holds the sender back, so memory stays bounded
 * whatever the export's size). A failure is raised where the export is staged.
 */
export function openExport(
  ctx: RunContext,
  system: SystemName,
  path: string,
  query: Record<string, string>,
): OpenedExport {
  const opened = ctx.systems.stream(system, path, { ...query, format: 'csv' }).then((body) => {
    const buffered = new PassThrough({
      readableHighWaterMark: PREFETCH_BYTES,
      writableHighWaterMark: 64 * 1024,
    });
    // A failure once the export has begun names it, as one before does (first listener: the error staging sees).
    body.once('error', (error) =>
      buffered.destroy(
        new Error(`system-${system} ${path} stopped mid-export: ${error.message}`, { cause: error }),
      ),
    );
    pipeline(body, buffered, () => undefined);
    return buffered;
  });
  opened.catch(() => undefined);
  return opened;
}

/**
 * Runs `stage` with the exports opened, and closes any of them it did not read to the end (a failed staging leaves
 * no request open behind it).
 */
export async function withExports<T>(exports: OpenedExport[], stage: () => Promise<T>): Promise<T> {
  try {
    return await stage();
  } finally {
    for (const opened of exports)
      opened.then(
        (body) => body.destroy(),
        () => undefined,
      );
  }
}

/**
 * Streams a system API's CSV export (opened by openExport) into a typed temp table through COPY … (FORMAT csv,
 * HEADER MATCH): Postgres checks the header row names exactly the table's columns, in order, so a changed export
 * fails loudly instead of landing in the wrong columns. The cheapest path for the large exports: no JSON parsed on
 * either side.
 */
export async function stageCsv(
  ctx: RunContext,
  table: string,
  columns: ReadonlyArray<readonly [name: string, type: string]>,
  opened: OpenedExport,
): Promise<number> {
  const ddl = columns.map(([name, type]) => `"${name}" ${type}`).join(', ');
  await ctx.runner.query(`CREATE TEMP TABLE "${table}" (${ddl})`);
  const body = await opened;
  const rows = await copyFrom(ctx.client, `COPY "${table}" FROM STDIN WITH (FORMAT csv, HEADER MATCH)`, body);
  // Temp tables get no statistics unless asked: without them the planner guesses and may nest loops over 1M rows.
  await ctx.runner.query(`ANALYZE "${table}"`);
  return rows;
}
