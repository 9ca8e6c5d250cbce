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

/**
 * A failure of the connection to a vendor, not of the work: bad credentials, the vendor down, its circuit open.
 * Every job on that connection would fail alike, so it is one alert for the connection (health, a metric, one
 * exception) rather than one per job; the jobs wait, without spending their attempts, and resume when it is back.
 */
export class ConnectionError extends TransientError {
  constructor(
    /** The connection's name: `stripe`, `netsuite`, `salesforce`. */
    readonly connection: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

export function isBusinessError(error: unknown): error is BusinessError {
  return error instanceof BusinessError;
}

export function isConnectionError(error: unknown): error is ConnectionError {
  return error instanceof ConnectionError;
}
