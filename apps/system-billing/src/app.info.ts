import type { HttpAppSpec } from '@revline/http';

export const APP: HttpAppSpec = {
  name: 'system-billing',
  port: { variable: 'SYSTEM_BILLING_PORT', default: 3003 },
  docs: {
    title: 'Revline billing system API',
    description:
      'Billing platform access (Stripe Billing first): customers, subscriptions, usage, invoices, credit notes, payments and signed webhooks.',
    tags: [
      { name: 'platform', description: 'Health and metrics' },
      {
        name: 'billing',
        description: 'Subscriptions and invoices for the process layer; invoice-line export',
      },
      { name: 'webhooks', description: 'Signed Stripe webhooks' },
    ],
  },
};
