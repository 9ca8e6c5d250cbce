import { Injectable } from '@nestjs/common';
import { ACCOUNTING_PERIOD, ACCOUNTING_PERIOD_PROBLEM } from '@revline/finance-api';
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
    if (period !== undefined && !ACCOUNTING_PERIOD.test(period))
      throw new BusinessError('schema_violation', `period ${ACCOUNTING_PERIOD_PROBLEM}, was "${period}"`, {
        period,
      });
    return this.runner.run({ scope, ...(period !== undefined ? { period } : {}), trigger: 'schedule' });
  }
}
