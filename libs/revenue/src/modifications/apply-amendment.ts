import type { ModificationFacts, ModificationTreatment, AmendmentType } from '@revline/canonical';
import type { EngineState } from '../core/model';
import type { ResolvedPolicy } from '../core/policy';
import { checkAmendment, type RevenueAmendment } from './amendment-input';
import {
  applyCumulativeCatchUp,
  applyProspective,
  applySeparateContract,
  postAmendmentBilling,
} from './apply-treatment';
import { decideTreatment, type TreatmentDecision } from './classify';
import { applyRenewal } from './renewal';

/** What an amendment did to revenue, and why. Amounts are minor units as strings. */
export interface ModificationRecord {
  readonly amendmentId: string;
  readonly amendmentType: AmendmentType;
  readonly effectiveDate: string;
  readonly treatment: ModificationTreatment;
  readonly citation: TreatmentDecision['citation'];
  readonly reason: string;
  readonly decidedBy: TreatmentDecision['decidedBy'];
  readonly facts: ModificationFacts;
  /** Change in consideration (negative for reductions and cancellations). */
  readonly considerationMinor: string;
  /** Credit owed to the customer (the negative part of the change), 0 otherwise. */
  readonly creditMinor: string;
  /** Revenue adjustment booked on the effective date (cumulative catch-up only). */
  readonly catchUpMinor: string;
}

/** Applies one amendment to the engine state and returns its record. */
export function applyAmendment(
  state: EngineState,
  am: RevenueAmendment,
  field: string,
  policy: ResolvedPolicy,
): ModificationRecord {
  if (am.amendmentType === 'renewal') {
    const r = applyRenewal(state, am, field, policy);
    state.transactionPriceMinor += r.considerationMinor;
    return {
      amendmentId: am.amendmentId,
      amendmentType: am.amendmentType,
      effectiveDate: am.effectiveDate,
      treatment: 'separate_contract',
      citation: 'ASC 606-10-25-12',
      reason: `ASC 606-10-25-12: the renewal adds distinct services for a new term at the renewal price (uplift ${am.renewal?.upliftRate ?? '0'}), a separate contract`,
      decidedBy: 'facts',
      facts: r.facts,
      considerationMinor: r.considerationMinor.toString(),
      creditMinor: '0',
      catchUpMinor: '0',
    };
  }
  const checked = checkAmendment(state, am, field, policy);
  const decision = decideTreatment(
    checked.facts,
    { treatment: am.modificationTreatment, reason: am.modificationReason },
    policy.treatmentOverrides[am.amendmentId],
  );
  let catchUp = 0n;
  switch (decision.treatment) {
    case 'separate_contract':
      applySeparateContract(state, checked, am, field, policy);
      break;
    case 'prospective':
      applyProspective(state, checked, am, policy);
      break;
    case 'cumulative_catch_up':
      catchUp = applyCumulativeCatchUp(state, checked);
      break;
  }
  postAmendmentBilling(state, checked);
  state.transactionPriceMinor += checked.considerationMinor;
  return {
    amendmentId: am.amendmentId,
    amendmentType: am.amendmentType,
    effectiveDate: am.effectiveDate,
    treatment: decision.treatment,
    citation: decision.citation,
    reason: decision.reason,
    decidedBy: decision.decidedBy,
    facts: checked.facts,
    considerationMinor: checked.considerationMinor.toString(),
    creditMinor: (checked.considerationMinor < 0n ? -checked.considerationMinor : 0n).toString(),
    catchUpMinor: catchUp.toString(),
  };
}
