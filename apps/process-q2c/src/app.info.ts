import type { HttpAppSpec } from '@revline/http';

export const APP: HttpAppSpec = {
  name: 'process-q2c',
  port: { variable: 'PROCESS_Q2C_PORT', default: 3001 },
  docs: {
    title: 'Revline quote-to-cash process API',
    description:
      'Quote-to-cash orchestration over the canonical event model: revenue and proration previews, mappings, replays, usage ingestion. Every route needs an API key.',
    tags: [
      { name: 'platform', description: 'Health and metrics' },
      {
        name: 'revenue',
        description:
          'Revenue schedule and proration previews from the revenue engine: exact to the minor unit, explained (ASC 606 treatment and reason), pure (nothing is stored). Role finance.viewer or above.',
      },
      {
        name: 'mappings',
        description:
          'Versioned field mappings (Salesforce field paths, custom fields included → canonical fields), product catalogue (product code → billing price → ERP item → revenue treatment, SSP, performance obligation, product class) and systems of record. Maker-checker: one integration admin proposes, another approves; every change audited. Role integration.admin.',
      },
      {
        name: 'orders',
        description:
          'Real-time validation of a Salesforce order before it is activated: the same mapping and policy checks as normalisation, nothing stored. Role finance.viewer.',
      },
      {
        name: 'exceptions',
        description:
          'Business exceptions of process-q2c (parked jobs with a category and a plain reason): list, retry one or many after fixing the cause, resolve with a reason. Every action audited. Role finance.operator.',
      },
      {
        name: 'lineage',
        description:
          'Every hop of a contract change through Salesforce, Revline, billing and the ERP under its correlation id. Role finance.viewer.',
      },
    ],
  },
};
