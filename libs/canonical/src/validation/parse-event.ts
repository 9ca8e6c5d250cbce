import type { z } from 'zod';
import {
  EVENT_SCHEMAS,
  isCanonicalEventType,
  type CanonicalEvent,
  type CanonicalEventOf,
  type CanonicalEventType,
} from '../schemas/events';
import { upcast, UpcastError, type RawEvent } from '../versioning/upcasters';

/** One problem with an input, with the path of the field ("lines[0].netAmount.currency"). */
export interface ValidationIssue {
  readonly field: string;
  readonly message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export class CanonicalValidationError extends Error {
  override readonly name = 'CanonicalValidationError';
  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((i) => `${i.field || '(root)'}: ${i.message}`).join('; '));
  }
}

/** "lines[0].netAmount" from ['lines', 0, 'netAmount']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') {
      out += `[${String(part)}]`;
    } else {
      const name = typeof part === 'symbol' ? part.toString() : part;
      out += out === '' ? name : `.${name}`;
    }
  }
  return out;
}

export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => {
    const field = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return {
        field: formatPath([...issue.path, ...(issue.keys.length === 1 ? issue.keys : [])]),
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`,
      };
    }
    return { field, message: issue.message };
  });
}

/** Validates any value against a schema and returns field-path issues instead of throwing. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.infer<S>> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: issuesOf(result.error) };
}

function isRecord(value: unknown): value is RawEvent {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a canonical event of any 1.x version: checks its type, upcasts it to the current version
 * and validates it. Returns the typed event or the list of problems.
 */
export function parseEvent(input: unknown): ParseResult<CanonicalEvent> {
  if (!isRecord(input)) {
    return { ok: false, issues: [{ field: '', message: 'an event must be a JSON object' }] };
  }
  const type = input['eventType'];
  if (!isCanonicalEventType(type)) {
    return {
      ok: false,
      issues: [
        {
          field: 'eventType',
          message: `unknown event type ${type === undefined ? '(missing)' : JSON.stringify(type)}`,
        },
      ],
    };
  }
  return parseEventOf(type, input);
}

/** As parseEvent, for an expected event type. */
export function parseEventOf<T extends CanonicalEventType>(
  type: T,
  input: unknown,
): ParseResult<CanonicalEventOf<T>> {
  if (!isRecord(input)) {
    return { ok: false, issues: [{ field: '', message: 'an event must be a JSON object' }] };
  }
  if (input['eventType'] !== type) {
    return { ok: false, issues: [{ field: 'eventType', message: `expected ${type}` }] };
  }
  let upgraded: RawEvent;
  try {
    upgraded = upcast(type, input);
  } catch (error) {
    if (error instanceof UpcastError) {
      return { ok: false, issues: [{ field: error.field, message: error.message }] };
    }
    throw error;
  }
  const schema: z.ZodType = EVENT_SCHEMAS[type];
  return validate(schema, upgraded) as ParseResult<CanonicalEventOf<T>>;
}

/** parseEvent that throws CanonicalValidationError, for code paths that cannot continue. */
export function assertEvent(input: unknown): CanonicalEvent {
  const result = parseEvent(input);
  if (!result.ok) {
    throw new CanonicalValidationError(result.issues);
  }
  return result.value;
}
