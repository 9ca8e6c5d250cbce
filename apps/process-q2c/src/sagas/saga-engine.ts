import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { SagasConfig } from '../shared/sagas.config';
import { ContractHistoryReader } from './contract-history.repository';
import type { SagaContext } from './erp-plan';
import { sagaContext } from './erp-plan';
import { RampStepSchedule } from './ramp-step-schedule';
import { SAGA_STATUS } from './saga-data';
import type { SagaKind, SagaStep } from './saga-plan';
import { nextStep } from './saga-plan';
import type { SagaEntity } from './saga.entity';
import { SagasRepository } from './sagas.repository';
import { AwaitCreditNoteStep } from './steps/await-credit-note.step';
import { AwaitInvoiceStep } from './steps/await-invoice.step';
import { AwaitPhaseInvoiceStep } from './steps/await-phase-invoice.step';
import { BillingChangeStep } from './steps/billing-change.step';
import { BillingCreditStep } from './steps/billing-credit.step';
import { ErpDocumentsStep } from './steps/erp-documents.step';
import { RevenueStep } from './steps/revenue.step';
import type { SagaStepHandler } from './steps/saga-step';
import { WriteBackStep } from './steps/write-back.step';
import { SyncLatencyMetric } from './sync-latency.metric';

/**
 * Moves a saga (locked by the caller, in the caller's transaction) as far as it can go: each step's handler sends
 * its commands, or takes in what it waits for; the engine waits for a step's commands to be confirmed before the
 * next step runs, leaves the saga waiting when a step cannot run yet, and completes it after the last.
 */
@Injectable()
export class SagaEngine {
  private readonly steps: Record<Exclude<SagaStep, 'done'>, SagaStepHandler>;

  constructor(
    private readonly history: ContractHistoryReader,
    private readonly lineage: LineageRecorder,
    private readonly config: SagasConfig,
    private readonly latency: SyncLatencyMetric,
    private readonly ramps: RampStepSchedule,
    private readonly sagas: SagasRepository,
    billingChange: BillingChangeStep,
    awaitInvoice: AwaitInvoiceStep,
    awaitPhaseInvoice: AwaitPhaseInvoiceStep,
    billingCredit: BillingCreditStep,
    awaitCreditNote: AwaitCreditNoteStep,
    erpDocuments: ErpDocumentsStep,
    revenue: RevenueStep,
    writeBack: WriteBackStep,
  ) {
    this.steps = {
      billing_change: billingChange,
      await_invoice: awaitInvoice,
      await_phase_invoice: awaitPhaseInvoice,
      billing_credit: billingCredit,
      await_credit_note: awaitCreditNote,
      erp_document: erpDocuments,
      revenue,
      write_back: writeBack,
    };
  }

  async advance(manager: EntityManager, saga: SagaEntity): Promise<void> {
    if (saga.status === SAGA_STATUS.completed) return;
    // The contract's history is read only when a step asks for it: most confirmations (a journal of twelve) only
    // tick one command off a step still waiting for others, and a step waiting for a document that has not come
    // needs neither the events nor the catalogue.
    let ctx: Promise<SagaContext> | undefined;
    const context = (): Promise<SagaContext> => (ctx ??= sagaContext(this.history, manager, saga));
    for (;;) {
      if (saga.data.pending.length > 0) {
        this.wait(saga);
        return;
      }
      const step = saga.step as SagaStep;
      if (step === 'done') {
        await this.complete(manager, saga, ctx);
        return;
      }
      saga.status = SAGA_STATUS.running;
      if (!(await this.steps[step].run(manager, saga, context))) {
        this.wait(saga);
        return;
      }
      saga.step = nextStep(saga.kind as SagaKind, step);
      saga.slaDeadline = null;
    }
  }

  /** The next saga of the same contract, waiting for this one to complete. */
  async successorOf(manager: EntityManager, saga: SagaEntity): Promise<string | null> {
    return this.sagas.successor(manager, saga.contractId, saga.sagaId);
  }

  /**
   * Leaves the saga waiting, with the deadline after which the wait is an exception. A renewal awaiting the invoice
   * of its new term cannot have it before the term starts: its confirmation SLA runs from the renewal date.
   */
  private wait(saga: SagaEntity): void {
    if (saga.status !== SAGA_STATUS.parked) saga.status = SAGA_STATUS.waiting;
    const timeout = this.config.SAGA_CONFIRMATION_TIMEOUT_MS;
    const renewalFrom = saga.data.pending.length === 0 ? saga.data.awaitingRenewalFrom : undefined;
    if (renewalFrom !== undefined) {
      const deadline = Math.max(Date.now(), Date.parse(`${renewalFrom}T00:00:00Z`)) + timeout;
      if (!saga.slaDeadline || saga.slaDeadline.getTime() < deadline) saga.slaDeadline = new Date(deadline);
      return;
    }
    saga.slaDeadline ??= new Date(Date.now() + timeout);
  }

  private async complete(
    manager: EntityManager,
    saga: SagaEntity,
    ctx: Promise<SagaContext> | undefined,
  ): Promise<void> {
    saga.status = SAGA_STATUS.completed;
    saga.completedAt = new Date();
    saga.slaDeadline = null;
    const lastPosted = saga.data.lastErpPostedAt ? new Date(saga.data.lastErpPostedAt) : saga.completedAt;
    const seconds = (lastPosted.getTime() - saga.committedAt.getTime()) / 1000;
    this.latency.observe(saga.kind, seconds);
    await this.lineage.record(
      {
        contractId: saga.contractId,
        system: 'revline',
        objectType: 'Saga',
        externalId: saga.sagaId,
        status: 'completed',
        correlationId: saga.correlationId,
        detail: `${saga.kind} completed; sync latency ${seconds.toFixed(3)} s`,
      },
      manager,
    );
    if (saga.kind === 'booking' && saga.data.rampStepsDue !== 0) {
      // The history this advance planned with, or the transaction's read of it.
      const { booking } = ctx
        ? (await ctx).history
        : await this.history.read(manager, saga.contractId, saga.eventId);
      await this.ramps.schedule(manager, booking, saga.contractId, saga.correlationId);
    }
  }
}
