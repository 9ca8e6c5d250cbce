import { DomainError, malformedValue } from '@revline/http';

/** One usage event as POST /v1/usage receives it. */
export interface UsageRow {
  identifier: string;
  contractId: string;
  productCode: string;
  /** A non-negative decimal, as a string. */
  quantity: string;
  /** ISO 8601 instant, normalised to UTC. */
  occurredAt: string;
}

/** A bad line: its number (1-based; a JSON array's item number), the field at fault (`(line)` for all of it), why. */
export interface UsageReject {
  line: number;
  field: string;
  problem: string;
}

/** The most items a JSON array body may carry (JSON lines and CSV stream, without a limit). */
export const MAX_JSON_ROWS = 100_000;
/** The most rejects an answer (and an ingestion record) lists; the count covers all of them. */
export const MAX_REJECTS = 100;

const FIELDS = ['identifier', 'contractId', 'productCode', 'quantity', 'occurredAt'] as const;
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_\-:.]{0,199}$/;
const DECIMAL = /^\d{1,18}(\.\d{1,9})?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Date.parse rolls 2026-02-30 over into March: the fields must name a real day and time. */
function isCalendarTime(value: string): boolean {
  const part = (at: number, length = 2): number => Number(value.slice(at, at + length));
  const [y, m, d, h, min] = [part(0, 4), part(5), part(8), part(11), part(14)];
  const seconds = value[16] === ':' ? part(17) : 0;
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCMonth() === m - 1 && day.getUTCDate() === d && h < 24 && min < 60 && seconds < 60;
}

type Problems = Array<Omit<UsageReject, 'line'>>;

function quantityOf(raw: unknown): string | null {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return String(raw);
  return typeof raw === 'string' && DECIMAL.test(raw) ? raw : null;
}

function instantOf(raw: unknown, problems: Problems): string | null {
  if (typeof raw !== 'string' || !INSTANT.test(raw)) {
    problems.push({ field: 'occurredAt', problem: 'must be an ISO 8601 date-time with a time zone' });
    return null;
  }
  const time = Date.parse(raw);
  if (Number.isNaN(time) || !isCalendarTime(raw)) {
    problems.push({ field: 'occurredAt', problem: 'is not a real date-time' });
    return null;
  }
  return new Date(time).toISOString();
}

function textOf(
  row: Record<string, unknown>,
  field: string,
  pattern: RegExp,
  what: string,
  problems: Problems,
) {
  const value = row[field];
  if (typeof value === 'string' && pattern.test(value)) return value;
  problems.push({ field, problem: what });
  return '';
}

/** One event checked: the row, or every field at fault (the line's first problem is what an answer names). */
export function checkUsage(raw: unknown): { row: UsageRow } | { problems: Problems } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { problems: [{ field: '(line)', problem: 'must be an object' }] };
  const row = raw as Record<string, unknown>;
  const problems: Problems = [];
  const malformed = malformedValue(row);
  if (malformed) problems.push(malformed);
  for (const key of Object.keys(row))
    if (!(FIELDS as readonly string[]).includes(key))
      problems.push({ field: key, problem: 'is not a usage field' });
  const identifier = textOf(
    row,
    'identifier',
    IDENTIFIER,
    'must be 1-200 letters, digits, _ - : or .',
    problems,
  );
  const contractId = textOf(row, 'contractId', /^\S{1,100}$/, 'must be a contract id', problems);
  const productCode = textOf(row, 'productCode', /^\S{1,100}$/, 'must be a product code', problems);
  const quantity = quantityOf(row.quantity);
  if (quantity === null)
    problems.push({ field: 'quantity', problem: 'must be a non-negative whole number or decimal string' });
  const occurredAt = instantOf(row.occurredAt, problems);
  if (problems.length > 0 || quantity === null || occurredAt === null) return { problems };
  return { row: { identifier, contractId, productCode, quantity, occurredAt } };
}

/** How a reject's line is named in a problem's `errors`: a JSON array's item, or a line of the body. */
export const rejectField = (reject: UsageReject, jsonArray: boolean): string => {
  const at = jsonArray ? `rows[${String(reject.line - 1)}]` : `lines[${String(reject.line)}]`;
  return reject.field === '(line)' ? at : `${at}.${reject.field}`;
};

/** The problem type of a request refused only for events of closed periods. */
export const PERIOD_CLOSED_TYPE = 'https://docs.revline.dev/problems/usage-period-closed';

/** Raises the refusal of a whole request: every reject listed (up to MAX_REJECTS), nothing written. */
export function refuse(
  rejects: readonly UsageReject[],
  total: number,
  extras: { jsonArray: boolean; ingestionId?: string; periodClosed?: boolean },
): never {
  const more = total > rejects.length ? ` (the first ${String(rejects.length)} listed)` : '';
  const first = rejects.slice(0, 3).map((r) => `${rejectField(r, extras.jsonArray)} ${r.problem}`);
  throw new DomainError(
    extras.periodClosed ? 409 : 400,
    `${String(total)} bad line(s) in the usage, nothing was written${more}: ${first.join('; ')}`,
    rejects.map((r) => ({ field: rejectField(r, extras.jsonArray), problem: r.problem })),
    {
      ...(extras.ingestionId ? { ingestionId: extras.ingestionId } : {}),
      ...(extras.periodClosed ? { type: PERIOD_CLOSED_TYPE } : {}),
    },
  );
}
