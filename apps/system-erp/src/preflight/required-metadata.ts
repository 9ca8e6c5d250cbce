/**
 * The NetSuite customisations Revline writes (vendor/netsuite deploys them), by record type as the REST metadata
 * catalogue names its schemas: `<type>` for body fields, `<type>-<sublist>Element` for a sublist's column fields.
 */
export const REQUIRED_NETSUITE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  invoice: ['custbody_rl_contract'],
  'invoice-itemElement': [
    'custcol_rl_contract',
    'custcol_rl_obligation',
    'custcol_rl_schedule_version',
    'custcol_rl_schedule_total',
    'custcol_rl_schedule_periods',
  ],
  creditMemo: ['custbody_rl_contract'],
  'creditMemo-itemElement': ['custcol_rl_contract', 'custcol_rl_obligation'],
  'journalEntry-lineElement': ['custcol_rl_contract', 'custcol_rl_obligation'],
  customrecord_rl_revenue_schedule: [
    'custrecord_rl_contract',
    'custrecord_rl_obligation',
    'custrecord_rl_version',
    'custrecord_rl_currency',
    'custrecord_rl_total',
    'custrecord_rl_periods',
  ],
};

/** The record types whose schemas hold those fields. */
export const REQUIRED_NETSUITE_RECORDS = [
  'invoice',
  'creditMemo',
  'journalEntry',
  'customrecord_rl_revenue_schedule',
];
