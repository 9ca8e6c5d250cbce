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
    ],
  },
};
