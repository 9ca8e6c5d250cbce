import type { Type } from '@nestjs/common';
import type { HttpAppSpec } from '@revline/http';
import { NetSuiteSandboxModule } from './netsuite/netsuite-sandbox.module';
import { SalesforceSandboxModule } from './salesforce/salesforce-sandbox.module';
import { StripeSandboxModule } from './stripe/stripe-sandbox.module';

const platformTag = { name: 'platform', description: 'Health and metrics' };

/** The sandbox is one process serving three vendors, each on the port its clients are pointed at. */
export const SANDBOXES: Array<{ module: Type; spec: HttpAppSpec }> = [
  {
    module: SalesforceSandboxModule,
    spec: {
      name: 'sandbox-salesforce',
      port: { variable: 'SANDBOX_SALESFORCE_PORT', default: 4010 },
      refuseMalformedText: false, // each vendor answers bad input in its own error shape
      traced: false, // a stand-in for the vendor: its side is not traced
      docs: {
        title: 'Revline sandbox: Salesforce',
        description:
          'A local Salesforce org for what Revline uses: OAuth 2, sObject REST, SOQL queries and Change Data Capture over CometD.',
        tags: [platformTag],
      },
    },
  },
  {
    module: StripeSandboxModule,
    spec: {
      name: 'sandbox-stripe',
      port: { variable: 'SANDBOX_STRIPE_PORT', default: 4020 },
      refuseMalformedText: false, // each vendor answers bad input in its own error shape
      traced: false, // a stand-in for the vendor: its side is not traced
      docs: {
        title: 'Revline sandbox: Stripe',
        description:
          'A local Stripe test mode for what Revline uses: customers, prices, subscriptions, proration, invoices, credit notes, meters and signed webhooks.',
        tags: [platformTag],
      },
    },
  },
  {
    module: NetSuiteSandboxModule,
    spec: {
      name: 'sandbox-netsuite',
      port: { variable: 'SANDBOX_NETSUITE_PORT', default: 4030 },
      refuseMalformedText: false, // each vendor answers bad input in its own error shape
      traced: false, // a stand-in for the vendor: its side is not traced
      docs: {
        title: 'Revline sandbox: NetSuite',
        description:
          'A local NetSuite account: SuiteTalk REST records with external-id upserts, OAuth 1.0a, SuiteQL and a double-entry ledger.',
        tags: [platformTag],
      },
    },
  },
];
