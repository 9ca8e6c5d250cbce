import { describe, expect, it } from 'vitest';
import type { NetSuiteClient, NetSuiteRequest } from './netsuite-client';
import type { SuiteQlRow } from './netsuite-suiteql';
import { suiteQlSlices } from './netsuite-suiteql';

/**
 * A stand-in for NetSuite's query service over sorted rows: the query is `from:<key>` or `after:<key>` (or `all`),
 * paged by limit and offset, refusing a page past `cap` as NetSuite refuses one past its result cap.
 */
function fakeNetSuite(rows: SuiteQlRow[], cap: number) {
  const asked: Array<{ q: string; offset: number; limit: number }> = [];
  const client = {
    request(req: NetSuiteRequest) {
      const url = new URL(req.path, 'http://netsuite');
      const limit = Number(url.searchParams.get('limit'));
      const offset = Number(url.searchParams.get('offset'));
      const q = (req.body as { q: string }).q;
      asked.push({ q, offset, limit });
      if (offset + limit > cap) return Promise.reject(new Error(`past the cap: ${String(offset + limit)}`));
      const [mode, key = ''] = q.split(':');
      const matching = rows.filter((r) =>
        mode === 'from' ? (r.k ?? '') >= key : mode === 'after' ? (r.k ?? '') > key : true,
      );
      const items = matching.slice(offset, offset + limit);
      return Promise.resolve({
        status: 200,
        location: undefined,
        data: { items, hasMore: offset + items.length < matching.length, totalResults: matching.length },
      });
    },
  };
  return { client: client as unknown as NetSuiteClient, asked };
}

const key = (row: SuiteQlRow) => row.k ?? '';
async function all(source: AsyncIterable<SuiteQlRow[]>): Promise<SuiteQlRow[]> {
  const out: SuiteQlRow[] = [];
  for await (const page of source) out.push(...page);
  return out;
}

describe('suiteQlSlices', () => {
  // Groups of 3 rows by key: keys k00..k09, 30 rows.
  const grouped = Array.from({ length: 30 }, (_, i) => ({
    k: `k${String(Math.floor(i / 3)).padStart(2, '0')}`,
    n: String(i),
  }));

  it('reads a group-keyed result past the cap whole, each group once and whole, no page past the cap', async () => {
    for (const concurrency of [1, 3]) {
      const { client, asked } = fakeNetSuite(grouped, 8);
      const rows = await all(
        suiteQlSlices(client, {
          query: (from) => (from === null ? 'all' : `from:${from}`),
          key,
          unique: false,
          concurrency,
          maxResults: 8,
        }),
      );
      expect(rows.map((r) => r.n)).toEqual(grouped.map((r) => r.n));
      expect(asked.every((a) => a.offset + a.limit <= 8)).toBe(true);
      expect(new Set(asked.map((a) => a.q)).size).toBeGreaterThan(1);
    }
  });

  it('reads a unique-keyed result past the cap from after the last key of each query', async () => {
    const unique = Array.from({ length: 23 }, (_, i) => ({ k: `u${String(i).padStart(2, '0')}` }));
    const { client, asked } = fakeNetSuite(unique, 5);
    const rows = await all(
      suiteQlSlices(client, {
        query: (after) => (after === null ? 'all' : `after:${after}`),
        key,
        unique: true,
        maxResults: 5,
      }),
    );
    expect(rows).toEqual(unique);
    expect([...new Set(asked.map((a) => a.q))]).toEqual([
      'all',
      'after:u04',
      'after:u09',
      'after:u14',
      'after:u19',
    ]);
  });

  it('refuses, rather than loops, when one key has more rows than the cap', async () => {
    const { client } = fakeNetSuite(grouped, 2);
    await expect(
      all(
        suiteQlSlices(client, {
          query: (from) => (from === null ? 'all' : `from:${from}`),
          key,
          unique: false,
          maxResults: 2,
        }),
      ),
    ).rejects.toThrow(/more than 2 rows share one key/);
  });
});
