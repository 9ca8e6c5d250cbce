// What landed, read from the vendors' own records only: Stripe's subscriptions and invoices (the stripe SDK), the
// NetSuite transactions (SuiteQL), and the Salesforce write-back on each order (jsforce). A change is lost when one
// of its effects is missing, and doubled when one of them is there twice.
import { BOOKING, EXPANSION } from './load.mjs';

const STATUS = 'Revline_Integration_Status__c';

async function all(list) {
  const items = [];
  for await (const item of list) items.push(item);
  return items;
}

/** The invoice's subscription (`parent.subscription_details` since Stripe's 2025 API versions). */
function subscriptionOf(invoice) {
  const sub = invoice.parent?.subscription_details?.subscription ?? invoice.subscription;
  return typeof sub === 'string' ? sub : sub?.id;
}

const quoted = (ids) => ids.map((id) => `'${id}'`).join(', ');

/** The vendors' records of the contracts `changes` touch. */
export async function snapshot({ sf, stripe, erp }, changes) {
  const contracts = [...new Set(changes.map((c) => c.contractOrderId))];
  const subscriptions = (await all(stripe.subscriptions.list({ status: 'all', limit: 100 }))).filter((s) =>
    contracts.includes(s.metadata?.revline_contract_id),
  );
  const subscriptionIds = new Set(subscriptions.map((s) => s.id));
  const invoices = (await all(stripe.invoices.list({ limit: 100 }))).filter((i) =>
    subscriptionIds.has(subscriptionOf(i)),
  );
  const transactions = [];
  for (let i = 0; i < contracts.length; i += 100)
    transactions.push(
      ...(await erp.suiteql(
        `SELECT externalid, type, foreigntotal, custbody_rl_contract FROM transaction WHERE custbody_rl_contract IN (${quoted(contracts.slice(i, i + 100))})`,
      )),
    );
  const orders = changes.map((c) => c.orderId);
  const status = new Map();
  for (let i = 0; i < orders.length; i += 200) {
    const { records } = await sf.query(
      `SELECT Id, ${STATUS} FROM Order WHERE Id IN (${quoted(orders.slice(i, i + 200))})`,
    );
    for (const r of records) status.set(r.Id, r[STATUS]);
  }
  return { subscriptions, invoices, transactions, status };
}

/**
 * One change against the vendors' records: `{ landed, doubled, missing[], twice[] }`. A booking's effects: its
 * subscription (10 seats), its 12,000.00 invoice in Stripe and in NetSuite, its order Synced. An expansion's: the
 * subscription at 15 seats, the 4,800.00 invoice in Stripe and in NetSuite, its order Synced.
 */
export function judge(change, snap) {
  const missing = [];
  const twice = [];
  const subs = snap.subscriptions.filter((s) => s.metadata?.revline_contract_id === change.contractOrderId);
  if (subs.length === 0) missing.push('stripe subscription');
  if (subs.length > 1) twice.push(`${subs.length} stripe subscriptions`);
  const expected = change.kind === 'booking' ? BOOKING : EXPANSION;
  const invoices = snap.invoices.filter(
    (i) => subs.some((s) => s.id === subscriptionOf(i)) && i.total === expected.invoiceMinor,
  );
  if (invoices.length === 0) missing.push(`stripe invoice ${expected.invoiceMinor}`);
  if (invoices.length > 1) twice.push(`${invoices.length} stripe invoices of ${expected.invoiceMinor}`);
  for (const invoice of invoices) {
    const inErp = snap.transactions.filter((t) => t.externalid === `INV-${invoice.id}`);
    if (inErp.length === 0) missing.push(`netsuite invoice INV-${invoice.id}`);
    if (inErp.length > 1) twice.push(`${inErp.length} netsuite invoices INV-${invoice.id}`);
  }
  if (change.kind === 'expansion') {
    const quantities = subs.flatMap((s) => s.items.data.map((i) => i.quantity));
    if (!quantities.includes(EXPANSION.quantity)) missing.push('stripe subscription at 15 seats');
  }
  if (snap.status.get(change.orderId) !== 'Synced')
    missing.push(`salesforce write-back (${snap.status.get(change.orderId) ?? 'none'})`);
  return { landed: missing.length === 0, doubled: twice.length > 0, missing, twice };
}

/**
 * Contract-wide doubles: a NetSuite external id (invoice or revenue journal) there more than once, or more NetSuite
 * invoices for a contract than Stripe issued for it. Answers `{ contractOrderId: [reasons] }`.
 */
export function contractDoubles(snap) {
  const found = {};
  const add = (contract, reason) => (found[contract] ??= []).push(reason);
  const byExternalId = new Map();
  for (const t of snap.transactions) {
    const key = `${t.type} ${t.externalid}`;
    byExternalId.set(key, [...(byExternalId.get(key) ?? []), t]);
  }
  for (const [key, rows] of byExternalId)
    if (rows.length > 1) add(rows[0].custbody_rl_contract, `${rows.length} × netsuite ${key}`);
  const contracts = new Set(snap.transactions.map((t) => t.custbody_rl_contract));
  for (const contract of contracts) {
    const erpInvoices = snap.transactions.filter(
      (t) => t.custbody_rl_contract === contract && t.type === 'CustInvc',
    ).length;
    const subs = new Set(
      snap.subscriptions.filter((s) => s.metadata?.revline_contract_id === contract).map((s) => s.id),
    );
    const stripeInvoices = snap.invoices.filter((i) => subs.has(subscriptionOf(i)) && i.total > 0).length;
    if (erpInvoices > stripeInvoices)
      add(contract, `${erpInvoices} netsuite invoices for ${stripeInvoices} stripe invoices`);
  }
  return found;
}
