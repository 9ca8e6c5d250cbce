// The example every Revline test knows, told through Salesforce as sales would: a booking of 10 seats at 100 USD a
// month for 2026, billed annually in advance; 5 more seats and the premium analytics module from 2026-03-15;
// 5 seats removed from 2026-10-01; a renewal for 2027 at a 5 % uplift. The customer lives on a Stripe test clock,
// advanced to each change's date, so Stripe bills in the contract's time whatever today's date is.
import { salesforceSandbox } from './clients.mjs';
import { heading, note, printLifecycle } from './report.mjs';
import { advanceClock, until } from './wait.mjs';

/** List prices a year, as CPQ quotes subscriptions: 100 USD a seat a month, 250 USD a month for the module. */
const PRODUCTS = [
  { code: 'SEAT', name: 'Seats', unitPrice: 1200 },
  { code: 'ANALYTICS-PREMIUM', name: 'Premium analytics', unitPrice: 3000 },
];

function idOf(result) {
  const one = Array.isArray(result) ? result[0] : result;
  if (!one?.success) throw new Error(`Salesforce refused the save: ${JSON.stringify(result)}`);
  return one.id;
}

/** The two products in the standard price book, created once (a later run finds them by product code). */
async function catalogue(sf) {
  const pricebook = (await sf.query('SELECT Id FROM Pricebook2 WHERE IsStandard = true')).records[0]?.Id;
  const entries = {};
  for (const p of PRODUCTS) {
    const found = await sf.query(
      `SELECT Id FROM PricebookEntry WHERE Pricebook2Id = '${pricebook}' AND Product2.ProductCode = '${p.code}'`,
    );
    entries[p.code] =
      found.records[0]?.Id ??
      idOf(
        await sf.sobject('PricebookEntry').create({
          Pricebook2Id: pricebook,
          Product2Id: idOf(
            await sf.sobject('Product2').create({
              Name: p.name,
              ProductCode: p.code,
              SBQQ__ChargeType__c: 'Recurring',
              SBQQ__BillingFrequency__c: 'Annual',
            }),
          ),
          UnitPrice: p.unitPrice,
        }),
      );
  }
  return { pricebook, entries };
}

export class Story {
  constructor({ sf, stripe, experience }) {
    Object.assign(this, { sf, stripe, experience, orders: {} });
  }

  /** A new account, billed by a Stripe customer on a test clock frozen at the start of the term. */
  async setUp(label) {
    heading('Salesforce: the catalogue, and an account billed on a Stripe test clock at 2026-01-01');
    this.catalogue = await catalogue(this.sf);
    this.accountName = `Demo Corp ${label}`;
    this.accountId = idOf(
      await this.sf.sobject('Account').create({ Name: this.accountName, CurrencyIsoCode: 'USD' }),
    );
    this.clock = await this.stripe.testHelpers.testClocks.create({
      frozen_time: Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000),
      name: `Revline demo ${label}`,
    });
    this.customer = await this.stripe.customers.create({ name: this.accountName, test_clock: this.clock.id });
    await this.sf.sobject('Account').update({ Id: this.accountId, Revline_Billing_Id__c: this.customer.id });
    note(
      `account ${this.accountId} (${this.accountName}), Stripe customer ${this.customer.id}, clock ${this.clock.id}`,
    );
  }

  async activate(orderId) {
    idOf(await this.sf.sobject('Order').update({ Id: orderId, Status: 'Activated' }));
  }

  /** Waits until the contract shows `count` changes, every one completed; fails at once on a failed one. */
  async completed(count, what) {
    const lifecycle = await until(what, async () => {
      const seen = await this.experience(`/v1/contracts/${this.orders.booking}/lifecycle`);
      const failed = seen.changes.find((c) => c.status === 'failed');
      if (failed) throw new Error(`${what}: the ${failed.kind} failed: ${failed.lastError}`);
      const done = seen.changes.length === count && seen.changes.every((c) => c.status === 'completed');
      return { done, value: seen, seen: seen.changes.map((c) => [c.kind, c.status, c.step, c.lastError]) };
    });
    printLifecycle(lifecycle);
    return lifecycle;
  }

  async book() {
    heading(
      '1. Booking: 10 seats × 100 USD a month (1,200.00 a year), 2026-01-01..2026-12-31, billed yearly in advance',
    );
    const orderId = idOf(
      await this.sf.sobject('Order').create({
        AccountId: this.accountId,
        Pricebook2Id: this.catalogue.pricebook,
        EffectiveDate: '2026-01-01',
        EndDate: '2026-12-31',
        Status: 'Draft',
        CurrencyIsoCode: 'USD',
      }),
    );
    this.seatLineId = idOf(
      await this.sf.sobject('OrderItem').create({
        OrderId: orderId,
        PricebookEntryId: this.catalogue.entries.SEAT,
        Quantity: 10,
        UnitPrice: 1200,
        ServiceDate: '2026-01-01',
        EndDate: '2026-12-31',
        SBQQ__ChargeType__c: 'Recurring',
        SBQQ__BillingFrequency__c: 'Annual',
      }),
    );
    this.orders.booking = orderId;
    await this.activate(orderId);
    note(`order ${orderId} activated; waiting for Revline`);
    await this.completed(1, 'the booking');
    // Sales press Contract (CPQ): the Salesforce contract every amendment and the renewal start from.
    this.contractId = (await salesforceSandbox('cpq/contracts', { orderId, termMonths: 12 })).contractId;
    note(`CPQ contract ${this.contractId}`);
  }

  async amend(label, effectiveDate, body) {
    await advanceClock(this.stripe, this.clock.id, `${effectiveDate}T00:00:00Z`);
    const { orderId } = await salesforceSandbox('cpq/amendments', {
      contractId: this.contractId,
      effectiveDate,
      ...body,
    });
    this.orders[label] = orderId;
    await this.activate(orderId);
    note(`amendment order ${orderId} activated (Stripe's clock at ${effectiveDate})`);
  }

  async expand() {
    heading('2. Expansion: 15 seats and the premium analytics module (250 USD a month) from 2026-03-15');
    await this.amend('expansion', '2026-03-15', {
      changes: [{ orderItemId: this.seatLineId, quantity: 15 }],
      additions: [
        { pricebookEntryId: this.catalogue.entries['ANALYTICS-PREMIUM'], quantity: 1, unitPrice: 3000 },
      ],
    });
    await this.completed(2, 'the expansion');
  }

  async reduce() {
    heading('3. Partial cancellation: 5 seats removed from 2026-10-01');
    await this.amend('reduction', '2026-10-01', {
      changes: [{ orderItemId: this.seatLineId, quantity: 10 }],
    });
    await this.completed(3, 'the reduction');
  }

  async renew() {
    heading(
      '4. Renewal for 2027: 10 seats at 105 USD a month (1,260.00 a year, +5 %), the module not renewed',
    );
    const { orderId } = await salesforceSandbox('cpq/renewals', { contractId: this.contractId });
    this.orders.renewal = orderId;
    const items = await this.sf.query(
      `SELECT Id, Product2.ProductCode FROM OrderItem WHERE OrderId = '${orderId}'`,
    );
    for (const item of items.records) {
      if (item.Product2.ProductCode === 'SEAT')
        idOf(await this.sf.sobject('OrderItem').update({ Id: item.Id, UnitPrice: 1260 }));
      else idOf(await this.sf.sobject('OrderItem').destroy(item.Id));
    }
    await this.activate(orderId);
    note(`renewal order ${orderId} activated; Stripe invoices it when its clock reaches 2027-01-01`);
    // Before the clock moves: billing has confirmed the change, and Stripe holds it as a schedule phase from 2027.
    await until('the renewal waiting for its first invoice', async () => {
      const seen = await this.experience(`/v1/contracts/${this.orders.booking}/lifecycle`);
      const renewal = seen.changes[3];
      const billing = renewal?.billing;
      const confirmed =
        billing !== undefined &&
        billing.commandsSent > 0 &&
        billing.commandsConfirmed === billing.commandsSent;
      return { done: renewal?.step === 'await_invoice' && confirmed, seen: renewal };
    });
    await until('the renewal scheduled in Stripe', async () => {
      const [subscription] = (await this.stripe.subscriptions.list({ customer: this.customer.id })).data;
      return { done: Boolean(subscription?.schedule), seen: subscription?.schedule ?? 'no schedule' };
    });
    await advanceClock(this.stripe, this.clock.id, '2027-01-01T00:00:00Z');
    await advanceClock(this.stripe, this.clock.id, '2027-01-01T01:00:00Z');
    await this.completed(4, 'the renewal');
  }

  /**
   * Month-end close: a revenue run of `period` through the experience API. It posts, in one summarised journal per
   * currency, every contract's revenue recognised to the period's end less what earlier runs posted; the
   * contract-level lines stay in Revline (CSV). Answers the run and this contract's lines.
   */
  async closeRevenue(period) {
    heading(`5. Month-end close: the revenue run of ${period} (revenue to date, summarised journals)`);
    const started = await this.experience(`/v1/close/${period}/revenue-runs`, { method: 'POST', body: {} });
    const run = await until(`revenue run ${started.sequence} of ${period} posted`, async () => {
      const { items } = await this.experience(`/v1/close/${period}/revenue-runs`);
      const seen = items.find((r) => r.runId === started.runId);
      if (seen?.state === 'failed') throw new Error(`revenue run of ${period} failed: ${seen.reason}`);
      return { done: seen?.state === 'posted', value: seen, seen: seen?.state };
    });
    for (const j of run.journals)
      note(
        `journal ${j.externalId}: ${j.lines} lines, ${(Number(j.debitMinor) / 100).toFixed(2)} ${j.currency} debited, ${j.status}`,
      );
    const csv = await this.experience(`/v1/close/${period}/revenue-runs/${run.runId}/lines`);
    const [header, ...rows] = csv
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    const lines = rows
      .map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])))
      .filter((l) => l.contract_id === this.orders.booking);
    for (const l of lines)
      note(
        `${l.obligation_id}: revenue ${(Number(l.revenue_minor) / 100).toFixed(2)}, unbilled ${(Number(l.unbilled_minor) / 100).toFixed(2)} (recognised to date ${(Number(l.recognised_to_date_minor) / 100).toFixed(2)}, billed ${(Number(l.billed_to_date_minor) / 100).toFixed(2)})`,
      );
    return { run, lines };
  }
}
