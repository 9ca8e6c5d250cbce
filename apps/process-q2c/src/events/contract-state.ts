/** A ramp step of a line, as booked. */
export interface RampSegmentState {
  readonly segmentId: string;
  readonly start: string;
  readonly end: string;
  readonly quantity: string;
  readonly unitPrice: string;
}

/** A line of a contract as it stands after every stored event. */
export interface ContractLineState {
  readonly lineId: string;
  readonly productCode: string;
  readonly quantity: string;
  readonly unitPrice: string;
  readonly serviceStart: string;
  readonly serviceEnd: string;
  readonly rampSegments?: readonly RampSegmentState[];
  /** Other CRM line ids that stand for this line (a renewal order's line carries it into the next term). */
  readonly aliases?: readonly string[];
}

/** A booked contract as Revline knows it: what amendments are checked against and applied to. */
export interface ContractState {
  readonly contractId: string;
  readonly salesforceAccountId: string;
  readonly currency: string;
  readonly termStart: string;
  readonly termEnd: string;
  readonly status: 'active' | 'cancelled';
  readonly lines: readonly ContractLineState[];
}

/** The contract line an order line revises: the line itself, or the line owning that ramp segment. */
export function lineRevisedBy(contract: ContractState, revisesLineId: string): ContractLineState | undefined {
  return contract.lines.find(
    (l) =>
      l.lineId === revisesLineId ||
      (l.aliases ?? []).includes(revisesLineId) ||
      (l.rampSegments ?? []).some((s) => s.segmentId === revisesLineId),
  );
}
