import type { HttpAppSpec } from '@revline/http';

export const APP: HttpAppSpec = {
  name: 'system-salesforce',
  port: { variable: 'SYSTEM_SALESFORCE_PORT', default: 3002 },
  docs: {
    title: 'Revline Salesforce system API',
    description:
      'Salesforce access through jsforce: change capture, record reads and write-back, in the terms of Salesforce.',
    tags: [
      { name: 'platform', description: 'Health and metrics' },
      {
        name: 'salesforce',
        description: 'Orders, accounts and products read from Salesforce; change-capture backfills',
      },
    ],
  },
};
