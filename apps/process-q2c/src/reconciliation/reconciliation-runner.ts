import { Injectable } from '@nestjs/common';
import { BusinessError } from '@revline/messaging';

export type ReconciliationScope =
  'all' | 'salesforce-billing' | 'billing-erp' | 'contract-revenue' | 'lineage';

export interface ReconciliationRequest {
  scope: ReconciliationScope;
  period?: string;
  trigger: 'schedule' | 'on_demand';
}

/**
 * PLACEHOLDER of the h-ramps branch, replaced by the reconciliation engine's runner before merging: it exists so
 * that the q2c.reconcile handler compiles and the app starts. It runs nothing and says so.
 */
@Injectable()
export class ReconciliationRunner {
  run(input: ReconciliationRequest): Promise<{ runId: string }> {
    return Promise.reject(
      new BusinessError(
        'reconciliation_unavailable',
        `Reconciliation (${input.scope}${input.period ? `, ${input.period}` : ''}) is not available in this build`,
        { scope: input.scope, trigger: input.trigger },
      ),
    );
  }
}
