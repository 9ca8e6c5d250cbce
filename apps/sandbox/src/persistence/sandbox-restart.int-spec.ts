import type { TestApp } from '@revline/testing';
import { createTestApp } from '@revline/testing';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../app.info';
import { tbaClient } from '../netsuite/testing/tba-client';
import { loginToSandbox, seedCatalogue } from '../salesforce/testing/seed';

const RECORD = '/services/rest/record/v1';

/** The three vendors booted as `npm start` boots them: state kept under one directory, default catalogue seeded. */
async function startVendors(dir: string): Promise<TestApp[]> {
  const apps: TestApp[] = [];
  for (const { module, spec } of SANDBOXES)
    apps.push(
      await createTestApp(module, spec, {
        SANDBOX_STATE_DIR: dir,
        SANDBOX_SEED_CATALOGUE: 'default',
        SANDBOX_STRIPE_WEBHOOK_URLS: 'none',
      }),
    );
  return apps;
}

const stripeAt = (url: string): Stripe =>
  new Stripe('sk_test_revline_sandbox', {
    host: '127.0.0.1',
    port: Number(new URL(url).port),
    protocol: 'http',
  });

describe('the sandbox across a restart (SANDBOX_STATE_DIR)', () => {
  let dir: string;
  let apps: TestApp[] = [];
  const url = (vendor: string): string =>
    apps[SANDBOXES.findIndex((s) => s.spec.name === `sandbox-${vendor}`)]?.url ?? '';
  const restart = async (): Promise<void> => {
    for (const app of apps) await app.close();
    apps = await startVendors(dir);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'revline-sandbox-state-'));
    apps = await startVendors(dir);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the default mapping’s Stripe prices and NetSuite items at start, once each across restarts', async () => {
    const stripe = stripeAt(url('stripe'));
    const seat = await stripe.prices.retrieve('price_seat_monthly');
    expect(seat).toMatchObject({ unit_amount: 10_000, currency: 'usd', recurring: { interval: 'month' } });
    const usage = await stripe.prices.retrieve('price_api_calls_overage');
    expect(usage.recurring?.usage_type).toBe('metered');
    const call = tbaClient(url('netsuite'));
    const item = await call('GET', `${RECORD}/serviceSaleItem/eid:ITEM-SEAT`);
    expect(item.status).toBe(200);
    const itemId = (item.body as { id: string }).id;

    await restart();
    const again = stripeAt(url('stripe'));
    const prices = await again.prices.list({ limit: 100 });
    expect(prices.data.filter((p) => p.id === 'price_seat_monthly')).toHaveLength(1);
    const after = await tbaClient(url('netsuite'))('GET', `${RECORD}/serviceSaleItem/eid:ITEM-SEAT`);
    expect((after.body as { id: string }).id).toBe(itemId);
  });

  it('keeps every vendor’s records and continues each id numbering after a restart', async () => {
    // Salesforce: an account with its catalogue and a draft order.
    const sales = await loginToSandbox(url('salesforce'));
    const catalogue = await seedCatalogue(sales, 'Kept Corp');
    const order = (await sales.sobject('Order').create({
      AccountId: catalogue.accountId,
      Pricebook2Id: catalogue.pricebookId,
      EffectiveDate: '2026-01-01',
      EndDate: '2026-12-31',
      Status: 'Draft',
    })) as { id: string };
    const orderNumber = ((await sales.sobject('Order').retrieve(order.id)) as { OrderNumber: string })
      .OrderNumber;
    // Stripe: a customer with a finalised invoice (its number comes from the account's numbering).
    const stripe = stripeAt(url('stripe'));
    const customer = await stripe.customers.create({ name: 'Kept Corp' });
    const draft = await stripe.invoices.create({ customer: customer.id });
    const invoice = await stripe.invoices.finalizeInvoice(draft.id);
    // NetSuite: a customer record.
    const netsuite = tbaClient(url('netsuite'));
    const created = await netsuite('PUT', `${RECORD}/customer/eid:KEPT-1`, {
      companyName: 'Kept Corp',
      subsidiary: { id: '1' },
      currency: { id: '1' },
    });
    expect(created.status).toBe(204);
    const kept = (await netsuite('GET', `${RECORD}/customer/eid:KEPT-1`)).body as { id: string };

    await restart();
    expect(readdirSync(dir).sort()).toEqual(['netsuite.state', 'salesforce.state', 'stripe.state']);

    const salesAgain = await loginToSandbox(url('salesforce'));
    const found = (await salesAgain.sobject('Order').retrieve(order.id)) as Record<string, unknown>;
    expect(found).toMatchObject({ AccountId: catalogue.accountId, OrderNumber: orderNumber });
    const next = (await salesAgain.sobject('Account').create({ Name: 'After the restart' })) as {
      id: string;
    };
    expect(next.id).not.toBe(catalogue.accountId);
    expect(next.id.slice(0, 15) > catalogue.accountId.slice(0, 15)).toBe(true);
    const nextOrder = (await salesAgain.sobject('Order').create({
      AccountId: next.id,
      EffectiveDate: '2026-01-01',
      Status: 'Draft',
    })) as { id: string };
    expect(nextOrder.id.slice(0, 15) > order.id.slice(0, 15)).toBe(true);
    const nextNumber = ((await salesAgain.sobject('Order').retrieve(nextOrder.id)) as { OrderNumber: string })
      .OrderNumber;
    expect(Number(nextNumber)).toBe(Number(orderNumber) + 1);

    const stripeAgain = stripeAt(url('stripe'));
    expect((await stripeAgain.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({
      name: 'Kept Corp',
    });
    expect(invoice.number).toMatch(/^RVL-\d{6}$/);
    expect(await stripeAgain.invoices.retrieve(invoice.id)).toMatchObject({
      customer: customer.id,
      status: invoice.status,
      number: invoice.number,
    });
    const second = await stripeAgain.invoices.finalizeInvoice(
      (await stripeAgain.invoices.create({ customer: customer.id })).id,
    );
    expect(second.number).not.toBe(invoice.number);
    expect(Number(second.number?.slice(-6))).toBe(Number(invoice.number?.slice(-6)) + 1);

    const netsuiteAgain = tbaClient(url('netsuite'));
    const same = (await netsuiteAgain('GET', `${RECORD}/customer/eid:KEPT-1`)).body as {
      id: string;
      companyName: string;
    };
    expect(same).toMatchObject({ id: kept.id, companyName: 'Kept Corp' });
    await netsuiteAgain('PUT', `${RECORD}/customer/eid:KEPT-2`, {
      companyName: 'After the restart',
      subsidiary: { id: '1' },
      currency: { id: '1' },
    });
    const newer = (await netsuiteAgain('GET', `${RECORD}/customer/eid:KEPT-2`)).body as { id: string };
    expect(Number(newer.id)).toBeGreaterThan(Number(kept.id));
  });
});
