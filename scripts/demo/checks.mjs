// The end state the demo asserts, one check per fact a finance user would verify in each system.
import { until } from './wait.mjs';

const INTEGRATION_STATUS = 'Revline_Integration_Status__c';

export async function checkEndState({ sf, stripe, experience, erp, story, lines, close }) {
  const failures = [];
  const check = (ok, what, seen) => {
    process.stdout.write(`   ${ok ? '✓' : '✗'} ${what}${ok ? '' : ` (seen: ${JSON.stringify(seen)})`}\n`);
    if (!ok) failures.push(what);
  };
  const same = (seen, expected) => JSON.stringify(seen) === JSON.stringify(expected);

  // Revline: four changes, each done in every system.
  const lifecycle = await experience(`/v1/contracts/${story.orders.booking}/lifecycle`);
  const kinds = lifecycle.changes.map((c) => [c.kind, c.status]);
  check(
    same(kinds, [
      ['booking', 'completed'],
      ['expansion', 'completed'],
      ['reduction', 'completed'],
      ['renewal', 'completed'],
    ]),
    'Revline: booking, expansion, reduction and renewal completed',
    kinds,
  );
  const systems = lifecycle.changes.flatMap((c) => [c.billing.status, c.erp.status]);
  check(
    systems.every((s) => s === 'done'),
    'Revline: billing and ERP done for every change',
    systems,
  );

  // Salesforce: every order written back as synced.
  const statuses = await until('the Salesforce write-backs', async () => {
    const seen = {};
    for (const [label, id] of Object.entries(story.orders))
      seen[label] = (await sf.sobject('Order').retrieve(id))[INTEGRATION_STATUS];
    return { done: Object.values(seen).every((s) => s === 'Synced'), value: seen, seen };
  }).catch(() => null);
  check(statuses !== null, 'Salesforce: every order shows Revline integration status Synced', statuses);

  // Stripe: the invoices and the credit note of the story, and the subscription as renewed.
  const invoices = (await stripe.invoices.list({ customer: story.customer.id, limit: 100 })).data
    .sort((a, b) => a.created - b.created)
    .map((i) => i.total);
  check(
    same(invoices, [1_200_000, 720_000, 1_260_000]),
    'Stripe: invoices of 12,000.00 (booking), 7,200.00 (expansion) and 12,600.00 (renewal)',
    invoices,
  );
  const notes = (await stripe.creditNotes.list({ customer: story.customer.id })).data.map((n) => n.total);
  check(same(notes, [151_233]), 'Stripe: one credit note of 1,512.33 for the removed seats', notes);
  const subscriptions = (await stripe.subscriptions.list({ customer: story.customer.id })).data;
  const items = subscriptions.flatMap((s) =>
    s.items.data.map((i) => [i.quantity, i.price.unit_amount, i.price.recurring?.interval]),
  );
  check(
    same(items, [[10, 126_000, 'year']]),
    'Stripe: one subscription, from 2027 10 seats at 1,260.00 a year and no module',
    items,
  );

  // NetSuite: the same documents, and a ledger that balances.
  const documents = await erp.suiteql(
    `SELECT type, trandate, foreigntotal FROM transaction WHERE custbody_rl_contract = '${story.orders.booking}'`,
  );
  const totals = documents
    .filter((d) => d.type !== 'Journal')
    .sort((a, b) => a.trandate.localeCompare(b.trandate))
    .map((d) => [d.type, d.foreigntotal]);
  check(
    same(totals, [
      ['CustInvc', '12000.00'],
      ['CustInvc', '7200.00'],
      ['CustCred', '1512.33'],
      ['CustInvc', '12600.00'],
    ]),
    'NetSuite: the three invoices and the credit memo, for the same amounts',
    totals,
  );
  const cents = (v) => (v ? Math.round(Number(v) * 100) : 0);
  const balance = lines.reduce((sum, l) => sum + cents(l.debit) - cents(l.credit), 0);
  check(lines.length > 0 && balance === 0, 'NetSuite: the contract’s ledger lines balance', {
    lines: lines.length,
    balance,
  });
  const receivable = lines
    .filter((l) => l.account === '2')
    .reduce((s, l) => s + cents(l.debit) - cents(l.credit), 0);
  check(
    receivable === 3_028_767,
    'NetSuite: the contract’s receivable is 30,287.67 (three invoices less the credit memo)',
    receivable / 100,
  );
  // The month-end close: the contract's revenue to date, 30,287.67, posted in the run's summarised journals.
  const revenue = close.lines.reduce((s, l) => s + Number(l.revenue_minor), 0);
  const unbilled = close.lines.reduce((s, l) => s + Number(l.unbilled_minor), 0);
  check(
    close.run.state === 'posted' && revenue === 3_028_767 && unbilled === 0,
    'NetSuite: the close of 2027-12 posted the contract’s revenue to date, 30,287.67, in summarised journals',
    { state: close.run.state, revenue: revenue / 100, unbilled: unbilled / 100 },
  );
  return failures;
}
