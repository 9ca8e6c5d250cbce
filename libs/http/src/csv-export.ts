import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export type ExportFormat = 'ndjson' | 'csv';

/** The value of one CSV cell; null is an empty cell. */
export type CsvValue = string | number | boolean | null;

/**
 * How a CSV export is written. `excel` (the default, for people): a UTF-8 byte order mark, CRLF line ends, cells
 * that a spreadsheet would run as a formula made inert (OWASP CSV injection: a leading `'`), and months (YYYY-MM)
 * written as `="2026-03"` so Excel keeps them text instead of turning them into dates. `rfc4180` (for programs, asked
 * with the request header `CSV-Dialect: rfc4180`): the values as they are, LF line ends, no byte order mark.
 */
export type CsvDialect = 'excel' | 'rfc4180';

/** The request header that asks an export for the plain RFC 4180 dialect. */
export const CSV_DIALECT_HEADER = 'csv-dialect';

/** The UTF-8 byte order mark an Excel-safe CSV starts with (Excel reads the file as UTF-8 only with it). */
export const CSV_BOM = '\uFEFF';

/** The `format` query parameter of a bulk export: NDJSON (the default) or CSV with a header row. */
export const ExportFormatProperty = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ enum: ['ndjson', 'csv'], example: 'csv', description }),
    IsOptional(),
    IsIn(['ndjson', 'csv'], { message: 'format must be ndjson or csv' }),
  );

/** Whether a route that answers JSON or CSV is asked for CSV: `format=csv`, or no format and `Accept: text/csv`. */
export function asksForCsv(request: { query: unknown; headers: { accept?: string } }): boolean {
  const format = (request.query as { format?: unknown } | undefined)?.format;
  return format === 'csv' || (format === undefined && (request.headers.accept ?? '').includes('text/csv'));
}

/** The dialect a request asks for: rfc4180 with `CSV-Dialect: rfc4180`, otherwise excel. */
export function csvDialectOf(headers: Readonly<Record<string, string | string[] | undefined>>): CsvDialect {
  const asked = headers[CSV_DIALECT_HEADER];
  return typeof asked === 'string' && asked.trim().toLowerCase() === 'rfc4180' ? 'rfc4180' : 'excel';
}

/** One CSV cell as RFC 4180 writes it: empty for null, quoted when it holds a quote, a comma or a line break. */
export function rfc4180Cell(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A cell a spreadsheet would evaluate: it starts with = + - @, a tab or a CR, and is not a plain number. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** One Excel-safe CSV cell: a formula made inert with a leading `'`, a month kept text, then quoted as RFC 4180. */
export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  if (MONTH.test(text)) return `"=""${text}"""`;
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return rfc4180Cell(text);
}

/** Writes the rows of one CSV export in one dialect. */
export interface CsvWriter {
  /** The header row, first in the file (after the byte order mark in the excel dialect). */
  header(columns: readonly string[]): string;
  /** One row of cells, with its line end. */
  line(values: readonly CsvValue[]): string;
  /** A record as one row of the given columns, with its line end. */
  row<K extends string>(columns: readonly K[], record: Readonly<Record<K, CsvValue>>): string;
}

function writer(cell: (value: CsvValue) => string, eol: string, bom: string): CsvWriter {
  const line = (values: readonly CsvValue[]): string => `${values.map(cell).join(',')}${eol}`;
  return {
    header: (columns) => `${bom}${columns.map(rfc4180Cell).join(',')}${eol}`,
    line,
    row: (columns, record) => line(columns.map((c) => record[c])),
  };
}

const WRITERS: Readonly<Record<CsvDialect, CsvWriter>> = {
  excel: writer(csvCell, '\r\n', CSV_BOM),
  rfc4180: writer(rfc4180Cell, '\n', ''),
};

/** The writer of a dialect (every CSV export writes through one). */
export function csvWriter(dialect: CsvDialect = 'excel'): CsvWriter {
  return WRITERS[dialect];
}
