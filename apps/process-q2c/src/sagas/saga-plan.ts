import type { AmendmentType } from '@revline/canonical';

/** The steps of a saga, in order. Each step emits its commands, then waits for their confirmations. */
export type SagaStep =
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
 * A new booking is invoiced as a charge is, its ERP customer riding on the invoice (see withCustomer); charges (expansion, price change, renewal) are invoiced by the
 * billing platform with proration; a ramp step, sent to the billing platform with the booking as a schedule phase,
 * waits for the invoice the platform raises for the phase (a proration mid-period, or the new period's); reductions and cancellations change the subscription without
 * proration and credit the remaining value as a credit note, which the ERP books as a credit memo.
 */
export function stepsOf(kind: SagaKind): readonly SagaStep[] {
  switch (kind) {
    case 'reduction':
    case 'cancellation':
      return CREDIT;
    case 'booking':
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
