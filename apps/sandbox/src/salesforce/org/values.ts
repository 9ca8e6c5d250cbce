import { badRequest } from './errors';
import { normaliseId } from './ids';
import type { FieldDef } from './schema';

export type FieldValue = string | number | boolean | null;
export type RecordValues = Record<string, FieldValue>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isValidDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function deserialiseError(field: FieldDef, value: unknown, javaType: string): never {
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  throw badRequest(
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${javaType} from ${shown} for field ${field.name}`,
    [field.name],
  );
}

/** A Number(precision, scale) field holds precision − scale digits before the point; the API keeps extra decimals. */
function checkRange(field: FieldDef, n: number): void {
  if (field.precision === undefined) return;
  if (Math.abs(n) < 10 ** (field.precision - (field.scale ?? 0))) return;
  throw badRequest(
    'NUMBER_OUTSIDE_VALID_RANGE',
    `${field.label}: value outside of valid range on numeric field: ${String(n)}`,
    [field.name],
  );
}

/** Converts a JSON value from a request into the stored form of the field, answering Salesforce's errors. */
export function coerceValue(field: FieldDef, value: unknown): FieldValue {
  if (value === null) return null;
  switch (field.type) {
    case 'id':
    case 'reference': {
      if (typeof value !== 'string') return deserialiseError(field, value, 'reference');
      if (value === '') return null;
      const id = normaliseId(value);
      if (!id)
        throw badRequest('MALFORMED_ID', `${field.label}: id value of incorrect type: ${value}`, [
          field.name,
        ]);
      return id;
    }
    case 'string':
    case 'textarea':
    case 'url':
    case 'picklist': {
      if (typeof value !== 'string') return deserialiseError(field, value, 'string');
      if (field.length !== undefined && value.length > field.length) {
        throw badRequest(
          'STRING_TOO_LONG',
          `${field.label}: data value too large: ${value.slice(0, 40)} (max length=${String(field.length)})`,
          [field.name],
        );
      }
      if (field.type === 'picklist' && field.picklist && value !== '' && !field.picklist.includes(value)) {
        throw badRequest(
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${field.label}: bad value for restricted picklist field: ${value}`,
          [field.name],
        );
      }
      return value === '' ? null : value;
    }
    case 'double':
    case 'currency':
    case 'int': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return deserialiseError(field, value, 'double');
      if (field.type === 'int' && !Number.isInteger(n)) return deserialiseError(field, value, 'int');
      checkRange(field, n);
      return field.type === 'currency' ? Math.round(n * 100) / 100 : n;
    }
    case 'date':
      if (typeof value !== 'string' || !isValidDate(value)) return deserialiseError(field, value, 'date');
      return value;
    case 'datetime': {
      if (typeof value !== 'string') return deserialiseError(field, value, 'datetime');
      const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      if (Number.isNaN(date.getTime())) return deserialiseError(field, value, 'datetime');
      return date.toISOString();
    }
    case 'boolean':
      if (typeof value !== 'boolean') return deserialiseError(field, value, 'boolean');
      return value;
  }
}

/** Adds months to an ISO date and subtracts a day: a contract's inclusive end date. */
export function contractEndDate(startDate: string, termMonths: number): string {
  const [y, m, d] = startDate.split('-').map(Number) as [number, number, number];
  const end = new Date(Date.UTC(y, m - 1 + termMonths, d));
  end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}
