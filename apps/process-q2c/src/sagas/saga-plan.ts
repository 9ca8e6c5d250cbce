import type { AmendmentType } from '@revline/canonical';

/** The steps of a saga, in order. Each step emits its commands, then waits for their confirmations. */
export type SagaStep =
  | 'erp_customer'
  | 'billing_change'
  | 'await_invoice'
  | 'await_phase_invoice'
  | 'billing_credit'
  | 'await_credit_note'
  | 'erp_document'
  | 'revenue'
  | 'write_back'
  | 'done';

export type SagaKind = 'booking' | AmendmentType;

const BOOKING: readonly SagaStep[] = [
  'erp_customer',
  'billing_change',
  'await_invoice',
  'erp_document',
  'revenue',
  'write_back',
  'done',
];
const CHARGE: readonly SagaStep[] = [
  'billing_change',
  'await_invoice',
  'erp_document',
  'revenue',
  'write_back',
  'done',
];
/** A ramp step: the billing platform already holds it as a schedule phase and invoices it on its own. */
const RAMP: readonly SagaStep[] = ['await_phase_invoice', 'erp_document', 'revenue', 'write_back', 'done'];
const CREDIT: readonly SagaStep[] = [
  'billing_change',
  'billing_credit',
  'await_credit_note',
  'erp_document',
  'revenue',
  'write_back',
  'done',
];

/**
 * New bookings create the customer in the ERP first; charges (expansion, price change, renewal) are invoiced by the
 * billing platform with proration; a ramp step, sent to the billing platform with the booking as a schedule phase,
 * waits for the invoice the platform raises for the phase (a proration mid-period, or the new period's); reductions and cancellations change the subscription without
 * proration and credit the remaining value as a credit note, which the ERP books as a credit memo.
 */
export function stepsOf(kind: SagaKind): readonly SagaStep[] {
  switch (kind) {
    case 'booking':
      return BOOKING;
    case 'reduction':
    case 'cancellation':
      return CREDIT;
    case 'expansion':
    case 'price_change':
    case 'renewal':
      return CHARGE;
    case 'ramp_step':
      return RAMP;
  }
}

export function nextStep(kind: SagaKind, step: SagaStep): SagaStep {
  const steps = stepsOf(kind);
  return steps[steps.indexOf(step) + 1] ?? 'done';
}
