/**
 * NetSuite's REST error shape (RFC 9457 problem details with NetSuite's `o:errorDetails`), as SuiteTalk REST
 * answers it: `{"type", "title", "status", "o:errorDetails": [{"detail", "o:errorCode", "o:errorPath"?}]}`.
 */
export interface NetSuiteErrorBody {
  type: string;
  title: string;
  status: number;
  'o:errorDetails': Array<{ detail: string; 'o:errorCode': string; 'o:errorPath'?: string }>;
}

const TYPES: Partial<Record<number, { type: string; title: string }>> = {
  400: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1', title: 'Bad Request' },
  401: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2', title: 'Unauthorized' },
  404: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5', title: 'Not Found' },
  405: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6', title: 'Method Not Allowed' },
  429: { type: 'https://www.rfc-editor.org/rfc/rfc6585.html#section-4', title: 'Too Many Requests' },
  500: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1', title: 'Internal Server Error' },
  503: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4', title: 'Service Unavailable' },
};

/** One more entry of a refusal's `o:errorDetails` (one response can carry several). */
export interface FurtherDetail {
  detail: string;
  code: string;
  path?: string | undefined;
}

/**
 * A NetSuite error: the HTTP status, NetSuite's error code and its detail (and the field, when about one), and any
 * further details found in the same request, each its own `o:errorDetails` entry.
 */
export class NetSuiteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly path?: string,
    readonly further: readonly FurtherDetail[] = [],
  ) {
    super(detail);
    this.name = 'NetSuiteError';
  }

  toBody(): NetSuiteErrorBody {
    const kind = TYPES[this.status] ?? { type: 'about:blank', title: 'Error' };
    return {
      type: kind.type,
      title: kind.title,
      status: this.status,
      'o:errorDetails': [{ detail: this.message, code: this.code, path: this.path }, ...this.further].map(
        (d) => ({
          detail: d.detail,
          'o:errorCode': d.code,
          ...(d.path ? { 'o:errorPath': d.path } : {}),
        }),
      ),
    };
  }
}

export const invalidLogin = (): NetSuiteError =>
  new NetSuiteError(
    401,
    'INVALID_LOGIN',
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
  );

export const requestLimitExceeded = (limit: number): NetSuiteError =>
  new NetSuiteError(
    429,
    'SSS_REQUEST_LIMIT_EXCEEDED',
    `Request blocked by the account's concurrency limit of ${limit}: too many requests are running at once. Retry the request later.`,
  );

export const invalidContent = (detail: string, path?: string): NetSuiteError =>
  new NetSuiteError(400, 'INVALID_CONTENT', detail, path);

export const userError = (detail: string, path?: string): NetSuiteError =>
  new NetSuiteError(400, 'USER_ERROR', detail, path);
