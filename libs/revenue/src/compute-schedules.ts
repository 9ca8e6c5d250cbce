import { RevenueInputError } from './core/errors';
import { resolvePolicy, type RevenuePolicy } from './core/policy';
import { checkDate } from './input/checks';
import type { RevenueContract } from './input/contract-input';
import { applyAmendment, type ModificationRecord } from './modifications/apply-amendment';
import type { RevenueAmendment } from './modifications/amendment-input';
import { bookContract } from './schedule/book-contract';
import { renderBalances, renderObligations } from './schedule/render';
import type { ScheduleResult, ScheduleVersion } from './schedule/result';
import { snapshot } from './schedule/snapshot';
import { addUsageObligations, type RevenueUsage } from './schedule/usage-obligations';
import { diffSchedules } from './schedule/versions';

/**
 * The revenue schedules of a contract after a sequence of amendments (applied in order of
 * effective date, then as given), with the usage reported so far. Pure and deterministic.
 *
 * Version 1 is the booking; each amendment makes the next version, which lists its per-period
 * differences against the one before. Throws RevenueInputError (with `field`) on invalid input.
 */
export function computeSchedules(
  contract: RevenueContract,
  amendments: readonly RevenueAmendment[] = [],
  policy?: RevenuePolicy,
  usage: readonly RevenueUsage[] = [],
): ScheduleResult {
  const resolved = resolvePolicy(policy);
  const state = bookContract(contract, resolved);
  if (usage.length > 0) {
    addUsageObligations(state, usage);
  }
  const ordered = amendments
    .map((am, index) => ({
      am,
      index,
      day: checkDate(am.effectiveDate, `amendments[${String(index)}].effectiveDate`),
    }))
    .sort((a, b) => a.day - b.day || a.index - b.index);
  const seen = new Set<string>();
  let cums = snapshot(state);
  const versions: ScheduleVersion[] = [{ version: 1, trigger: 'booking', treatment: 'booking', changes: [] }];
  const modifications: ModificationRecord[] = [];
  for (const { am, index } of ordered) {
    const field = `amendments[${String(index)}]`;
    if (seen.has(am.amendmentId)) {
      throw new RevenueInputError(`${field}.amendmentId`, 'appears twice');
    }
    seen.add(am.amendmentId);
    const record = applyAmendment(state, am, field, resolved);
    modifications.push(record);
    const next = snapshot(state);
    versions.push({
      version: versions.length + 1,
      trigger: am.amendmentId,
      treatment: record.treatment,
      changes: diffSchedules(cums, next, state.grid),
    });
    cums = next;
  }
  const obligations = renderObligations(state, cums);
  const deferredByPeriod = renderBalances(state, cums);
  const last = deferredByPeriod.at(-1);
  return {
    contractId: contract.contractId,
    currency: state.currency,
    policy: resolved,
    scheduleVersion: versions.length,
    obligations,
    totals: {
      transactionPriceMinor: state.transactionPriceMinor,
      allocatedMinor: state.obligations.reduce((s, o) => s + o.allocatedMinor, 0n),
      recognisedMinor: last?.recognisedToDateMinor ?? 0n,
      billedMinor: last?.billedToDateMinor ?? 0n,
    },
    deferredByPeriod,
    modifications,
    versions,
  };
}
