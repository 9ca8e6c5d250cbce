import type { CrmRejectedPayload, Envelope } from '@revline/messaging';
import { ConnectionError, isBusinessError } from '@revline/messaging';

/** Salesforce's answers that refuse the connection (the user, the token, the org), not one record. */
const CONNECTION_CODES = new Set([
  'invalid_grant',
  'invalid_client',
  'invalid_client_id',
  'INVALID_SESSION_ID',
  'INVALID_AUTH_HEADER',
  'INVALID_LOGIN',
  'LOGIN_MUST_USE_SECURITY_TOKEN',
  'API_DISABLED_FOR_ORG',
  'INSUFFICIENT_ACCESS',
  'ERROR_HTTP_401',
  'ERROR_HTTP_403',
]);
const TRANSIENT_CODES = new Set(['SERVER_UNAVAILABLE', 'REQUEST_LIMIT_EXCEEDED', 'UNABLE_TO_LOCK_ROW']);

/** A lock, a limit, a 5xx or 429, a network error of Node (`EPIPE`), or no code at all: worth retrying. */
const isTransient = (code: string | undefined): boolean =>
  code === undefined ||
  !/^[A-Z][A-Z0-9_]+$/.test(code) ||
  TRANSIENT_CODES.has(code) ||
  /^ERROR_HTTP_(5\d\d|429)$/.test(code) ||
  /^E[A-Z]+$/.test(code);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN']);

const codeOf = (error: unknown): string | undefined => {
  const e = error as { errorCode?: unknown; code?: unknown; name?: unknown };
  const code = e.errorCode ?? e.code ?? e.name;
  return typeof code === 'string' && code !== '' ? code : undefined;
};

export type WriteBackFailure =
  | { kind: 'refused'; errorCode: string; message: string; field?: string }
  | { kind: 'connection'; error: ConnectionError }
  | { kind: 'transient' };

/**
 * What a failed write-back means. Refused: Salesforce refused this record (a validation rule, a field it does not
 * know, a record gone: its 4xx with an error code), or the command cannot be written as it is — retrying the same
 * write cannot help. Connection: the login or the org refused us, or Salesforce cannot be reached — every write-back
 * would fail alike. Transient: anything else (a lock, a limit, a 5xx), retried with backoff.
 */
export function classifyWriteBackFailure(error: unknown): WriteBackFailure {
  if (isBusinessError(error)) {
    const details = error.details as { errorCode?: unknown; fields?: unknown };
    const fields = Array.isArray(details.fields) ? (details.fields as unknown[]) : [];
    const field = typeof fields[0] === 'string' ? fields[0] : undefined;
    return {
      kind: 'refused',
      errorCode: typeof details.errorCode === 'string' ? details.errorCode : error.category,
      message: error.message,
      ...(field ? { field } : {}),
    };
  }
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code && (CONNECTION_CODES.has(code) || NETWORK_CODES.has(code)))
    return {
      kind: 'connection',
      error: new ConnectionError('salesforce', `Salesforce connection failed (${code}): ${message}`, {
        cause: error,
      }),
    };
  if (code === undefined || isTransient(code)) return { kind: 'transient' };
  return { kind: 'refused', errorCode: code, message };
}

export function toCrmRejection(
  envelope: Envelope<'crm.write-back'>,
  refused: Extract<WriteBackFailure, { kind: 'refused' }>,
): CrmRejectedPayload {
  return {
    commandIdempotencyKey: envelope.idempotencyKey,
    command: envelope.job,
    objectType: envelope.payload.objectType,
    recordId: envelope.payload.recordId,
    errorCode: refused.errorCode,
    message: refused.message,
    ...(refused.field ? { field: refused.field } : {}),
  };
}
