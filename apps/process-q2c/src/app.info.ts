import type { HttpAppSpec } from '@revline/http';

export const APP: HttpAppSpec = {
  name: 'process-q2c',
  port: { variable: 'PROCESS_Q2C_PORT', default: 3001 },
  docs: {
    title: 'Revline quote-to-cash process API',
    description:
      'Quote-to-cash orchestration over the canonical event model: revenue and proration previews, mappings, order validation, exceptions, lineage, replays, usage ingestion, contracts and their lifecycle, three-way reconciliation, close readiness, the revenue waterfall and SLA figures. Every route needs an API key.',
    tags: [
      { name: 'platform', description: 'Health and metrics' },
      {
        name: 'revenue',
        description:
          'Revenue schedule and proration previews from the revenue engine: exact to the minor unit, explained (ASC 606 treatment and reason), pure (nothing is stored); and the revenue waterfall of the stored contracts (billed and recognised by month, deferred revenue and unbilled receivable roll-forward, JSON or CSV). Role finance.viewer or above.',
      },
      {
        name: 'mappings',
        description:
          "Versioned field mappings (Salesforce field paths, custom fields included → canonical fields), product catalogue (product code → billing price → ERP item → revenue treatment, SSP, performance obligation, product class) and systems of record. Maker-checker between people: one integration admin proposes, another person approves (a key with the proposer's owner, or minted from it, is refused); every change audited. Role integration.admin.",
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
      {
        name: 'contracts',
        description:
          'Contracts with their lifecycle status across Salesforce, billing and the ERP, and each change with its status per system. Role finance.viewer.',
      },
      {
        name: 'replays',
        description:
          'Replays of a contract or a time window through the chain, with a dry run showing what would be posted beside what was posted; never posts twice. Role integration.admin.',
      },
      {
        name: 'usage',
        description:
          'Bulk usage (JSON array or JSON lines), staged with COPY once per identifier and reported to the billing platform per customer. Role finance.operator.',
      },
      {
        name: 'reconciliation',
        description:
          'Three-way reconciliation runs (Salesforce ↔ billing, billing ↔ ERP, contract ↔ revenue, lineage SLAs), scheduled nightly and on demand, and the breaks they found with both values, the difference and the correlation id; breaks fixed since are closed by the next run. finance.viewer reads; finance.operator starts runs.',
      },
      {
        name: 'close',
        description:
          'Whether a month may be closed: open breaks and exceptions that touch it, sagas in flight, revenue posted against expected. Role finance.viewer.',
      },
      {
        name: 'sla',
        description:
          'Sync latency percentiles, exceptions by category, opened and aged. Role finance.viewer.',
      },
    ],
  },
};
