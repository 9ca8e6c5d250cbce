/**
 * Salesforce reports the org's daily API usage in `Sforce-Limit-Info: api-usage=used/limit`. Past the budget
 * share, calls are spaced out (more the closer to the limit); at the limit they wait for the window to reset.
 */
export function budgetDelayMs(used: number, limit: number, budget: number): number {
  if (limit <= 0) return 0;
  const share = used / limit;
  if (share < budget) return 0;
  if (share >= 1) return 60_000;
  const pressure = (share - budget) / Math.max(1e-9, 1 - budget);
  return Math.round(50 + pressure * 2_000);
}
