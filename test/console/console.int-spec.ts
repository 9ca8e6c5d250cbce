import { bearer, eventually, seedApiKey } from '@revline/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalogue } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { MappingDefinition } from '../../apps/process-q2c/src/mappings/mapping-definition';
import { bookingRecord, item } from '../../apps/process-q2c/src/shared/order-examples';
import type { ExperienceEnv } from '../experience/experience-env';
import { startExperienceEnv } from '../experience/experience-env';
import { activateOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { TestApp } from '@revline/testing';
import { inspect, launch, newContext, signIn } from './console-browser';

const ROOT = join(__dirname, '../..');

/**
 * The finance console in headless Chromium, built from source into a temporary CONSOLE_DIR and served by
 * experience-finance, in front of process-q2c, the system APIs and the sandboxes: the user journeys, each page
 * checked with axe-core and photographed into test-results/console/.
 */
describe('the finance console in a browser', () => {
  let consoleDir: string;
  let env: ExperienceEnv;
  let app: TestApp;
  let browser: Browser;
  let operator: string;
  let maker: string;
  let checker: string;
  const violations: string[] = [];
  const contexts: BrowserContext[] = [];

  const open = async (key: string, path = '/'): Promise<Page> => {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, app.url, key, path);
    return page;
  };
  const visit = async (page: Page, path: string, heading: string | RegExp): Promise<void> => {
    await page.goto(`${app.url}${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  const check = async (page: Page, name: string): Promise<void> => {
    violations.push(...(await inspect(page, name)));
  };

  beforeAll(async () => {
    consoleDir = mkdtempSync(join(tmpdir(), 'revline-console-'));
    await build({
      configFile: join(ROOT, 'apps/experience-finance/console/vite.config.mts'),
      logLevel: 'warn',
      build: { outDir: consoleDir, emptyOutDir: true },
    });
    env = await startExperienceEnv();
    app = await env.another({ CONSOLE_DIR: consoleDir });
    const db = env.q2cEnv.db.dataSource;
    operator = await seedApiKey(db, ['finance.operator'], 'close team', 'person:olivia-operator');
    maker = await seedApiKey(db, ['integration.admin'], 'mapping maker', 'person:mia-maker');
    checker = await seedApiKey(db, ['integration.admin'], 'mapping checker', 'person:carl-checker');
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await (browser as Browser | undefined)?.close();
    await (env as ExperienceEnv | undefined)?.close();
    rmSync(consoleDir, { force: true, recursive: true });
  });

  it('keeps the first load under 300 KB of gzipped JavaScript', () => {
    const budget = spawnSync(
      process.execPath,
      [join(ROOT, 'scripts/console-budget.mjs'), '--dir', consoleDir],
      {
        encoding: 'utf8',
      },
    );
    expect(budget.stderr).toBe('');
    expect(budget.status).toBe(0);
    expect(budget.stdout).toMatch(/first load \d+\.\d KB gzipped JS/);
  });

  it('sends a visitor to sign in, refuses a wrong key, and signs in with an API key', async () => {
    const context = await newContext(browser, true);
    contexts.push(context);
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
        blocked.push(message.text());
    });
    // A signed-out visit asks for the session once and nothing else: no page's query fires (and fails with 401)
    // before the redirect to sign in.
    const calls: string[] = [];
    page.on('request', (sent) => {
      const path = new URL(sent.url()).pathname;
      if (path.startsWith('/v1/')) calls.push(`${sent.method()} ${path}`);
    });
    await page.goto(`${app.url}/exceptions?category=unmapped_product`);
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('API key').waitFor();
    await page.waitForLoadState('networkidle');
    expect(calls).toEqual(['GET /v1/session']);
    await page.getByLabel('API key').fill('rvl_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('API key').fill(operator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the visitor was going, signed in with an httpOnly, Strict session cookie.
    await page.getByRole('heading', { level: 1, name: 'Exceptions workbench' }).waitFor();
    await expect(page.getByText('Signed in as close team').isVisible()).resolves.toBe(true);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'revline_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(blocked).toEqual([]);
  });

  let parkedOrderId: string;

  it('retries a parked exception after a second person approves the mapping that fixes it', async () => {
    const { sales, stripe } = env.q2cEnv;
    // An order for the premium analytics module, which the catalogue does not map yet: it parks.
    const globex = await seedCatalogue(sales, 'Globex');
    const order = (await sales.sobject('Order').create({
      AccountId: globex.accountId,
      Pricebook2Id: globex.pricebookId,
      EffectiveDate: '2026-01-01',
      EndDate: '2026-12-31',
      Status: 'Draft',
    })) as { id: string };
    parkedOrderId = order.id;
    await sales.sobject('OrderItem').create({
      OrderId: parkedOrderId,
      PricebookEntryId: globex.analyticsEntryId,
      Quantity: 2,
      UnitPrice: 3000,
    });
    await activateOrders(sales, [parkedOrderId]);
    const exceptionId = await eventually(async () => {
      const res = await request(app.url)
        .get('/v1/exceptions')
        .query({ category: 'unmapped_product', status: 'open' })
        .set(bearer(operator));
      return (res.body as { items?: Array<{ id: string }> }).items?.at(0)?.id;
    }, 30_000);

    // The operator sees it in the workbench.
    const operatorPage = await open(operator, '/exceptions?category=unmapped_product');
    const row = operatorPage.getByRole('row', { name: /unmapped product/ });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/ANALYTICS/);
    await check(operatorPage, 'exceptions');

    // The maker proposes a version mapping ANALYTICS, and cannot approve it.
    const product = await stripe.products.create({ name: 'Premium analytics' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 300_000,
      recurring: { interval: 'year' },
    });
    const active = await request(env.q2cEnv.q2c.url).get('/v1/mappings/active').set(bearer(env.q2cEnv.admin));
    const current = active.body as { version: number; definition: MappingDefinition };
    const definition: MappingDefinition = {
      ...current.definition,
      productCatalogue: [
        ...current.definition.productCatalogue.filter((entry) => entry.productCode !== 'ANALYTICS'),
        {
          productCode: 'ANALYTICS',
          billingPriceId: price.id,
          erpItemId: 'ITEM-ANALYTICS',
          revenueTreatment: 'monthly_prorated',
          ssp: '3000',
          unitPricePeriod: 'year',
          pobId: 'POB-ANALYTICS',
          productClass: 'subscription',
          chargeType: 'recurring',
        },
      ],
    };
    const makerPage = await open(maker, '/mappings');
    // The definition field shows the base version once it has loaded: filled before, the loaded text would land
    // around what was typed.
    const definitionField = makerPage.getByLabel('Definition (JSON)');
    await eventually(async () => (await definitionField.inputValue()) !== '');
    await makerPage.getByLabel('Summary').fill('Map the premium analytics module');
    await definitionField.fill(JSON.stringify(definition, null, 2));
    await makerPage.getByRole('button', { name: 'Propose' }).click();
    const outcome = makerPage.getByText(/Version \d+ proposed/).or(makerPage.getByRole('alert'));
    const proposed = await outcome.first().textContent();
    expect(proposed).toMatch(/Version \d+ proposed/);
    const version = Number(/Version (\d+)/.exec(proposed ?? '')?.[1]);
    expect(version).toBeGreaterThan(current.version);
    await makerPage.getByRole('button', { name: `Approve version ${String(version)}` }).click();
    await makerPage.getByRole('alert').waitFor();

    // The maker previews an order for the module: unmapped under the active version, clean under the proposal.
    const analyticsOrder = bookingRecord({
      items: [
        item({
          Id: '802PreviewLine01',
          code: 'ANALYTICS',
          Quantity: 2,
          UnitPrice: 3000,
          ServiceDate: '2026-01-01',
          EndDate: '2026-12-31',
        }),
      ],
    });
    await makerPage
      .getByLabel('Salesforce order (Order with Account and OrderItems, as JSON)')
      .fill(JSON.stringify(analyticsOrder));
    await makerPage.getByRole('button', { name: 'Preview', exact: true }).click();
    const verdict = makerPage.locator('section[aria-labelledby="preview"] div[role="status"]');
    await verdict.filter({ hasText: `under mapping version ${String(current.version)}` }).waitFor();
    await expect(verdict.textContent()).resolves.toMatch(/^Not valid.*unmapped product.*ANALYTICS/);
    await makerPage.getByLabel('Mapping version', { exact: true }).selectOption(String(version));
    await makerPage.getByRole('button', { name: 'Preview', exact: true }).click();
    await verdict.filter({ hasText: `under mapping version ${String(version)}` }).waitFor();
    await expect(verdict.textContent()).resolves.not.toMatch(/unmapped product/);
    await check(makerPage, 'mappings');

    // The checker, another person, approves it; the diff against the version before names the new product.
    const checkerPage = await open(checker, '/mappings');
    await checkerPage.getByLabel(`Reason`).fill('Price and ERP item checked');
    await checkerPage.getByRole('button', { name: `Approve version ${String(version)}` }).click();
    await checkerPage.getByRole('row', { name: new RegExp(`^${String(version)}\\s+active`) }).waitFor();
    await checkerPage.getByLabel('From version').selectOption(String(current.version));
    await checkerPage.getByLabel('To version').selectOption(String(version));
    const added = checkerPage.locator('tr.diff-added', { hasText: 'ANALYTICS' });
    await expect(added.textContent()).resolves.toMatch(/productCatalogue.*billingPriceId: —.*price_/);

    // The operator retries the exception from the workbench; the booking completes.
    await operatorPage.reload();
    await operatorPage.getByRole('checkbox', { name: new RegExp(exceptionId ?? 'no exception') }).check();
    await operatorPage.getByRole('button', { name: 'Retry selected' }).click();
    await operatorPage.getByText('1 of 1 exceptions sent back for retry.').waitFor();
    const saga = (await env.q2cEnv.completed(parkedOrderId, 1)).at(0);
    expect(saga).toMatchObject({ kind: 'booking', status: 'completed' });

    // The operator, not only an administrator, reads on the exception's row who retried it and when.
    const after = await request(app.url)
      .get(`/v1/exceptions/${exceptionId ?? ''}`)
      .set(bearer(operator))
      .expect(200);
    const status = (after.body as { status: string }).status;
    await operatorPage.goto(`${app.url}/exceptions?category=unmapped_product&status=${status}`);
    const audited = operatorPage.locator('tbody tr', { hasText: 'unmapped product' });
    await audited.waitFor();
    await expect(audited.locator('ul.history li').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^\S+ \(close team\) via \S+ \(experience-finance \(service\)\) · retry · .*\d/),
    ]);
  }, 120_000);

  let contractId: string;

  it('finds the example contract (booked, then expanded with the module) and reads its timeline across Salesforce, billing and the ERP', async () => {
    const q2c = env.q2cEnv;
    // The premium module's own mapping (its own obligation, monthly prorated), as the q2c scenario maps it.
    await q2c.mapPremiumModule();
    const { clockId } = await q2c.customerOnTestClock('2026-01-01T00:00:00Z');
    const { orderId, sfContractId, seatLineId } = await q2c.bookAndContractG1();
    await q2c.advanceClock(clockId, '2026-03-15T00:00:00Z');
    const amended = await request(q2c.sfSandbox.url)
      .post('/sandbox/cpq/amendments')
      .send({
        contractId: sfContractId,
        effectiveDate: '2026-03-15',
        changes: [{ orderItemId: seatLineId, quantity: 15 }],
        additions: [{ pricebookEntryId: q2c.catalogue.analyticsEntryId, quantity: 1, unitPrice: 3000 }],
      })
      .expect(201);
    const amendmentOrderId = (amended.body as { orderId: string }).orderId;
    await activateOrders(q2c.sales, [amendmentOrderId]);
    await q2c.completed(orderId, 2);
    contractId = orderId;

    const page = await open(operator, '/contracts');
    await page.getByLabel('Account (customer id in any system)').fill(q2c.catalogue.accountId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: orderId }).click();
    await page.getByRole('heading', { level: 1, name: `Contract ${orderId}` }).waitFor();
    const booking = page.getByRole('list', { name: 'Timeline of the booking' });
    const expansion = page.getByRole('list', { name: 'Timeline of the expansion' });
    await expansion.waitFor();
    for (const timeline of [booking, expansion]) {
      const text = await timeline.textContent();
      expect(text).toMatch(/Committed in Salesforce/);
      expect(text).toMatch(/Billing: done/);
      expect(text).toMatch(/ERP: done/);
      expect(text).toMatch(/Completed/);
    }
    await expect(page.getByRole('heading', { name: 'Lineage' }).isVisible()).resolves.toBe(true);
    await check(page, 'contract');
    // The amendment's own order id finds the contract it amended, and only that one.
    await visit(page, '/contracts', 'Contracts');
    await page.getByLabel('Order (booking, amendment or renewal)').fill(amendmentOrderId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('table', { name: `Contracts, order ${amendmentOrderId}` }).waitFor();
    await expect(page.locator('tbody tr').allTextContents()).resolves.toEqual([
      expect.stringContaining(orderId),
    ]);
    await visit(page, `/contracts?customer=${q2c.catalogue.accountId}`, 'Contracts');
    await check(page, 'contracts');
    await visit(page, '/', 'Overview');
    await page.getByRole('heading', { name: 'Sync health' }).waitFor();
    // Every number opens the list it counts.
    const hrefs = await Promise.all(
      (await page.locator('.card a').all()).map((link) => link.getAttribute('href')),
    );
    expect(hrefs).toEqual(
      expect.arrayContaining([
        '/contracts?status=in_flight',
        '/contracts?status=parked',
        '/contracts?status=failed',
      ]),
    );
    // This month's and the last month's readiness, each opening its close page.
    expect(hrefs.filter((href) => /^\/close\?period=\d{4}-\d{2}$/.test(href ?? ''))).toHaveLength(2);
    await check(page, 'overview');
  }, 120_000);

  it('starts a reconciliation and downloads its breaks as CSV', async () => {
    // A hand edit in Stripe: the §2 contract's 15 seats become 16 there, and Salesforce still says 15.
    const booking = (await env.q2cEnv.sagas(contractId)).at(0);
    const subscription = await env.q2cEnv.stripe.subscriptions.retrieve(booking?.data.subscriptionId ?? '');
    const seats = subscription.items.data.find((item) => item.quantity === 15);
    await env.q2cEnv.stripe.subscriptions.update(subscription.id, {
      items: [{ id: seats?.id ?? '', quantity: 16 }],
      proration_behavior: 'none',
    });

    const page = await open(operator, '/reconciliation');
    await page.getByLabel('Period').fill('2026-03');
    await page.getByRole('button', { name: 'Start run' }).click();
    const heading = page.getByRole('heading', { level: 2, name: /^Run / });
    await heading.waitFor();
    await page
      .getByRole('heading', { level: 2, name: /^Run .* (completed|failed)$/ })
      .waitFor({ timeout: 60_000 });
    await expect(heading.textContent()).resolves.toMatch(/completed$/);
    const runId = /^Run (\S+)/.exec((await heading.textContent()) ?? '')?.[1] ?? '';
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download breaks as CSV' }).click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    const listed = await request(app.url)
      .get(`/v1/reconciliation-runs/${runId}/breaks`)
      .query({ limit: 500 })
      .set(bearer(operator))
      .expect(200);
    expect(csv[0]).toMatch(/checkpoint/);
    expect(csv.length - 1).toBe((listed.body as { items: unknown[] }).items.length);
    expect(
      csv.filter((line) => line.includes(contractId) && line.includes('quantity_mismatch')),
    ).toHaveLength(1);
    // On the page: both sides side by side, billing's the side that changed.
    const drift = page
      .locator('section[aria-labelledby="run-detail"] tbody tr', { hasText: 'quantity mismatch' })
      .filter({ hasText: contractId });
    await drift.waitFor();
    const cells = await drift.locator('td').allTextContents();
    expect(cells.slice(4)).toEqual([
      expect.stringMatching(/^15\s*salesforce/),
      expect.stringMatching(/^16\s*billing si_\w+ \(changed\)$/),
      expect.any(String),
      'actual',
      expect.any(String),
    ]);
    await check(page, 'reconciliation');
    await visit(page, '/close?period=2026-03', 'Close 2026-03');
    await page.getByRole('heading', { level: 2, name: /^Checklist/ }).waitFor();
    await check(page, 'close');
    await visit(page, '/revenue?from=2026-01&to=2026-12', 'Revenue waterfall');
    await page.locator('.chart svg').first().waitFor();
    await check(page, 'revenue');
  }, 150_000);

  it('signs out, and a viewer does not see the operator’s buttons', async () => {
    const page = await open(operator, '/exceptions');
    await page.getByRole('table').waitFor();
    const calls: string[] = [];
    page.on('request', (sent) => {
      const path = new URL(sent.url()).pathname;
      if (path.startsWith('/v1/')) calls.push(`${sent.method()} ${path}`);
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.waitForLoadState('networkidle');
    // Signing out asks nothing of the API but to end the session: the page's queries are not sent again to fail.
    expect(calls).toEqual(['DELETE /v1/session']);
    expect((await page.context().cookies()).filter((c) => c.name === 'revline_session')).toEqual([]);
    await page.goto(`${app.url}/reconciliation`);
    await page.waitForURL(/\/sign-in/);
    await check(page, 'sign-in');

    await page.getByLabel('API key').fill(env.viewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reconciliation' }).waitFor();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await expect(page.getByRole('button', { name: 'Start run' }).count()).resolves.toBe(0);
    await visit(page, '/exceptions?status=resolved', 'Exceptions workbench');
    await page.getByRole('table').waitFor();
    await expect(page.getByRole('button', { name: 'Retry selected' }).count()).resolves.toBe(0);
    await expect(page.getByRole('checkbox').count()).resolves.toBe(0);
    await visit(page, '/close?period=2026-03', 'Close 2026-03');
    await page.getByRole('heading', { name: /Revenue runs/ }).waitFor();
    await expect(page.getByRole('button', { name: /Start the revenue run/ }).count()).resolves.toBe(0);
    await visit(page, '/mappings', 'Mappings');
    await page.getByRole('heading', { name: /Preview an order/ }).waitFor();
    await expect(page.getByRole('table').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: /Approve version/ }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Propose' }).count()).resolves.toBe(0);
  }, 60_000);

  it('finds no serious or critical accessibility violation on any page', () => {
    expect(violations).toEqual([]);
  });
});
