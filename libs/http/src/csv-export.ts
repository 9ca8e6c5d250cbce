import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export type ExportFormat = 'ndjson' | 'csv';

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

/** One CSV cell (RFC 4180): empty for null, quoted when it holds a quote, a comma or a line break. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A record as one CSV row of the given columns, with its line break. */
export function csvRow<K extends string>(
  columns: readonly K[],
  record: Readonly<Record<K, string | number | boolean | null>>,
): string {
  return `${columns.map((c) => csvCell(record[c])).join(',')}\n`;
}
