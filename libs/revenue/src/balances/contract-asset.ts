/**
 * Billed against recognised, per contract (ASC 606-10-45-1..3): billed ahead of recognised is deferred revenue
 * (a contract liability); recognised ahead of billed is an unbilled receivable (a contract asset). The two are
 * never netted into a negative deferral, and never netted across contracts: each contract has one or the other.
 */
export interface ContractPosition {
  /** Deferred revenue (contract liability), ≥ 0. */
  readonly deferredRevenueMinor: bigint;
  /** Unbilled receivable (contract asset), ≥ 0. */
  readonly contractAssetMinor: bigint;
}

export function contractPosition(billedToDateMinor: bigint, recognisedToDateMinor: bigint): ContractPosition {
  const net = billedToDateMinor - recognisedToDateMinor;
  return {
    deferredRevenueMinor: net > 0n ? net : 0n,
    contractAssetMinor: net < 0n ? -net : 0n,
  };
}

/** One month of a contract's roll-forward. */
export interface ContractMonth extends ContractPosition {
  readonly period: string;
  readonly billedMinor: bigint;
  readonly recognisedMinor: bigint;
  readonly billedToDateMinor: bigint;
  readonly recognisedToDateMinor: bigint;
  /**
   * The month's change in the contract asset: positive when revenue ran further ahead of billing (debit the
   * unbilled receivable, credit deferred revenue), negative when an invoice caught up (the reverse).
   */
  readonly contractAssetMovementMinor: bigint;
}

/** Consecutive YYYY-MM keys from `from` to `to`, inclusive. */
function monthsFrom(from: string, to: string): string[] {
  const out: string[] = [];
  let [y = 0, m = 0] = from.split('-').map(Number);
  for (let key = from; key <= to;) {
    out.push(key);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
    key = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
  }
  return out;
}

/**
 * A contract's months from its first billed or recognised month to `through` (or its last), each with the
 * deferred revenue and contract asset at the month end and the month's contract-asset movement. Amounts by
 * YYYY-MM month; billed is net of credits and tax, recognised is the revenue of the month. On a fiscal calendar,
 * `periodsFrom` lists its periods from one key to another (keys of one calendar sort in time order).
 */
export function contractRollForward(
  billedByPeriod: ReadonlyMap<string, bigint>,
  recognisedByPeriod: ReadonlyMap<string, bigint>,
  through?: string,
  periodsFrom: (from: string, to: string) => string[] = monthsFrom,
): ContractMonth[] {
  const keys = [...billedByPeriod.keys(), ...recognisedByPeriod.keys()].sort();
  const first = keys.at(0);
  const last = through ?? keys.at(-1);
  if (first === undefined || last === undefined || last < first) return [];
  let billedToDate = 0n;
  let recognisedToDate = 0n;
  let asset = 0n;
  return periodsFrom(first, last).map((period) => {
    const billed = billedByPeriod.get(period) ?? 0n;
    const recognised = recognisedByPeriod.get(period) ?? 0n;
    billedToDate += billed;
    recognisedToDate += recognised;
    const position = contractPosition(billedToDate, recognisedToDate);
    const movement = position.contractAssetMinor - asset;
    asset = position.contractAssetMinor;
    return {
      period,
      billedMinor: billed,
      recognisedMinor: recognised,
      billedToDateMinor: billedToDate,
      recognisedToDateMinor: recognisedToDate,
      ...position,
      contractAssetMovementMinor: movement,
    };
  });
}
