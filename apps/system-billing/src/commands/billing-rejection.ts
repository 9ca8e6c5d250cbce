import type { BillingRejectedPayload, BusinessError, Envelope } from '@revline/messaging';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * A business refusal of a billing command as the `billing.rejected` that answers it: Stripe's own code, type,
 * message and status when Stripe refused (the gateway keeps them in the error's details), or Revline's category
 * and message when the command could not be sent as it was (a bad quantity, a deleted customer).
 */
export function toBillingRejection(envelope: Envelope, error: BusinessError): BillingRejectedPayload {
  const d = error.details;
  const status = typeof d.httpStatus === 'number' ? d.httpStatus : undefined;
  const field = text(d.param);
  const payload = envelope.payload as { contractId?: unknown };
  const contractId = text(payload.contractId);
  return {
    commandIdempotencyKey: envelope.idempotencyKey,
    command: envelope.job,
    errorCode: text(d.code) ?? text(d.stripeType) ?? error.category,
    errorType: text(d.stripeType) ?? 'revline',
    message: text(d.vendorMessage) ?? error.message,
    ...(status !== undefined ? { httpStatus: status } : {}),
    ...(field ? { field } : {}),
    ...(contractId ? { contractId } : {}),
  };
}
