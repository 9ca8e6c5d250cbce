/**
 * A failure that retrying cannot fix: bad data, an unmapped product, a closed period. It is never retried
 * blindly; it becomes an exception with a category for an operator, and the work parks.
 */
export class BusinessError extends Error {
  constructor(
    readonly category: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BusinessError';
  }
}

/** A failure expected to pass: network, timeout, 429, 5xx, a lost lock. Retried with backoff. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

export function isBusinessError(error: unknown): error is BusinessError {
  return error instanceof BusinessError;
}
