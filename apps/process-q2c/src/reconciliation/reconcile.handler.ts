import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import type { Envelope } from '@revline/messaging';
import { BusinessError, JobHandler } from '@revline/messaging';
import type { ReconciliationScope } from './reconciliation-runner';
import { ReconciliationRunner } from './reconciliation-runner';

const SCOPES: readonly ReconciliationScope[] = [
  'all',
  'salesforce-billing',
  'billing-erp',
  'contract-revenue',
  'lineage',
];

const isScope = (scope: string): scope is ReconciliationScope =>
  (SCOPES as readonly string[]).includes(scope);

/** `q2c.reconcile`: a scheduled reconciliation run (the nightly job scheduler, or one queued on demand). */
@Injectable()
export class ReconcileHandler {
  constructor(private readonly runner: ReconciliationRunner) {}

  @JobHandler('q2c.reconcile')
  async reconcile(envelope: Envelope<'q2c.reconcile'>): Promise<{ runId: string }> {
    const { scope, period } = envelope.payload;
    if (!isScope(scope)) {
      throw new BusinessError(
        'schema_violation',
        `scope must be one of ${SCOPES.join(', ')}; was "${scope}"`,
        { scope },
      );
    }
    // A period not of the tenant's calendar (REVENUE_FISCAL_CALENDAR) is the runner's 400: refused, not retried.
    return this.runner
      .run({ scope, ...(period !== undefined ? { period } : {}), trigger: 'schedule' })
      .catch((error: unknown) => {
        if (error instanceof DomainError && error.status === 400)
          throw new BusinessError('schema_violation', error.message, { period });
        throw error;
      });
  }
}
