import type { NetSuiteClient } from './netsuite-client';

export type SuiteQlRow = Partial<Record<string, string>>;

const PAGE = 1000;

/**
 * The most results NetSuite serves of one SuiteQL query through REST web services (without SuiteAnalytics
 * Connect): a page whose offset + limit goes past it is refused. Larger reads are cut into several queries, each
 * within the cap (`suiteQlSlices`).
 */
export const SUITEQL_MAX_RESULTS = 100_000;

/** A string literal for SuiteQL, quotes doubled. */
export function sqlText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A date literal for SuiteQL, from an ISO `YYYY-MM-DD` date. */
export function sqlDate(isoDate: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) throw new Error(`${isoDate} is not a date YYYY-MM-DD`);
  return `TO_DATE('${isoDate}', 'YYYY-MM-DD')`;
}

interface SuiteQlPage {
  rows: SuiteQlRow[];
  hasMore: boolean;
  totalResults: number | null;
}

async function fetchPage(
  client: NetSuiteClient,
  q: string,
  offset: number,
  limit = PAGE,
): Promise<SuiteQlPage> {
  const response = await client.request({
    method: 'POST',
    path: `/services/rest/query/v1/suiteql?limit=${limit}&offset=${offset}`,
    body: { q },
  });
  const page = response.data as { items?: SuiteQlRow[]; hasMore?: boolean; totalResults?: number };
  const rows = (page.items ?? []).map((item) => {
    const row = { ...item };
    delete row.links;
    return row;
  });
  return { rows, hasMore: page.hasMore === true, totalResults: page.totalResults ?? null };
}

/**
 * Runs a SuiteQL query page by page (NetSuite's limit/offset paging), yielding each page's rows. For a query
 * that may pass NetSuite's result cap, use `suiteQlSlices`.
 */
export async function* suiteQlPages(client: NetSuiteClient, q: string): AsyncGenerator<SuiteQlRow[]> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await fetchPage(client, q, offset);
    yield page.rows;
    if (!page.hasMore) return;
  }
}

/** All rows of a SuiteQL query. */
export async function suiteQlRows(client: NetSuiteClient, q: string): Promise<SuiteQlRow[]> {
  const rows: SuiteQlRow[] = [];
  for await (const page of suiteQlPages(client, q)) rows.push(...page);
  return rows;
}

/**
 * One query's pages, in order, no further than `pages` pages (the result cap); `capped` on the last page says the
 * query has rows beyond it. With `concurrency` above 1, the first page says how many rows the query has
 * (`totalResults`) and the other offsets are asked side by side (each request takes one of the account's
 * concurrency slots); without a total, one page after the other.
 */
async function* cappedPages(
  client: NetSuiteClient,
  q: string,
  limit: number,
  pages: number,
  concurrency: number,
): AsyncGenerator<{ rows: SuiteQlRow[]; capped: boolean }> {
  const first = await fetchPage(client, q, 0, limit);
  if (!first.hasMore || pages === 1) {
    yield { rows: first.rows, capped: first.hasMore };
    return;
  }
  yield { rows: first.rows, capped: false };
  if (concurrency <= 1 || first.totalResults === null) {
    for (let index = 1; index < pages; index++) {
      const page = await fetchPage(client, q, index * limit, limit);
      const last = index === pages - 1;
      yield { rows: page.rows, capped: last && page.hasMore };
      if (!page.hasMore) return;
    }
    return;
  }
  const total = first.totalResults;
  const offsets: number[] = [];
  for (let index = 1; index < pages && index * limit < total; index++) offsets.push(index * limit);
  const capped = total > pages * limit;
  const inFlight: Array<Promise<SuiteQlPage>> = [];
  let next = 0;
  const launch = () => {
    const offset = offsets.at(next);
    if (offset === undefined) return;
    next += 1;
    const page = fetchPage(client, q, offset, limit);
    page.catch(() => undefined); // awaited in order below; not unhandled meanwhile
    inFlight.push(page);
  };
  while (inFlight.length < concurrency && next < offsets.length) launch();
  for (let head = inFlight.shift(); head; head = inFlight.shift()) {
    const page = await head;
    launch();
    yield { rows: page.rows, capped: capped && inFlight.length === 0 && next >= offsets.length };
  }
}

/**
 * How a read larger than one SuiteQL query may return is cut into queries, each ordered by a key: `query(from)` is
 * the query for the rows from a key on (`null`: from the start) and `key(row)` a row's key.
 *   - `unique` keys (an internal id): the next query asks for the keys after the last row's (`id > last`).
 *   - otherwise (a group's key, shared by several rows): the next query asks from the last key on (`key >= last`),
 *     and the first query's rows of that key, perhaps cut short by the cap, are left to it.
 */
export interface SuiteQlSlicing {
  query: (from: string | null) => string;
  key: (row: SuiteQlRow) => string;
  unique: boolean;
  /** Pages asked side by side within a query (1: one after the other). */
  concurrency?: number;
  /** The cap on one query's results: NetSuite's, or lower. */
  maxResults?: number;
}

/**
 * All rows of a read that may pass NetSuite's cap on one query's results, page by page: each query is paged by
 * offset up to the cap, then the next query starts after the last key read.
 */
export async function* suiteQlSlices(
  client: NetSuiteClient,
  slicing: SuiteQlSlicing,
): AsyncGenerator<SuiteQlRow[]> {
  const maxResults = Math.min(slicing.maxResults ?? SUITEQL_MAX_RESULTS, SUITEQL_MAX_RESULTS);
  const limit = Math.min(PAGE, maxResults);
  const pages = Math.floor(maxResults / limit);
  let from: string | null = null;
  for (;;) {
    const q = slicing.query(from);
    let held: SuiteQlRow[] = [];
    let lastKey: string | null = null;
    let capped = false;
    for await (const page of cappedPages(client, q, limit, pages, Math.max(1, slicing.concurrency ?? 1))) {
      capped = page.capped;
      const last = page.rows.at(-1);
      if (last) lastKey = slicing.key(last);
      if (slicing.unique) {
        if (page.rows.length > 0) yield page.rows;
        continue;
      }
      // The rows of the last key may go on in the next page: hold them back until a later key shows.
      const rows = [...held, ...page.rows];
      let cut = rows.length;
      while (cut > 0 && slicing.key(rows[cut - 1] ?? {}) === lastKey) cut -= 1;
      held = rows.slice(cut);
      if (cut > 0) yield rows.slice(0, cut);
    }
    if (!capped) {
      if (held.length > 0) yield held;
      return;
    }
    if (lastKey === null || (!slicing.unique && lastKey === from)) {
      throw new Error(
        `SuiteQL: more than ${String(maxResults)} rows share one key, the read cannot go on: ${q}`,
      );
    }
    from = lastKey;
  }
}
