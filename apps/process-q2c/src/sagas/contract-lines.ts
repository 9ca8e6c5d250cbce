import type { ChargeType, ContractAmended } from '@revline/canonical';
import type { ContractHistory } from './contract-history.repository';

/** A line of the contract as it stands after some of its amendments. */
export interface LineInForce {
  readonly lineId: string;
  readonly productCode: string;
  readonly chargeType: ChargeType;
  readonly quantity: string;
  readonly unitPrice: string;
}

/** The contract's lines after the booking and the given amendments, in the order they were stored. */
export function linesInForce(
  history: ContractHistory,
  amendments: readonly ContractAmended[] = history.amendments,
): LineInForce[] {
  const lines = new Map<string, LineInForce>(
    history.booking.lines.map((l) => [
      l.lineId,
      {
        lineId: l.lineId,
        productCode: l.productCode,
        chargeType: l.chargeType,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
      },
    ]),
  );
  for (const am of amendments) {
    if (am.amendmentType === 'ramp_step') {
      // The segments starting on the step's date come into force (the step itself carries no deltas).
      for (const booked of history.booking.lines) {
        const segment = (booked.rampSegments ?? []).find((s) => s.start === am.effectiveDate);
        const line = lines.get(booked.lineId);
        if (segment && line)
          lines.set(booked.lineId, { ...line, quantity: segment.quantity, unitPrice: segment.unitPrice });
      }
    }
    const zeroAll = am.amendmentType === 'cancellation' && am.lineDeltas.length === 0;
    if (zeroAll) for (const [id, l] of lines) lines.set(id, { ...l, quantity: '0' });
    for (const d of am.lineDeltas) {
      const line = lines.get(d.lineId);
      if (line) lines.set(d.lineId, { ...line, quantity: d.newQuantity, unitPrice: d.newUnitPrice });
    }
    for (const l of am.addedLines ?? []) {
      lines.set(l.lineId, {
        lineId: l.lineId,
        productCode: l.productCode,
        chargeType: l.chargeType,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
      });
    }
  }
  return [...lines.values()];
}

/** The history up to the amendment (excluded) and the amendment itself. */
export function splitAt(
  history: ContractHistory,
  amendmentId: string,
): { before: readonly ContractAmended[]; amendment: ContractAmended } {
  const index = history.amendments.findIndex((a) => a.amendmentId === amendmentId);
  const amendment = history.amendments.at(index);
  if (!amendment) throw new Error(`Amendment ${amendmentId} is not in the contract's history`);
  return { before: history.amendments.slice(0, index), amendment };
}
