// `npm run demo`: the example every Revline test knows (a booking, an expansion with the premium module, a partial
// cancellation, a renewal with uplift) through a started platform (`npm start`) and its sandbox, driven the way the
// vendors' users drive them (jsforce in Salesforce, the stripe SDK for the test clock). Prints each step's lifecycle
// from the experience API and the NetSuite ledger, then checks the end state in all three systems: exits 1 when it
// does not hold.
import { experience, netsuite, salesforce, stripe } from './demo/clients.mjs';
import { checkEndState } from './demo/checks.mjs';
import { mapYearlyPrices } from './demo/mapping.mjs';
import { heading, printLedger } from './demo/report.mjs';
import { Story } from './demo/story.mjs';

async function main() {
  const clients = { sf: await salesforce(), stripe: stripe(), experience: experience() };
  const erp = netsuite();
  await mapYearlyPrices(clients.stripe);
  const story = new Story(clients);
  await story.setUp(new Date().toISOString().replace(/\D/g, '').slice(0, 14));
  await story.book();
  await story.expand();
  await story.reduce();
  await story.renew();
  const close = await story.closeRevenue('2027-12');

  heading(`NetSuite: the general ledger of contract ${story.orders.booking}`);
  const lines = await erp.suiteql(
    // Every line of the contract's documents (the receivable's main line carries no column field: by the header).
    'SELECT t.trandate, t.type, t.externalid, tal.account, tal.debit, tal.credit FROM transactionaccountingline tal ' +
      'JOIN transaction t ON t.id = tal.transaction ' +
      `WHERE t.custbody_rl_contract = '${story.orders.booking}' ORDER BY t.trandate, tal.transaction, tal.transactionline`,
  );
  printLedger(lines);

  heading('End state in Salesforce, Stripe and NetSuite');
  const failures = await checkEndState({ ...clients, erp, story, lines, close });
  if (failures.length > 0) {
    process.stdout.write(`\ndemo: ${failures.length} check(s) failed\n`);
    process.exit(1);
  }
  process.stdout.write('\ndemo: every check holds\n');
}

main().catch((error) => {
  process.stderr.write(`\ndemo failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
