import type { HttpAppSpec } from '@revline/http';

export const APP: HttpAppSpec = {
  name: 'experience-finance',
  port: { variable: 'EXPERIENCE_FINANCE_PORT', default: 3000 },
  docs: {
    title: 'Revline finance API',
    description:
      'The experience API for finance and revenue-operations users: contract lifecycle, lineage, the exceptions workbench, reconciliation, close readiness and revenue reports. Every route needs an API key (`Authorization: Bearer rvl_...`) with the role it names; errors answer as `application/problem+json` with the correlation id of the request.',
    tags: [
      { name: 'api-keys', description: 'Create, list and revoke API keys (integration.admin)' },
      { name: 'platform', description: 'Health and metrics' },
    ],
  },
};
