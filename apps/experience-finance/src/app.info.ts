import type { HttpAppSpec } from '@revline/http';

export const APP: HttpAppSpec = {
  name: 'experience-finance',
  port: { variable: 'EXPERIENCE_FINANCE_PORT', default: 3000 },
  docs: {
    title: 'Revline finance API',
    description:
      'The experience API for finance and revenue-operations users: contract lifecycle, lineage, the exceptions workbench, reconciliation, close readiness and revenue reports. Every route needs an API key (`Authorization: Bearer rvl_...`) with the role it names, or the finance console’s session cookie (`POST /v1/session`; writes then carry `x-csrf-token`); errors answer as `application/problem+json` with the correlation id of the request (send `x-correlation-id` to choose it; it is passed on to process-q2c). The data comes from the process API (process-q2c): when it cannot be reached the routes answer 503, when it fails 502.',
    tags: [
      {
        name: 'contracts',
        description:
          "Contracts with their lifecycle status across Salesforce, billing and the ERP, each change's status per system, and the lineage timeline. Role finance.viewer.",
      },
      {
        name: 'exceptions',
        description:
          'The exceptions workbench: what is parked and why; filter by category, status, contract, age and month. finance.viewer reads; finance.operator retries (one or many) and resolves with a reason, audited.',
      },
      {
        name: 'reconciliation',
        description:
          'Reconciliation runs comparing Salesforce, billing, the ERP and the expected revenue, and the breaks they found (JSON pages or CSV). finance.viewer reads; finance.operator starts runs, audited.',
      },
      { name: 'close', description: 'Whether a month may be closed, with the reasons. Role finance.viewer.' },
      {
        name: 'revenue',
        description:
          'The revenue waterfall: billed and recognised by month, deferred revenue and unbilled receivable (contract asset) roll-forward, JSON or CSV. Role finance.viewer.',
      },
      {
        name: 'sla',
        description:
          'Sync latency percentiles, exceptions by category, auto-resolved breaks. Role finance.viewer.',
      },
      {
        name: 'api-keys',
        description:
          'Create, list and revoke API keys, each owned by a person or a service (integration.admin)',
      },
      {
        name: 'audit-log',
        description:
          'The hash-chained audit log (RFC 8785 canonical JSON, SHA-256): pages of rows and the verification of the chain (integration.admin)',
      },
      {
        name: 'session',
        description:
          'Finance console sessions: sign in with an API key for an httpOnly cookie that authenticates every route with the key’s roles; writes made with it carry the session’s CSRF token in `x-csrf-token`.',
      },
      { name: 'platform', description: 'Health and metrics' },
    ],
  },
};
