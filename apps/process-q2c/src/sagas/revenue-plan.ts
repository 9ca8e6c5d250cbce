import type { ErpRevenueJournalPayload, ErpRevenueSchedulePayload } from '@revline/messaging';
import type { ModificationRecord, RevenuePolicy, ScheduleResult } from '@revline/revenue';
import { computeSchedules } from '@revline/revenue';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import type { StoredSchedule } from '../revenue-runs/revenue-runs.repository';
import type { ContractHistory } from './contract-history.repository';

export interface RevenuePlan {
  readonly contractId: string;
  readonly currency: string;
  readonly subsidiary: string;
  readonly version: number;
  readonly treatment: string;
  readonly reason?: string;
  readonly modification?: ModificationRecord;
  readonly schedules: ErpRevenueSchedulePayload[];
  readonly journals: ErpRevenueJournalPayload[];
  /** The contract's revenue by month in this version, every obligation (what billing is measured against). */
  readonly recognisedByPeriod: ReadonlyMap<string, bigint>;
  /** The product class of the contract's first line (the class its contract-asset journals carry). */
  readonly productClass: string;
  /** Every obligation's schedule in this version (what period close reads), touched or not. */
  readonly stored: StoredSchedule[];
}

const keyOf = (...parts: Array<string | number>): string => parts.join(':');

/**
 * The revenue the ERP should hold after a contract change: the engine's schedules for the booking and the
 * amendments up to this one. The booking posts every period of every obligation (version 1); an amendment posts
 * the new version of the obligations it touched, and a journal for each period whose amount changed — with the
 * period's full amount in the new version, of which system-erp posts only the difference from what is posted.
 * Periods are those of the tenant's fiscal calendar (`policy`, fiscalPolicy), recorded on every stored schedule.
 */
export function revenuePlan(
  history: ContractHistory,
  catalogue: ReadonlyMap<string, CatalogueEntry>,
  subsidiary: string,
  policy: RevenuePolicy,
): RevenuePlan {
  const { booking, amendments } = history;
  const result: ScheduleResult = computeSchedules(booking, amendments, policy);
  const last = amendments.at(-1);
  const version = last
    ? (result.versions.find((v) => v.trigger === last.amendmentId)?.version ?? result.scheduleVersion)
    : 1;
  const entry = result.versions.find((v) => v.version === version);
  const touched = new Set(
    version === 1 ? result.obligations.map((o) => o.pobId) : (entry?.changes ?? []).map((c) => c.pobId),
  );
  const classOf = (productCode: string): string => catalogue.get(productCode)?.productClass ?? 'subscription';
  const schedules: ErpRevenueSchedulePayload[] = [];
  const journals: ErpRevenueJournalPayload[] = [];
  for (const o of result.obligations) {
    if (!touched.has(o.pobId)) continue;
    schedules.push({
      externalId: keyOf('rs', booking.contractId, o.pobId, version),
      contractId: booking.contractId,
      obligationId: o.pobId,
      scheduleVersion: version,
      currency: booking.currency,
      periods: o.periods.map((p) => ({ period: p.period, amountMinor: p.amountMinor.toString() })),
    });
    const periods =
      version === 1
        ? o.periods.map((p) => ({ period: p.period, amount: p.amountMinor }))
        : (entry?.changes ?? [])
            .filter((c) => c.pobId === o.pobId)
            .map((c) => ({ period: c.period, amount: c.currentMinor }));
    for (const p of periods) {
      journals.push({
        externalId: keyOf('rj', booking.contractId, o.pobId, p.period, version),
        contractId: booking.contractId,
        obligationId: o.pobId,
        period: p.period,
        scheduleVersion: version,
        amount: { amountMinor: p.amount.toString(), currency: booking.currency },
        productClass: classOf(o.productCode),
        subsidiary,
      });
    }
  }
  const modification = last
    ? result.modifications.find((m) => m.amendmentId === last.amendmentId)
    : undefined;
  const recognisedByPeriod = new Map<string, bigint>();
  for (const o of result.obligations)
    for (const p of o.periods)
      recognisedByPeriod.set(p.period, (recognisedByPeriod.get(p.period) ?? 0n) + p.amountMinor);
  const stored = result.obligations.map((o): StoredSchedule => ({
    contractId: booking.contractId,
    obligationId: o.pobId,
    scheduleVersion: version,
    currency: booking.currency,
    subsidiary,
    productClass: classOf(o.productCode),
    fiscalCalendar: result.policy.fiscalCalendar,
    periods: o.periods.map((p) => ({ period: p.period, amountMinor: p.amountMinor.toString() })),
  }));
  return {
    stored,
    contractId: booking.contractId,
    currency: booking.currency,
    subsidiary,
    version,
    recognisedByPeriod,
    productClass: classOf(booking.lines[0]?.productCode ?? ''),
    treatment: entry?.treatment ?? 'booking',
    ...(modification ? { reason: modification.reason, modification } : {}),
    schedules,
    journals,
  };
}
