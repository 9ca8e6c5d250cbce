import type { ErpPeriodJournalLine, ErpPeriodJournalPayload } from '@revline/messaging';

/** The obligation id of a contract's unbilled-receivable line (the contract asset is the contract's, not a POB's). */
export const CONTRACT_ASSET = 'contract-asset';

/** The most lines one detail-mode journal carries. */
export const MAX_JOURNAL_LINES = 1_000;

export type CloseMode = 'summary' | 'detail';

/** An obligation's revenue recognised from its start to the end of the period, from its stored schedule and usage. */
export interface ObligationToDate {
  contractId: string;
  obligationId: string;
  subsidiary: string;
  currency: string;
  productClass: string;
  recognisedMinor: bigint;
}

/** What earlier runs posted for a contract obligation (its revenue) or a contract (its unbilled receivable). */
export interface PostedToDate {
  revenueMinor: bigint;
  unbilledMinor: bigint;
}

/** One contract-level line of a run: the difference it posts, and the figures it was measured from. */
export interface RunLine {
  contractId: string;
  obligationId: string;
  subsidiary: string;
  currency: string;
  productClass: string;
  recognisedToDateMinor: bigint;
  billedToDateMinor: bigint;
  revenueMinor: bigint;
  unbilledMinor: bigint;
  /** The journal that posts the line; absent when its journal nets to nothing (nothing to post). */
  journalExternalId?: string;
}

export interface RunJournal {
  externalId: string;
  subsidiary: string;
  currency: string;
  chunk: number;
  /** Journal lines (debits and credits). */
  lines: number;
  debitMinor: bigint;
  /** The ERP command's payload, built when asked (a detail journal's thousand lines are not kept meanwhile). */
  payload(): ErpPeriodJournalPayload;
}

export interface RunPlan {
  lines: RunLine[];
  journals: RunJournal[];
}

export interface RunInput {
  period: string;
  /** A fiscal period's last day (ISO date): the journals are dated it. Absent for a calendar month. */
  periodEnd?: string;
  sequence: number;
  mode: CloseMode;
  obligations: readonly ObligationToDate[];
  /** Billed to date (invoices less credit notes, less tax, voids taken back) by contract and currency. */
  billed: ReadonlyMap<string, bigint>;
  /** Posted by earlier runs, by `contractKey(contract, obligation)`. */
  posted: ReadonlyMap<string, PostedToDate>;
}

export const contractKey = (contractId: string, other: string): string => `${contractId}\u0000${other}`;

/** The deterministic ERP external id of a run's journal: period, subsidiary, currency, run and chunk. */
export const journalExternalId = (
  period: string,
  subsidiary: string,
  currency: string,
  sequence: number,
  chunk: number,
): string => ['rr', period, subsidiary, currency, sequence, chunk].join(':');

/**
 * A revenue run's contract lines and journals. Each contract obligation posts the revenue recognised to the end of
 * the period less what earlier runs posted for it: the period's own revenue on a first run, plus any catch-up of an
 * amendment effective in a period already closed, and only the difference on a re-run. Each contract's unbilled
 * receivable (revenue recognised ahead of billing, never negative) moves the same way. Summary mode posts one
 * journal per subsidiary and currency with a line pair per account pair (deferred revenue → revenue of each product
 * class; deferred revenue → unbilled receivable); detail mode a line pair per contract line, in journals of at most
 * MAX_JOURNAL_LINES lines.
 */
export function planRun(input: RunInput): RunPlan {
  const lines: RunLine[] = [];
  const contracts = new Map<string, ObligationToDate[]>();
  for (const o of input.obligations) {
    const key = contractKey(o.contractId, o.currency);
    const list = contracts.get(key);
    if (list) list.push(o);
    else contracts.set(key, [o]);
  }
  for (const [key, obligations] of [...contracts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const first = obligations.at(0);
    if (!first) continue;
    const recognised = obligations.reduce((s, o) => s + o.recognisedMinor, 0n);
    const billed = input.billed.get(key) ?? 0n;
    for (const o of [...obligations].sort((a, b) => (a.obligationId < b.obligationId ? -1 : 1))) {
      const posted = input.posted.get(contractKey(o.contractId, o.obligationId))?.revenueMinor ?? 0n;
      const revenue = o.recognisedMinor - posted;
      if (revenue !== 0n)
        lines.push({
          ...o,
          recognisedToDateMinor: o.recognisedMinor,
          billedToDateMinor: billed,
          revenueMinor: revenue,
          unbilledMinor: 0n,
        });
    }
    const unbilled = recognised > billed ? recognised - billed : 0n;
    const postedUnbilled =
      input.posted.get(contractKey(first.contractId, CONTRACT_ASSET))?.unbilledMinor ?? 0n;
    if (unbilled !== postedUnbilled)
      lines.push({
        contractId: first.contractId,
        obligationId: CONTRACT_ASSET,
        subsidiary: first.subsidiary,
        currency: first.currency,
        productClass: first.productClass,
        recognisedToDateMinor: recognised,
        billedToDateMinor: billed,
        revenueMinor: 0n,
        unbilledMinor: unbilled - postedUnbilled,
      });
  }
  return {
    lines,
    journals: input.mode === 'summary' ? summaryJournals(input, lines) : detailJournals(input, lines),
  };
}

/** The line pair moving `amount` from one account to another (reversed when negative); none for nothing. */
function pair(
  amount: bigint,
  debit: Omit<ErpPeriodJournalLine, 'debitMinor' | 'creditMinor'>,
  credit: Omit<ErpPeriodJournalLine, 'debitMinor' | 'creditMinor'>,
): ErpPeriodJournalLine[] {
  if (amount === 0n) return [];
  const [d, c, value] = amount > 0n ? [debit, credit, amount] : [credit, debit, -amount];
  return [
    { ...d, debitMinor: value.toString() },
    { ...c, creditMinor: value.toString() },
  ];
}

/** A contract line's pair: deferred revenue → revenue of its class, or unbilled receivable → deferred revenue. */
function linePair(line: RunLine, tags: Partial<ErpPeriodJournalLine> = {}): ErpPeriodJournalLine[] {
  return line.obligationId === CONTRACT_ASSET
    ? pair(
        line.unbilledMinor,
        { account: 'unbilled_receivable', ...tags },
        { account: 'deferred_revenue', ...tags },
      )
    : pair(
        line.revenueMinor,
        { account: 'deferred_revenue', ...tags },
        { account: 'revenue', productClass: line.productClass, ...tags },
      );
}

function groupBySubsidiaryCurrency(lines: readonly RunLine[]): Map<string, RunLine[]> {
  const groups = new Map<string, RunLine[]>();
  for (const line of lines) {
    const key = `${line.subsidiary}\u0000${line.currency}`;
    const group = groups.get(key);
    if (group) group.push(line);
    else groups.set(key, [line]);
  }
  return groups;
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

function journal(
  input: RunInput,
  group: RunLine,
  chunk: number,
  counts: { lines: number; debitMinor: bigint },
  lines: () => ErpPeriodJournalLine[],
): RunJournal {
  const externalId = journalExternalId(input.period, group.subsidiary, group.currency, input.sequence, chunk);
  const kind = input.sequence === 1 ? 'close' : `adjustment ${String(input.sequence - 1)}`;
  return {
    externalId,
    subsidiary: group.subsidiary,
    currency: group.currency,
    chunk,
    ...counts,
    payload: () => ({
      externalId,
      period: input.period,
      ...(input.periodEnd === undefined ? {} : { periodEnd: input.periodEnd }),
      subsidiary: group.subsidiary,
      currency: group.currency,
      memo: `Revline revenue ${input.period} ${group.currency} (${group.subsidiary}), ${kind}, ${input.mode}`,
      lines: lines(),
    }),
  };
}

function summaryJournals(input: RunInput, lines: RunLine[]): RunJournal[] {
  const out: RunJournal[] = [];
  for (const group of groupBySubsidiaryCurrency(lines).values()) {
    const head = group.at(0);
    if (!head) continue;
    const byClass = new Map<string, bigint>();
    let unbilled = 0n;
    for (const line of group) {
      unbilled += line.unbilledMinor;
      if (line.obligationId !== CONTRACT_ASSET)
        byClass.set(line.productClass, (byClass.get(line.productClass) ?? 0n) + line.revenueMinor);
    }
    const journalLines = [
      ...[...byClass]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .flatMap(([productClass, amount]) =>
          pair(amount, { account: 'deferred_revenue' }, { account: 'revenue', productClass }),
        ),
      ...pair(unbilled, { account: 'unbilled_receivable' }, { account: 'deferred_revenue' }),
    ];
    if (journalLines.length === 0) continue;
    const debitMinor = journalLines.reduce((s, l) => s + BigInt(l.debitMinor ?? '0'), 0n);
    const j = journal(input, head, 1, { lines: journalLines.length, debitMinor }, () => journalLines);
    for (const line of group) line.journalExternalId = j.externalId;
    out.push(j);
  }
  return out;
}

function detailJournals(input: RunInput, lines: RunLine[]): RunJournal[] {
  const out: RunJournal[] = [];
  const perJournal = MAX_JOURNAL_LINES / 2;
  for (const group of groupBySubsidiaryCurrency(lines).values()) {
    for (let start = 0, chunk = 1; start < group.length; start += perJournal, chunk += 1) {
      const slice = group.slice(start, start + perJournal);
      const head = slice.at(0);
      if (!head) continue;
      // Every contract line moves a non-zero amount: one debit and one credit each.
      const debitMinor = slice.reduce((s, l) => s + abs(l.revenueMinor) + abs(l.unbilledMinor), 0n);
      const j = journal(input, head, chunk, { lines: slice.length * 2, debitMinor }, () =>
        slice.flatMap((line) =>
          linePair(line, { contractId: line.contractId, obligationId: line.obligationId }),
        ),
      );
      for (const line of slice) line.journalExternalId = j.externalId;
      out.push(j);
    }
  }
  return out;
}
