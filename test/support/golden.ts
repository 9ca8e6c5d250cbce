/** G1 of the golden examples (12,000.00 USD over 2026, ratable by day): each month's revenue, in cents. */
export const G1_MONTHS = [
  '101918',
  '92055',
  '101917',
  '98631',
  '101917',
  '98630',
  '101918',
  '101918',
  '98630',
  '101918',
  '98630',
  '101918',
];
