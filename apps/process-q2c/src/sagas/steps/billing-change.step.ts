import { Injectable } from '@nestjs/common';
import { firstCycleDateOn } from '@revline/revenue';
import type { EntityManager } from 'typeorm';
import {
  billingItems,
  expectedCharge,
  expectedProration,
  expectedStubCharge,
  rampSteps,
} from '../billing-plan';
import { linesInForce } from '../contract-lines';
import { billingCustomer } from '../customer-plan';
import { sagaKey } from '../erp-plan';
import { SagaCommands } from '../saga-commands';
import { retriesOf, retryKey } from '../saga-retries';
import type { SagaEntity } from '../saga.entity';
import { SagaPredecessors } from './predecessors';
import type { LazySagaContext } from './saga-step';
import { SagaStepHandler } from './saga-step';
import { rampStepsDue } from '../ramp-step-schedule';

/**
 * The contract change on the billing platform's subscription: created by a booking, amended, renewed or cancelled
 * by an amendment (once the sagas before it completed), with what the engine expects it to charge or credit.
 */
@Injectable()
export class BillingChangeStep extends SagaStepHandler {
  constructor(
    private readonly commands: SagaCommands,
    private readonly predecessors: SagaPredecessors,
  ) {
    super();
  }

  async run(manager: EntityManager, saga: SagaEntity, context: LazySagaContext): Promise<boolean> {
    const ctx = await context();
    if (ctx.amendment && !(await this.predecessors.done(manager, saga))) return false;
    const { booking } = ctx.history;
    const am = ctx.amendment;
    const lines = linesInForce(ctx.history, am ? [...ctx.before, am] : []);
    const credit = am?.amendmentType === 'reduction' || am?.amendmentType === 'cancellation';
    if (am && !credit) {
      const expected = expectedCharge(ctx.history, ctx.before, am, ctx.catalogue);
      saga.data.expectedProrationMinor = expected.reduce((s, l) => s + l.amountMinor, 0n).toString();
      if (am.amendmentType === 'renewal') saga.data.awaitingRenewalFrom = am.effectiveDate;
    }
    if (am && credit) {
      const expected = expectedProration(ctx.history, ctx.before, am, ctx.catalogue);
      saga.data.awaitingCreditMinor = (-expected.reduce((s, l) => s + l.amountMinor, 0n)).toString();
    }
    const stub = am ? undefined : expectedStubCharge(booking, ctx.catalogue);
    if (stub) saga.data.expectedProrationMinor = stub.reduce((s, l) => s + l.amountMinor, 0n).toString();
    const ramps = am ? [] : rampSteps(booking, ctx.catalogue);
    if (!am) saga.data.rampStepsDue = rampStepsDue(booking).length;
    const changeKind = !am
      ? 'create'
      : am.amendmentType === 'cancellation'
        ? 'cancel'
        : am.amendmentType === 'renewal'
          ? 'renew'
          : 'amend';
    await this.commands.send(
      manager,
      saga,
      'billing.apply-contract-change',
      {
        contractId: saga.contractId,
        changeKind,
        customer: billingCustomer(saga.data, booking.customer),
        currency: booking.currency,
        effectiveDate: am?.effectiveDate ?? booking.termStart,
        items: billingItems(lines, ctx.catalogue),
        prorationBehavior: credit ? 'none' : 'always_invoice',
        ...(stub ? { firstCycleDate: firstCycleDateOn(booking.termStart, booking.billCycleDay) } : {}),
        ...(ramps.length > 0 ? { rampSteps: ramps } : {}),
      },
      {
        key: retryKey(sagaKey(saga.eventId, 'billing'), retriesOf(saga, 'billing_change')),
        detail: `${changeKind} subscription`,
      },
    );
    return true;
  }
}
