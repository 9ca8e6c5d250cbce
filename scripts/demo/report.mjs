// What the demo prints: each change's lifecycle as the experience API shows it, and the NetSuite ledger.
const out = (line = '') => process.stdout.write(`${line}\n`);

export const heading = (text) => out(`\n== ${text}`);
export const note = (text) => out(`   ${text}`);

const system = (name, s) =>
  `${name} ${s.status} (${s.commandsConfirmed}/${s.commandsSent}${s.lastHop ? `, last: ${s.lastHop.objectType} ${s.lastHop.status}` : ''})`;

export function printLifecycle(lifecycle) {
  const c = lifecycle.contract;
  out(`   contract ${c.contractId} · ${c.customer} · ${c.termStart}..${c.termEnd} · ${c.lifecycleStatus}`);
  for (const change of lifecycle.changes)
    out(
      `   ${change.kind.padEnd(11)} ${change.status.padEnd(9)} ${[
        system('Salesforce', change.salesforce),
        system('billing', change.billing),
        system('ERP', change.erp),
      ].join(' · ')}${change.lastError ? ` · error: ${change.lastError}` : ''}`,
    );
}

const ACCOUNTS = {
  1: 'Cash',
  2: 'Accounts Receivable',
  3: 'Sales Tax Payable',
  4: 'Deferred Revenue',
  5: 'Revenue',
};

const minor = (v) => (v ? Math.round(Number(v) * 100) : 0);
const money = (cents) => (cents === 0 ? '' : (cents / 100).toFixed(2));

/**
 * The contract's general ledger: each invoice and credit memo line as posted, and the revenue journals summed by
 * month and account (one journal per obligation, schedule version and month would fill screens).
 */
export function printLedger(lines) {
  const rows = new Map();
  for (const l of lines) {
    const journal = l.type === 'Journal';
    const key = journal ? `${l.trandate}|${l.account}` : `${l.trandate}|${l.externalid}|${l.account}`;
    const row = rows.get(key) ?? {
      date: l.trandate,
      type: journal ? 'Journals' : l.type,
      account: ACCOUNTS[l.account] ?? l.account,
      debit: 0,
      credit: 0,
      what: journal ? 'revenue recognised in the month' : l.externalid,
    };
    row.debit += minor(l.debit);
    row.credit += minor(l.credit);
    rows.set(key, row);
  }
  out(
    `   ${'date'.padEnd(10)}  ${'type'.padEnd(9)} ${'account'.padEnd(20)} ${'debit'.padStart(10)} ${'credit'.padStart(10)}  what`,
  );
  for (const r of [...rows.values()].sort((a, b) => a.date.localeCompare(b.date)))
    out(
      `   ${r.date.padEnd(10)}  ${r.type.padEnd(9)} ${r.account.padEnd(20)} ${money(r.debit).padStart(10)} ${money(r.credit).padStart(10)}  ${r.what}`,
    );
  const total = (account) =>
    lines.filter((l) => l.account === account).reduce((s, l) => s + minor(l.credit) - minor(l.debit), 0);
  out(
    `   balances: Revenue ${money(total('5')) || '0.00'} · Deferred Revenue ${money(total('4')) || '0.00'} · Accounts Receivable ${money(-total('2')) || '0.00'}`,
  );
}
