import type { NetSuiteClient } from './netsuite-client';

export type SuiteQlRow = Partial<Record<string, string>>;

const PAGE = 1000;

/** A string literal for SuiteQL, quotes doubled. */
export function sqlText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Runs a SuiteQL query page by page (NetSuite's limit/offset paging), yielding each page's rows. */
export async function* suiteQlPages(client: NetSuiteClient, q: string): AsyncGenerator<SuiteQlRow[]> {
  for (let offset = 0; ; offset += PAGE) {
    const response = await client.request({
      method: 'POST',
      path: `/services/rest/query/v1/suiteql?limit=${PAGE}&offset=${offset}`,
      body: { q },
    });
    const page = response.data as { items?: SuiteQlRow[]; hasMore?: boolean };
    const rows = (page.items ?? []).map((item) => {
      const row = { ...item };
      delete row.links;
      return row;
    });
    yield rows;
    if (!page.hasMore) return;
  }
}

/** All rows of a SuiteQL query. */
export async function suiteQlRows(client: NetSuiteClient, q: string): Promise<SuiteQlRow[]> {
  const rows: SuiteQlRow[] = [];
  for await (const page of suiteQlPages(client, q)) rows.push(...page);
  return rows;
}
