import type { ContractLine, CurrencyCode } from '@revline/canonical';
import type { ContractLineState } from '../events/contract-state';
import type { CatalogueEntry, CompiledMapping } from '../mappings/mapping-definition';
import type { MappedLine } from './mapped-order';
import { lineValue } from '../shared/line-amounts';

function entryOf(mapping: CompiledMapping, productCode: string): CatalogueEntry {
  const entry = mapping.catalogue.get(productCode);
  if (!entry) throw new Error(`Product ${productCode} is not mapped: check products before building lines`);
  return entry;
}

/** Lines sharing a CPQ segment key are the steps of one ramped line; others stand alone. Input order is kept. */
export function groupSegments(lines: readonly MappedLine[]): MappedLine[][] {
  const groups = new Map<string, MappedLine[]>();
  for (const line of lines) {
    const key = line.segmentKey ? `segment:${line.segmentKey}` : `line:${line.lineId}:${String(line.index)}`;
    groups.set(key, [...(groups.get(key) ?? []), line]);
  }
  return [...groups.values()];
}

/**
 * Canonical contract lines from order lines, through the product catalogue: the performance obligation, revenue
 * treatment, price period and SSP come from the catalogue; a group of CPQ segments becomes one line with ramp
 * segments. Service dates default to the term given.
 */
export function contractLines(
  groups: readonly (readonly MappedLine[])[],
  mapping: CompiledMapping,
  currency: CurrencyCode,
  term: { start: string; end: string },
  /** The contract term lines added mid-term co-terminate with: they are charged their share of it. */
  within?: { start: string; end: string },
): { lines: ContractLine[]; states: ContractLineState[] } {
  const lines: ContractLine[] = [];
  const states: ContractLineState[] = [];
  for (const group of groups) {
    const steps = [...group].sort((a, b) =>
      (a.serviceStart ?? term.start).localeCompare(b.serviceStart ?? term.start),
    );
    const first = steps.at(0);
    if (!first) continue;
    const entry = entryOf(mapping, first.productCode);
    const chargeType = first.chargeType ?? entry.chargeType ?? 'recurring';
    const priced = steps.map((step) => {
      const start = step.serviceStart ?? term.start;
      const end = step.serviceEnd ?? term.end;
      const value = (price: string, period?: { start: string; end: string }) =>
        lineValue({
          quantity: step.quantity,
          unitPrice: price,
          unitPricePeriod: entry.unitPricePeriod,
          chargeType,
          serviceStart: start,
          serviceEnd: end < start ? start : end,
          currency,
          ...(period ? { within: period } : {}),
        });
      // The price is what the customer is charged (its share of the term, as billed); the standalone selling
      // price is measured in months, as the engine measures it for a quantity change.
      return { step, start, end, net: value(step.unitPrice, within), ssp: value(entry.ssp) };
    });
    const sum = (pick: (p: (typeof priced)[number]) => { amountMinor: string }) =>
      priced.reduce((total, p) => total + BigInt(pick(p).amountMinor), 0n).toString();
    const last = priced.at(-1);
    const serviceStart = priced.at(0)?.start ?? term.start;
    const serviceEnd = last?.end ?? term.end;
    const segments =
      priced.length > 1
        ? priced.map((p) => ({
            segmentId: p.step.lineId,
            start: p.start,
            end: p.end,
            quantity: p.step.quantity,
            unitPrice: p.step.unitPrice,
            netAmount: p.net,
          }))
        : undefined;
    lines.push({
      lineId: first.lineId,
      productCode: first.productCode,
      pobId: entry.pobId,
      chargeType,
      quantity: first.quantity,
      unitPrice: first.unitPrice,
      unitPricePeriod: entry.unitPricePeriod,
      netAmount: { amountMinor: sum((p) => p.net), currency },
      ssp: { amountMinor: sum((p) => p.ssp), currency },
      serviceStart,
      serviceEnd,
      revenueTreatment: entry.revenueTreatment,
      ...(segments ? { rampSegments: segments } : {}),
      ...(entry.includedUsage !== undefined ? { includedUsage: entry.includedUsage } : {}),
      ...(entry.overageRate !== undefined ? { overageRate: entry.overageRate } : {}),
    });
    states.push({
      lineId: first.lineId,
      productCode: first.productCode,
      quantity: first.quantity,
      unitPrice: first.unitPrice,
      serviceStart,
      serviceEnd,
      ...(segments
        ? {
            rampSegments: segments.map((s) => ({
              segmentId: s.segmentId,
              start: s.start,
              end: s.end,
              quantity: s.quantity,
              unitPrice: s.unitPrice,
            })),
          }
        : {}),
    });
  }
  return { lines, states };
}
