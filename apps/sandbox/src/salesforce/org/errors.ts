/** One entry of Salesforce's REST error array. */
export interface SalesforceErrorItem {
  errorCode: string;
  message: string;
  fields?: string[];
}

/** An error Salesforce answers with an HTTP status and an array of `{errorCode, message, fields}`. */
export class SalesforceApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: SalesforceErrorItem[],
  ) {
    super(errors.map((e) => `${e.errorCode}: ${e.message}`).join('; '));
    this.name = 'SalesforceApiError';
  }

  static of(status: number, errorCode: string, message: string, fields?: string[]): SalesforceApiError {
    return new SalesforceApiError(status, [{ errorCode, message, ...(fields ? { fields } : {}) }]);
  }
}

export const invalidSession = (): SalesforceApiError =>
  SalesforceApiError.of(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

export const notFound = (message = 'The requested resource does not exist'): SalesforceApiError =>
  SalesforceApiError.of(404, 'NOT_FOUND', message);

export const badRequest = (errorCode: string, message: string, fields: string[] = []): SalesforceApiError =>
  SalesforceApiError.of(400, errorCode, message, fields);
