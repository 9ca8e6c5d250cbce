/** Why the ERP refused a write, in Revline's categories; retrying will not help until something changes. */
export type ErpRejectionCategory =
  'closed_period' | 'validation' | 'not_found' | 'duplicate' | 'authentication';

/** The ERP refused the request. The vendor's own error code is kept for the operator and the audit trail. */
export class ErpRejectedError extends Error {
  constructor(
    readonly category: ErpRejectionCategory,
    readonly vendorCode: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ErpRejectedError';
  }
}

/** The ERP could not be reached or asked us to wait (network, timeout, 429, 5xx, open circuit): retry later. */
export class ErpUnavailableError extends Error {
  constructor(
    message: string,
    readonly vendorCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ErpUnavailableError';
  }
}
