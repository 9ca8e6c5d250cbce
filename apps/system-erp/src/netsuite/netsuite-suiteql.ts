import type { NetSuiteClient } from './netsuite-client';

export type SuiteQlRow = Partial<Record<string, string>>;

const PAGE = 1000;

/** A string literal for SuiteQL, quotes doubled. */
export function sqlText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

interface SuiteQlPage {
  rows: SuiteQlRow[];
  hasMore: boolean;
  totalResults: number | null;
}

async function fetchPage(client: NetSuiteClient, q: string, offset: number): Promise<SuiteQlPage> {
  const response = await client.request({
    method: 'POST',
    path: `/services/rest/query/v1/suiteql?limit=${PAGE}&offset=${offset}`,
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

/** Runs a SuiteQL query page by page (NetSuite's limit/offset paging), yielding each page's rows. */
export async function* suiteQlPages(client: NetSuiteClient, q: string): AsyncGenerator<SuiteQlRow[]> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await fetchPage(client, q, offset);
    yield page.rows;
    if (!page.hasMore) return;
  }
}

/**
 * The same pages, in order, with up to `concurrency` requests in flight: the first page says how many rows the
 * query has (`totalResults`), the other offsets are then asked side by side (each request still takes one of the
 * account's concurrency slots). Falls back to one page after the other when the answer carries no total.
 */
export async function* suiteQlPagesConcurrently(
  client: NetSuiteClient,
  q: string,
  concurrency: number,
): AsyncGenerator<SuiteQlRow[]> {
  const first = await fetchPage(client, q, 0);
  yield first.rows;
  if (!first.hasMore) return;
  if (first.totalResults === null) {
    for (let offset = PAGE; ; offset += PAGE) {
      const page = await fetchPage(client, q, offset);
      yield page.rows;
      if (!page.hasMore) return;
    }
  }
  const offsets: number[] = [];
  for (let offset = PAGE; offset < first.totalResults; offset += PAGE) offsets.push(offset);
  const inFlight: Array<Promise<SuiteQlPage>> = [];
  let next = 0;
  const launch = () => {
    const offset = offsets.at(next);
    if (offset === undefined) return;
    next += 1;
    const page = fetchPage(client, q, offset);
    page.catch(() => undefined); // awaited in order below; not unhandled meanwhile
    inFlight.push(page);
  };
  while (inFlight.length < Math.max(1, concurrency) && next < offsets.length) launch();
  for (let head = inFlight.shift(); head; head = inFlight.shift()) {
    const page = await head;
    launch();
    yield page.rows;
  }
}

/** All rows of a SuiteQL query. */
export async function suiteQlRows(client: NetSuiteClient, q: string): Promise<SuiteQlRow[]> {
  const rows: SuiteQlRow[] = [];
  for await (const page of suiteQlPages(client, q)) rows.push(...page);
  return rows;
}
