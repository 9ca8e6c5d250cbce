/**
 * The sandbox account's accounting periods, as NetSuite sets them up: a fiscal year per calendar year, split into
 * quarters and monthly base periods, each an `accountingperiod` record with an internal id. Transactions name their
 * posting period by that id; the ledger keys periods by `YYYY-MM` and maps between the two here. Ids follow from the
 * date alone, so a period has the same id whether or not anything has been posted to it.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SLOTS_PER_YEAR = 17; // the year, four quarters, twelve months
const EPOCH = 1999;

/** The years every account has set up; a year with postings outside them is set up too. */
export const SETUP_YEARS = { first: 2015, last: 2040 } as const;

export interface AccountingPeriod {
  id: number;
  periodname: string;
  startdate: string;
  enddate: string;
  isyear: 'T' | 'F';
  isquarter: 'T' | 'F';
  isadjust: 'T' | 'F';
  isposting: 'T' | 'F';
  parent: number | null;
  /** The `YYYY-MM` base periods it spans. */
  months: string[];
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const slotId = (year: number, slot: number) => (year - EPOCH) * SLOTS_PER_YEAR + slot + 1;

/** The internal id of a `YYYY-MM` base period. */
export function periodId(period: string): number {
  const [year = 0, month = 0] = period.split('-').map(Number);
  return slotId(year, 4 + month);
}

/** The `YYYY-MM` of a base period's internal id; undefined for a quarter, a year or no period. */
export function periodOfId(id: number): string | undefined {
  const index = id - 1;
  if (!Number.isInteger(index) || index < 0) return undefined;
  const year = EPOCH + Math.floor(index / SLOTS_PER_YEAR);
  const slot = index % SLOTS_PER_YEAR;
  return slot >= 5 ? `${String(year)}-${pad(slot - 4)}` : undefined;
}

/** The periods of one fiscal year: the year, its quarters and its months. */
export function periodsOfYear(year: number): AccountingPeriod[] {
  const y = String(year);
  const months = MONTHS.map((_, i) => `${y}-${pad(i + 1)}`);
  const periods: AccountingPeriod[] = [
    {
      id: slotId(year, 0),
      periodname: `FY ${y}`,
      startdate: `${y}-01-01`,
      enddate: `${y}-12-31`,
      isyear: 'T',
      isquarter: 'F',
      isadjust: 'F',
      isposting: 'F',
      parent: null,
      months,
    },
  ];
  for (let q = 1; q <= 4; q++) {
    const end = q * 3;
    periods.push({
      id: slotId(year, q),
      periodname: `Q${String(q)} ${y}`,
      startdate: `${y}-${pad(end - 2)}-01`,
      enddate: `${y}-${pad(end)}-${pad(lastDay(year, end))}`,
      isyear: 'F',
      isquarter: 'T',
      isadjust: 'F',
      isposting: 'F',
      parent: slotId(year, 0),
      months: months.slice(end - 3, end),
    });
  }
  for (let m = 1; m <= 12; m++) {
    periods.push({
      id: slotId(year, 4 + m),
      periodname: `${MONTHS[m - 1] ?? ''} ${y}`,
      startdate: `${y}-${pad(m)}-01`,
      enddate: `${y}-${pad(m)}-${pad(lastDay(year, m))}`,
      isyear: 'F',
      isquarter: 'F',
      isadjust: 'F',
      isposting: 'T',
      parent: slotId(year, Math.ceil(m / 3)),
      months: [`${y}-${pad(m)}`],
    });
  }
  return periods;
}
