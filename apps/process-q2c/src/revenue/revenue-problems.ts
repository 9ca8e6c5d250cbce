import type { ValidationIssue } from '@revline/canonical';
import { DomainError } from '@revline/http';
import { RevenueInputError } from '@revline/revenue';

/** An entry of a problem+json `errors` list: the field path in the request body and what is wrong. */
export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

const BODY = '(body)';

function summary(errors: readonly FieldProblem[]): string {
  const first = errors.at(0);
  const more = errors.length > 1 ? ` (and ${String(errors.length - 1)} more)` : '';
  return first === undefined ? 'Invalid request' : `Invalid request: ${first.field}: ${first.problem}${more}`;
}

/** 400 problem+json whose `errors` list each field and its problem. */
export function badRequest(errors: FieldProblem[]): DomainError {
  return new DomainError(400, summary(errors), errors);
}

/** 400 problem+json listing every schema issue of a request body, each with its field path. */
export function invalidBody(issues: readonly ValidationIssue[]): DomainError {
  return badRequest(issues.map((i) => ({ field: i.field === '' ? BODY : i.field, problem: i.message })));
}

/**
 * Runs an engine computation and turns its RevenueInputError into a 400 naming the field, the engine's
 * path placed under `prefix` ("change" → "change.periodEnd"). Other errors pass through (a 500: a bug).
 */
export function withFieldProblems<T>(compute: () => T, prefix = ''): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof RevenueInputError) {
      const field = prefix === '' ? error.field : `${prefix}.${error.field}`;
      throw badRequest([{ field, problem: error.problem }]);
    }
    throw error;
  }
}
