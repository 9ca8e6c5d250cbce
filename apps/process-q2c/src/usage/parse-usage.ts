import { DomainError } from '@revline/http';

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

export interface RowProblem {
  field: string;
  problem: string;
}

/** The most rows one request may carry. */
export const MAX_USAGE_ROWS = 100_000;
/** The most problems one answer lists. */
const MAX_PROBLEMS = 50;

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

/** Raises a 400 naming every row and field at fault (the first MAX_PROBLEMS of them). */
export function refuse(problems: readonly RowProblem[]): never {
  const shown = problems.slice(0, MAX_PROBLEMS);
  const more = problems.length > shown.length ? ` (and ${String(problems.length - shown.length)} more)` : '';
  throw new DomainError(
    400,
    `${String(problems.length)} problem(s) in the usage rows, nothing was staged: ${shown
      .slice(0, 3)
      .map((p) => `${p.field} ${p.problem}`)
      .join('; ')}${more}`,
    shown,
  );
}

/** The rows of a JSON array or of JSON lines (one object per line; blank lines skipped). */
export function rowsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body === 'string') {
    const rows: unknown[] = [];
    const problems: RowProblem[] = [];
    body.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        rows.push(JSON.parse(line));
      } catch {
        problems.push({
          field: `rows[${String(rows.length)}]`,
          problem: `(line ${String(i + 1)}) is not JSON`,
        });
        rows.push(null);
      }
    });
    if (problems.length > 0) refuse(problems);
    return rows;
  }
  throw new DomainError(400, 'The body must be a JSON array of usage rows, or JSON lines', [
    { field: 'body', problem: 'must be a JSON array or JSON lines' },
  ]);
}

function checkRow(raw: unknown, index: number, problems: RowProblem[]): UsageRow | null {
  const at = (field: string) => `rows[${String(index)}].${field}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ field: `rows[${String(index)}]`, problem: 'must be an object' });
    return null;
  }
  const row = raw as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(row)) {
    if (!(FIELDS as readonly string[]).includes(key))
      problems.push({ field: at(key), problem: 'is not a usage field' });
  }
  const text = (field: (typeof FIELDS)[number], pattern: RegExp, what: string): string => {
    const value = row[field];
    if (typeof value !== 'string' || !pattern.test(value)) problems.push({ field: at(field), problem: what });
    return typeof value === 'string' ? value : '';
  };
  const identifier = text('identifier', IDENTIFIER, 'must be 1-200 letters, digits, _ - : or .');
  const contractId = text('contractId', /^\S{1,100}$/, 'must be a contract id');
  const productCode = text('productCode', /^\S{1,100}$/, 'must be a product code');
  const rawQuantity = row.quantity;
  const quantity =
    typeof rawQuantity === 'number' && Number.isSafeInteger(rawQuantity) && rawQuantity >= 0
      ? String(rawQuantity)
      : typeof rawQuantity === 'string' && DECIMAL.test(rawQuantity)
        ? rawQuantity
        : null;
  if (quantity === null)
    problems.push({
      field: at('quantity'),
      problem: 'must be a non-negative whole number or decimal string',
    });
  const occurred = text('occurredAt', INSTANT, 'must be an ISO 8601 date-time with a time zone');
  const time = Date.parse(occurred);
  if (INSTANT.test(occurred) && (Number.isNaN(time) || !isCalendarTime(occurred)))
    problems.push({ field: at('occurredAt'), problem: 'is not a real date-time' });
  if (problems.length > before || quantity === null) return null;
  return { identifier, contractId, productCode, quantity, occurredAt: new Date(time).toISOString() };
}

/** Checks every row; a single bad row refuses the whole request. Repeated identifiers keep their first row. */
export function parseUsage(body: unknown): { rows: UsageRow[]; repeated: number } {
  const raw = rowsOf(body);
  if (raw.length === 0) refuse([{ field: 'rows', problem: 'must hold at least one usage row' }]);
  if (raw.length > MAX_USAGE_ROWS)
    refuse([
      { field: 'rows', problem: `must hold at most ${String(MAX_USAGE_ROWS)} rows; split the upload` },
    ]);
  const problems: RowProblem[] = [];
  const rows: UsageRow[] = [];
  const seen = new Map<string, UsageRow>();
  let repeated = 0;
  raw.forEach((r, i) => {
    const row = checkRow(r, i, problems);
    if (!row) return;
    const first = seen.get(row.identifier);
    if (!first) {
      seen.set(row.identifier, row);
      rows.push(row);
      return;
    }
    repeated += 1;
    if (JSON.stringify(first) !== JSON.stringify(row))
      problems.push({
        field: `rows[${String(i)}].identifier`,
        problem: `repeats ${row.identifier} with other values`,
      });
  });
  if (problems.length > 0) refuse(problems);
  return { rows, repeated };
}
