import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders, createDraftOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import { tbaClient } from '../../apps/sandbox/src/netsuite/testing/tba-client';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

/**
 * One customer per Salesforce account in each system: two contracts of one account, activated in the same
 * Salesforce transaction (captured together, normalised and booked side by side), share one Stripe customer and one
 * NetSuite customer, both carrying the account's name, billing address and currency; the account gets both ids
 * written back and each order its invoice number.
 */
describe('one customer per Salesforce account (sandbox, jsforce and the stripe SDK as clients)', () => {
  let env: Q2cEnv;
  let accountId: string;
  let orderIds: string[];

  beforeAll(async () => {
    env = await startQ2cEnv();
    accountId = (
      (await env.sales.sobject('Account').create({
        Name: 'Globex Corporation',
        CurrencyIsoCode: 'USD',
        BillingStreet: '10 Downing Street',
        BillingCity: 'London',
        BillingState: 'Greater London',
        BillingPostalCode: 'SW1A 2AA',
        BillingCountry: 'United Kingdom',
        BillingCountryCode: 'GB',
      })) as { id: string }
    ).id;
    orderIds = await createDraftOrders(env.sales, env.catalogue, 2, [accountId]);
    // One update of both orders: they share a SystemModstamp and are booked at the same moment.
    await activateOrders(env.sales, orderIds);
    for (const orderId of orderIds) await env.completed(orderId, 1, 60_000);
    await env.settle();
  }, 180_000);

  afterAll(async () => {
    await env.close();
  });

  it('books both contracts on one Stripe customer named and addressed as the account', async () => {
    const sagas = await Promise.all(orderIds.map(async (id) => (await env.sagas(id))[0]));
    const customerIds = new Set(sagas.map((s) => s.data.billingCustomerId));
    expect(customerIds.size).toBe(1);
    const [customerId = ''] = [...customerIds];
    const ofAccount = (await env.stripe.customers.list({ limit: 100 })).data.filter(
      (c) => c.metadata.revline_crm_account_id === accountId,
    );
    expect(ofAccount.map((c) => c.id)).toEqual([customerId]);
    const customer = await env.stripe.customers.retrieve(customerId);
    expect(customer).toMatchObject({
      name: 'Globex Corporation',
      currency: 'usd',
      address: {
        line1: '10 Downing Street',
        city: 'London',
        state: 'Greater London',
        postal_code: 'SW1A 2AA',
        country: 'GB',
      },
    });
    const subscriptions = await env.stripe.subscriptions.list({ customer: customerId, status: 'all' });
    expect(subscriptions.data).toHaveLength(2);
  });

  it('books both contracts on one NetSuite customer named, addressed and in the currency of the account', async () => {
    const customers = await env.netsuite.suiteql(
      `SELECT id, externalid, companyname, currency FROM customer WHERE externalid = 'CUST-${accountId}'`,
    );
    expect(customers).toHaveLength(1);
    expect(customers[0]?.companyname).toBe('Globex Corporation');
    const all = await env.netsuite.suiteql('SELECT id, companyname FROM customer');
    expect(all.filter((c) => c.companyname === 'Globex Corporation')).toHaveLength(1);
    const res = await tbaClient(env.netsuite.url)(
      'GET',
      `/services/rest/record/v1/customer/eid:CUST-${accountId}`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      companyName: 'Globex Corporation',
      addressBook: {
        items: [
          {
            defaultBilling: true,
            addressBookAddress: {
              addr1: '10 Downing Street',
              city: 'London',
              zip: 'SW1A 2AA',
              country: { id: 'GB' },
            },
          },
        ],
      },
    });
    const invoices = await env.netsuite.suiteql(
      "SELECT entity, currency FROM transaction WHERE type = 'CustInvc'",
    );
    expect(new Set(invoices.map((i) => i.entity))).toEqual(new Set([customers[0]?.id]));
    const [usd] = await env.netsuite.suiteql("SELECT id FROM currency WHERE symbol = 'USD'");
    expect(customers[0]?.currency).toBe(usd.id);
  });

  it('writes the billing and ERP customer ids back to the account, and the invoice number to each order', async () => {
    const sagas = await Promise.all(orderIds.map(async (id) => (await env.sagas(id))[0]));
    const account = (
      await env.sales.query<{ Revline_Billing_Id__c: string | null; Revline_ERP_Id__c: string | null }>(
        `SELECT Revline_Billing_Id__c, Revline_ERP_Id__c FROM Account WHERE Id = '${accountId}'`,
      )
    ).records[0];
    expect(account).toMatchObject({
      Revline_Billing_Id__c: sagas[0]?.data.billingCustomerId,
      Revline_ERP_Id__c: `CUST-${accountId}`,
    });
    for (const [i, orderId] of orderIds.entries()) {
      const invoiceId = sagas[i]?.data.invoices[0]?.documentId ?? '';
      const { number } = await env.stripe.invoices.retrieve(invoiceId);
      expect(number).toMatch(/\S/);
      const rows = (
        await env.sales.query<{ Revline_Invoice_Id__c: string; Revline_Invoice_Number__c: string | null }>(
          `SELECT Revline_Invoice_Id__c, Revline_Invoice_Number__c FROM Revline_Billing_Invoice__c WHERE Revline_Order__c = '${orderId}'`,
        )
      ).records;
      expect(rows.map((r) => [r.Revline_Invoice_Id__c, r.Revline_Invoice_Number__c])).toEqual([
        [invoiceId, number],
      ]);
    }
  });

  it('books a later contract of the account on the same customers, asking neither Stripe nor NetSuite for one', async () => {
    const first = (await env.sagas(orderIds[0] ?? ''))[0];
    const [later = ''] = await createDraftOrders(env.sales, env.catalogue, 1, [accountId]);
    await activateOrders(env.sales, [later]);
    const [saga] = await env.completed(later, 1, 60_000);
    expect(saga.data.billingCustomerId).toBe(first.data.billingCustomerId);
    const commands = await env.db.dataSource.query<Array<{ job: string; payload: { customer?: unknown } }>>(
      `SELECT "job", "payload" FROM "q2c"."saga_commands" WHERE "saga_id" = $1`,
      [saga.saga_id],
    );
    // The order carries the ids written back to the account: no ERP customer command, the billing customer named.
    expect(commands.map((c) => c.job)).not.toContain('erp.upsert-customer');
    expect(commands.find((c) => c.job === 'billing.apply-contract-change')?.payload.customer).toMatchObject({
      billingCustomerId: first.data.billingCustomerId,
    });
    const created = await env.stripe.events.list({ type: 'customer.created', limit: 100 });
    const ofAccount = created.data.filter(
      (e) =>
        (e.data.object as { metadata?: Record<string, string> }).metadata?.revline_crm_account_id ===
        accountId,
    );
    expect(ofAccount).toHaveLength(1);
    // NetSuite saw one upsert of the customer: created once, never written again.
    const res = await tbaClient(env.netsuite.url)(
      'GET',
      `/services/rest/record/v1/customer/eid:CUST-${accountId}`,
    );
    const record = res.body as { createdDate: string; lastModifiedDate: string };
    expect(record.lastModifiedDate).toBe(record.createdDate);
  });
});
