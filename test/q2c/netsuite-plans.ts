/** A revenue plan as NetSuite holds it: a schedule record, or an invoice item line carrying one. */
export interface NetSuitePlan {
  obligation: string;
  version: string;
  total: string;
  /** JSON text of [{ period, amount }]. */
  periods: string;
  /** The schedule record's external id, or the invoice's that carries the plan. */
  externalId: string;
  on: 'record' | 'invoice';
}

/**
 * Every revenue plan NetSuite holds: the schedule records (a version no invoice carried) and the invoice lines
 * carrying one in their `custcol_rl_schedule_*` column fields (period close: the plan rides on the invoice).
 */
export async function netsuitePlans(netsuite: {
  suiteql(q: string): Promise<Array<Record<string, string>>>;
}): Promise<NetSuitePlan[]> {
  const records = await netsuite.suiteql(
    'SELECT externalid, custrecord_rl_obligation, custrecord_rl_version, custrecord_rl_total, custrecord_rl_periods ' +
      'FROM customrecord_rl_revenue_schedule',
  );
  const lines = await netsuite.suiteql(
    'SELECT t.externalid, tl.custcol_rl_obligation, tl.custcol_rl_schedule_version, tl.custcol_rl_schedule_total, ' +
      'tl.custcol_rl_schedule_periods FROM transactionline tl JOIN transaction t ON t.id = tl.transaction ' +
      // An invoice's: a credit memo made from it (a void) copies its lines, column fields included.
      "WHERE t.type = 'CustInvc' AND tl.custcol_rl_schedule_version IS NOT NULL",
  );
  return [
    ...records.map((r): NetSuitePlan => ({
      obligation: r.custrecord_rl_obligation,
      version: r.custrecord_rl_version,
      total: r.custrecord_rl_total,
      periods: r.custrecord_rl_periods,
      externalId: r.externalid,
      on: 'record',
    })),
    ...lines.map((l): NetSuitePlan => ({
      obligation: l.custcol_rl_obligation,
      version: l.custcol_rl_schedule_version,
      total: l.custcol_rl_schedule_total,
      periods: l.custcol_rl_schedule_periods,
      externalId: l.externalid,
      on: 'invoice',
    })),
  ];
}
