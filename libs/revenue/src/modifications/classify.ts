import type { ModificationFacts, ModificationTreatment } from '@revline/canonical';

export interface TreatmentDecision {
  readonly treatment: ModificationTreatment;
  readonly citation: 'ASC 606-10-25-12' | 'ASC 606-10-25-13(a)' | 'ASC 606-10-25-13(b)';
  readonly reason: string;
  /** Where the decision came from: the facts, the amendment itself, or a tenant policy override. */
  readonly decidedBy: 'facts' | 'amendment' | 'policy';
}

const CITATION: Record<ModificationTreatment, TreatmentDecision['citation']> = {
  separate_contract: 'ASC 606-10-25-12',
  prospective: 'ASC 606-10-25-13(a)',
  cumulative_catch_up: 'ASC 606-10-25-13(b)',
};

/** The ASC 606 decision from the facts. */
export function decideFromFacts(facts: ModificationFacts): TreatmentDecision {
  if (facts.distinctGoodsAdded && facts.pricedAtSsp) {
    return {
      treatment: 'separate_contract',
      citation: CITATION.separate_contract,
      reason:
        'ASC 606-10-25-12: the modification adds distinct goods or services priced at their standalone selling price, so it is a separate contract; the existing schedule is unchanged',
      decidedBy: 'facts',
    };
  }
  if (facts.remainingGoodsDistinct) {
    return {
      treatment: 'prospective',
      citation: CITATION.prospective,
      reason: `ASC 606-10-25-13(a): ${
        facts.distinctGoodsAdded
          ? 'the added goods are not priced at their standalone selling price'
          : 'no distinct goods are added at their standalone selling price'
      } and the remaining goods are distinct from those transferred, so the unrecognised consideration plus the change is reallocated prospectively over the remaining obligations`,
      decidedBy: 'facts',
    };
  }
  return {
    treatment: 'cumulative_catch_up',
    citation: CITATION.cumulative_catch_up,
    reason:
      'ASC 606-10-25-13(b): the remaining goods are not distinct from those already transferred (part of a single, partially satisfied performance obligation), so revenue is adjusted by a cumulative catch-up at the modification date',
    decidedBy: 'facts',
  };
}

/** Applies precedence: tenant policy override, then a treatment set upstream, then the facts. */
export function decideTreatment(
  facts: ModificationFacts,
  upstream: { treatment?: ModificationTreatment; reason?: string },
  policyOverride: ModificationTreatment | undefined,
): TreatmentDecision {
  const fromFacts = decideFromFacts(facts);
  if (policyOverride !== undefined) {
    return {
      treatment: policyOverride,
      citation: CITATION[policyOverride],
      reason: `Tenant policy override to ${policyOverride} (${CITATION[policyOverride]}); the facts alone point to ${fromFacts.treatment}`,
      decidedBy: 'policy',
    };
  }
  if (upstream.treatment !== undefined) {
    return {
      treatment: upstream.treatment,
      citation: CITATION[upstream.treatment],
      reason:
        upstream.reason ??
        `Set on the amendment (${CITATION[upstream.treatment]}); the facts alone point to ${fromFacts.treatment}`,
      decidedBy: 'amendment',
    };
  }
  return fromFacts;
}
