import { BusinessError } from '@revline/messaging';

/** Why an order cannot move, in the categories the exceptions workbench filters on. */
export const PROBLEM_CATEGORIES = [
  'schema_violation',
  'unmapped_product',
  'customer_mismatch',
  'unknown_contract',
  'invalid_dates',
  'currency_mismatch',
] as const;

export type ProblemCategory = (typeof PROBLEM_CATEGORIES)[number];

export interface OrderProblem {
  readonly category: ProblemCategory;
  /** The canonical field (and, where it helps, the Salesforce field it was read from). */
  readonly field: string;
  /** Plain language, for a finance operator. */
  readonly reason: string;
}

export function problem(category: ProblemCategory, field: string, reason: string): OrderProblem {
  return { category, field, reason };
}

/** One business exception for a list of problems: the first problem's category, every reason in the message. */
export function businessErrorOf(
  problems: readonly OrderProblem[],
  details: Record<string, unknown> = {},
): BusinessError {
  const first = problems.at(0);
  if (!first) throw new Error('businessErrorOf needs at least one problem');
  const more = problems.length > 1 ? ` (and ${String(problems.length - 1)} more problem(s))` : '';
  return new BusinessError(first.category, `${first.reason}${more}`, {
    ...details,
    problems: problems.map((p) => ({ ...p })),
  });
}

/** Thrown by the pure normalisation steps; the handler turns it into a BusinessError. */
export class OrderRejected extends Error {
  constructor(readonly problems: readonly OrderProblem[]) {
    super(problems.map((p) => `${p.category}: ${p.reason}`).join('; '));
    this.name = 'OrderRejected';
  }
}
