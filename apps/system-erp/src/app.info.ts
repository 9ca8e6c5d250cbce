import type { HttpAppSpec } from '@revline/http';

export const APP: HttpAppSpec = {
  name: 'system-erp',
  port: { variable: 'SYSTEM_ERP_PORT', default: 3004 },
  docs: {
    title: 'Revline ERP system API',
    description:
      'ERP access (NetSuite SuiteTalk REST first): customers, invoices, credit memos, payments, revenue schedules and journals.',
    tags: [
      { name: 'platform', description: 'Health and metrics' },
      {
        name: 'reconciliation',
        description:
          "The ERP's books for reconciliation: documents by period, revenue postings, contract balances",
      },
    ],
  },
};
