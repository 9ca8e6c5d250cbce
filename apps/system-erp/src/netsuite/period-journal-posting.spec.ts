import { ErpRejectedError } from '@revline/erp-port';
import { describe, expect, it } from 'vitest';
import { NetSuiteConfig } from './netsuite.config';
import type { NetSuiteClient, NetSuiteRequest } from './netsuite-client';
import { NetSuiteErpAdapter } from './netsuite-erp.adapter';
import type { NetSuiteReferences } from './netsuite-references';

describe('NetSuiteErpAdapter.postPeriodJournal', () => {
  it('upserts the journalEntry by external id, replacing its lines rather than adding to them', async () => {
    const sent: NetSuiteRequest[] = [];
    const client = {
      request: (request: NetSuiteRequest) => {
        sent.push(request);
        return Promise.resolve({ status: 204, location: 'https://x/record/v1/journalEntry/42', data: null });
      },
    } as unknown as NetSuiteClient;
    const refs = {
      subsidiaryId: (code: string) => (code === 'US' ? '1' : '9'),
      currencyId: (code: string) => Promise.resolve(code === 'USD' ? '1' : '9'),
    } as unknown as NetSuiteReferences;
    const adapter = new NetSuiteErpAdapter(client, refs, new NetSuiteConfig());
    const posted = await adapter.postPeriodJournal({
      externalId: 'rr_2026-01_US_USD_1_0',
      period: '2026-01',
      subsidiary: 'US',
      currency: 'USD',
      memo: 'Revenue 2026-01',
      lines: [
        { account: 'deferred_revenue', debitMinor: '100' },
        { account: 'revenue', creditMinor: '100' },
      ],
    });
    expect(posted).toEqual({ kind: 'periodJournal', externalId: 'rr_2026-01_US_USD_1_0', erpId: '42' });
    expect(sent).toEqual([
      expect.objectContaining({
        method: 'PUT',
        path: '/services/rest/record/v1/journalEntry/eid:rr_2026-01_US_USD_1_0?replace=line',
        body: expect.objectContaining({ tranDate: '2026-01-31', subsidiary: { id: '1' } }) as unknown,
      }),
    ]);
  });

  it("names the period in Revline's terms when NetSuite refuses it as closed", async () => {
    const client = {
      request: () =>
        Promise.reject(
          new ErpRejectedError(
            'closed_period',
            'USER_ERROR',
            'The accounting period is closed.',
            'postingPeriod',
          ),
        ),
    } as unknown as NetSuiteClient;
    const refs = {
      subsidiaryId: () => '1',
      currencyId: () => Promise.resolve('1'),
    } as unknown as NetSuiteReferences;
    const adapter = new NetSuiteErpAdapter(client, refs, new NetSuiteConfig());
    await expect(
      adapter.postPeriodJournal({
        externalId: 'rr_2026-03',
        period: '2026-03',
        subsidiary: 'US',
        currency: 'USD',
        memo: 'm',
        lines: [
          { account: 'deferred_revenue', debitMinor: '1' },
          { account: 'revenue', creditMinor: '1' },
        ],
      }),
    ).rejects.toMatchObject({
      category: 'closed_period',
      vendorCode: 'USER_ERROR',
      field: 'postingPeriod',
      message: 'Period 2026-03 is closed in NetSuite: The accounting period is closed.',
    });
  });

  it('refuses a malformed period before calling NetSuite', async () => {
    const client = { request: () => Promise.reject(new Error('called')) } as unknown as NetSuiteClient;
    const adapter = new NetSuiteErpAdapter(client, {} as NetSuiteReferences, new NetSuiteConfig());
    await expect(
      adapter.postPeriodJournal({
        externalId: 'x',
        period: '2026-1',
        subsidiary: 'US',
        currency: 'USD',
        memo: 'm',
        lines: [],
      }),
    ).rejects.toMatchObject({ category: 'validation', field: 'period' });
  });
});
