import { Injectable } from '@nestjs/common';
import type { BillingDocumentPayload } from '@revline/messaging';
import { BusinessError } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { RampStepSchedule } from './ramp-step-schedule';
import {
  billingItems,
  chargedWithoutUsage,
  expectedCharge,
  expectedProration,
  meteredPriceIds,
  rampSteps,
} from './billing-plan';
import { billingCustomerLock } from './billing-customer-lock';
import { ContractHistoryReader } from './contract-history';
import { accountWriteBack, billingCustomer, erpCustomerExternalId } from './customer-plan';
import { linesInForce } from './contract-lines';
import type { PlannedCommand, SagaContext } from './erp-plan';
import {
  customerCommand,
  documentCommands,
  foldRevenue,
  revenueCommands,
  sagaContext,
  sagaKey,
} from './erp-plan';
import { recordRevenueParts } from './revenue-batch';
import { retriesOf, retryKey } from './saga-retries';
import { revenuePlan } from './revenue-plan';
import { SagaCommands } from './saga-commands';
import type { SagaDocument } from './saga-data';
import { SAGA_STATUS } from './saga-data';
import type { SagaKind, SagaStep } from './saga-plan';
import { nextStep } from './saga-plan';
import type { SagaEntity } from './saga.entity';
import { SagasConfig } from '../shared/sagas.config';
import { SyncLatencyMetric } from './sync-latency.metric';
import { servicePeriodOf } from './erp-plan';
import { ContractAssetPlanner } from './contract-asset/contract-asset.planner';
import { RevenueRunsRepository } from '../revenue-runs/revenue-runs.repository';
import { RevenueRunsConfig } from '../revenue-runs/revenue-runs.config';

type Context = SagaContext;

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/**
 * Moves a saga (locked by the caller, in the caller's transaction) as far as it can go: each step sends its
 * commands and waits for their confirmations; a step waiting for a billing document finds it if it came early.
 */
@Injectable()
export class SagaEngine {
  constructor(
    private readonly commands: SagaCommands,
    private readonly history: ContractHistoryReader,
    private readonly lineage: LineageRecorder,
    private readonly config: SagasConfig,
    private readonly latency: SyncLatencyMetric,
    private readonly ramps: RampStepSchedule,
    private readonly contractAsset: ContractAssetPlanner,
    private readonly revenueRuns: RevenueRunsRepository,
    private readonly posting: RevenueRunsConfig,
  ) {}

  async advance(manager: EntityManager, saga: SagaEntity): Promise<void> {
    if (saga.status === SAGA_STATUS.completed) return;
    // The contract's history is read only when a step runs: most confirmations (a journal of twelve) only tick
    // one command off a step still waiting for others, and need neither the events nor the catalogue.
    let ctx: Context | undefined;
    // The commands of a step are awaited before the next step runs; a step that cannot run yet leaves it waiting.
    for (;;) {
      if (saga.data.pending.length > 0) {
        this.wait(saga);
        return;
      }
      if (saga.step === 'done') {
        await this.complete(manager, saga);
        return;
      }
      ctx ??= await this.context(manager, saga);
      if (!(await this.run(manager, saga, ctx, saga.step as SagaStep))) {
        this.wait(saga);
        return;
      }
      saga.step = nextStep(saga.kind as SagaKind, saga.step as SagaStep);
      saga.slaDeadline = null;
    }
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

  private async context(manager: EntityManager, saga: SagaEntity): Promise<Context> {
    return sagaContext(this.history, manager, saga);
  }

  /** Runs one step; false when it must wait for something that has not arrived. */
  private async run(
    manager: EntityManager,
    saga: SagaEntity,
    ctx: Context,
    step: SagaStep,
  ): Promise<boolean> {
    saga.status = SAGA_STATUS.running;
    switch (step) {
      case 'erp_customer':
        await this.erpCustomer(manager, saga, ctx);
        return true;
      case 'billing_change':
        if (ctx.amendment && !(await this.predecessorsDone(manager, saga))) return false;
        await this.billingChange(manager, saga, ctx);
        return true;
      case 'await_invoice':
        return this.awaitInvoice(manager, saga, ctx);
      case 'await_phase_invoice':
        if (!(await this.predecessorsDone(manager, saga))) return false;
        return this.awaitPhaseInvoice(manager, saga, ctx);
      case 'billing_credit':
        await this.billingCredit(manager, saga, ctx);
        return true;
      case 'await_credit_note':
        return this.awaitCreditNote(manager, saga);
      case 'erp_document':
        await this.erpDocuments(manager, saga, ctx);
        return true;
      case 'revenue':
        if (!saga.data.revenueWithDocuments) await this.revenue(manager, saga, ctx);
        return true;
      case 'write_back':
        await this.writeBack(manager, saga, ctx);
        return true;
      case 'done':
        return true;
    }
  }

  /**
   * Changes to one contract reach the billing platform one at a time, in the order they were stored: an amendment
   * waits for the sagas before it, then works on the subscription and customers they created.
   */
  private async predecessorsDone(manager: EntityManager, saga: SagaEntity): Promise<boolean> {
    const rows = await manager.query<Array<{ status: string; data: SagaEntity['data'] }>>(
      `SELECT "status", "data" FROM "q2c"."sagas" WHERE "contract_id" = $1 AND "saga_id" < $2
        ORDER BY "saga_id" DESC`,
      [saga.contractId, saga.sagaId],
    );
    if (rows.some((r) => r.status !== SAGA_STATUS.completed)) return false;
    const known = (pick: (d: SagaEntity['data']) => string | undefined) =>
      rows.map((r) => pick(r.data)).find((v) => v !== undefined);
    saga.data.subscriptionId ??= known((d) => d.subscriptionId);
    saga.data.billingCustomerId ??= known((d) => d.billingCustomerId);
    saga.data.erpCustomerExternalId ??= known((d) => d.erpCustomerExternalId);
    return true;
  }

  /** The next saga of the same contract, waiting for this one to complete. */
  async successorOf(manager: EntityManager, saga: SagaEntity): Promise<string | null> {
    const rows = await manager.query<Array<{ saga_id: string }>>(
      `SELECT "saga_id" FROM "q2c"."sagas" WHERE "contract_id" = $1 AND "saga_id" > $2 AND "status" <> 'completed'
        ORDER BY "saga_id" LIMIT 1`,
      [saga.contractId, saga.sagaId],
    );
    return rows.at(0)?.saga_id ?? null;
  }

  private key(saga: SagaEntity, ...parts: string[]): string {
    return sagaKey(saga.eventId, ...parts);
  }

  /** Sends a planned ERP command, awaited. */
  private async sendPlanned(
    manager: EntityManager,
    saga: SagaEntity,
    command: PlannedCommand,
  ): Promise<void> {
    const options = { key: command.key, externalId: command.externalId };
    switch (command.job) {
      case 'erp.upsert-customer':
        return this.commands.send(manager, saga, command.job, command.payload, options);
      case 'erp.post-invoice':
        return this.commands.send(manager, saga, command.job, command.payload, options);
      case 'erp.post-credit-memo':
        return this.commands.send(manager, saga, command.job, command.payload, options);
      case 'erp.upsert-revenue-schedule':
        return this.commands.send(manager, saga, command.job, command.payload, options);
      case 'erp.post-revenue-journal':
        return this.commands.send(manager, saga, command.job, command.payload, options);
      case 'erp.post-revenue':
        return this.commands.send(manager, saga, command.job, command.payload, {
          ...options,
          detail: `${String(command.payload.schedules.length)} schedules, ${String(command.payload.journals.length)} journals`,
        });
    }
  }

  private async erpCustomer(manager: EntityManager, saga: SagaEntity, ctx: Context): Promise<void> {
    const command = customerCommand(saga, ctx, this.config.ERP_SUBSIDIARY);
    saga.data.erpCustomerExternalId = erpCustomerExternalId(
      ctx.history.booking.customer,
      saga.data.salesforceAccountId,
    );
    if (command) await this.sendPlanned(manager, saga, command);
  }

  private async billingChange(manager: EntityManager, saga: SagaEntity, ctx: Context): Promise<void> {
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
    const ramps = am ? [] : rampSteps(booking, ctx.catalogue);
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
        ...(ramps.length > 0 ? { rampSteps: ramps } : {}),
      },
      {
        key: retryKey(this.key(saga, 'billing'), retriesOf(saga, 'billing_change')),
        detail: `${changeKind} subscription`,
      },
    );
  }

  private async document(manager: EntityManager, documentId: string): Promise<BillingDocumentPayload | null> {
    const rows = await manager.query<Array<{ payload: BillingDocumentPayload }>>(
      `SELECT "payload" FROM "q2c"."billing_documents" WHERE "document_id" = $1`,
      [documentId],
    );
    return rows.at(0)?.payload ?? null;
  }

  /**
   * The invoice the billing platform raised for the subscription's period starting on the renewal date, not yet
   * claimed: the renewal's invoice, issued when the billing platform's clock reaches that date.
   */
  private async renewalInvoice(
    manager: EntityManager,
    saga: SagaEntity,
    from: string,
  ): Promise<string | null> {
    const rows = await manager.query<Array<{ document_id: string }>>(
      `SELECT "document_id" FROM "q2c"."billing_documents"
        WHERE "kind" = 'invoice' AND "subscription_id" = $1 AND "saga_id" IS NULL AND "document_id" <> $3
          AND EXISTS (SELECT 1 FROM jsonb_array_elements("payload"->'lines') AS l
                       WHERE l->>'periodStart' = $2 AND NOT (l->>'proration')::boolean)
        ORDER BY "received_at" LIMIT 1 FOR UPDATE`,
      [saga.data.subscriptionId ?? '', from, saga.data.awaitingInvoiceId ?? ''],
    );
    return rows.at(0)?.document_id ?? null;
  }

  /**
   * The invoices a charge waits for: the one its billing change raised, and for a renewal the invoice of the period
   * starting on the renewal date. A renewal on time has only the latter; one applied after its date has both (the
   * period was invoiced at the old prices, the change prorates the difference), and together they bill the term.
   */
  private async awaitInvoice(manager: EntityManager, saga: SagaEntity, ctx: Context): Promise<boolean> {
    const renewalFrom = saga.data.awaitingRenewalFrom;
    const ids: string[] = saga.data.awaitingInvoiceId ? [saga.data.awaitingInvoiceId] : [];
    if (renewalFrom !== undefined) {
      const period = await this.renewalInvoice(manager, saga, renewalFrom);
      if (!period) return false;
      ids.push(period);
    }
    if (ids.length === 0) return true;
    const invoices: BillingDocumentPayload[] = [];
    for (const id of ids) {
      const invoice = await this.document(manager, id);
      if (!invoice) return false;
      invoices.push(invoice);
    }
    if (ctx.amendment && saga.data.expectedProrationMinor !== undefined) {
      const expected = BigInt(saga.data.expectedProrationMinor);
      const billed = chargedWithoutUsage(invoices, ctx.catalogue);
      saga.data.billedProrationMinor = billed.toString();
      if (abs(billed - expected) > BigInt(this.config.PRORATION_TOLERANCE_MINOR)) {
        const what = ctx.amendment.amendmentType === 'renewal' ? 'invoiced the renewal term of' : 'prorated';
        throw new BusinessError(
          'proration_mismatch',
          `The billing platform ${what} ${ctx.amendment.amendmentType} ${ctx.amendment.amendmentId} at ${billed.toString()} ${ctx.history.booking.currency} minor units (${ids.join(', ')}); the engine expected ${expected.toString()} (tolerance ${String(this.config.PRORATION_TOLERANCE_MINOR)})`,
          {
            contractId: saga.contractId,
            invoiceId: ids.join(','),
            expectedMinor: expected.toString(),
            billedMinor: billed.toString(),
          },
        );
      }
    }
    for (const invoice of invoices) {
      await this.claim(manager, saga, invoice.documentId, 'Invoice', invoice);
      this.addDocument(saga.data.invoices, invoice, `INV-${invoice.documentId}`);
    }
    saga.data.awaitingInvoiceId = undefined;
    saga.data.awaitingRenewalFrom = undefined;
    return true;
  }

  /**
   * A ramp step's invoice: the first invoice of the subscription issued on or after the step's date that no saga
   * has claimed (Stripe prorates a phase changing the price mid-period, or invoices the period a phase starts).
   * One that came before the saga was started is found in the billing documents; a later one wakes the saga.
   */
  private async awaitPhaseInvoice(manager: EntityManager, saga: SagaEntity, ctx: Context): Promise<boolean> {
    const dueOn = ctx.amendment?.effectiveDate ?? ctx.history.booking.termStart;
    // The step is reached outside billing.events (the due job, a predecessor's completion): look under the lock
    // the invoice's handler takes, or an invoice issued meanwhile would find no saga waiting and the saga no invoice.
    if (saga.data.billingCustomerId) await billingCustomerLock(manager, saga.data.billingCustomerId);
    // Not a usage invoice (every line on a metered price): a usage line's month ends on the step's date too, and
    // its invoice is the usage booking's, not the phase's.
    const rows = await manager.query<Array<{ payload: BillingDocumentPayload }>>(
      `SELECT "payload" FROM "q2c"."billing_documents"
        WHERE "kind" = 'invoice' AND "subscription_id" = $1 AND "saga_id" IS NULL AND "payload"->>'issuedOn' >= $2
          AND EXISTS (SELECT 1 FROM jsonb_array_elements("payload"->'lines') l
                       WHERE coalesce(l->>'priceId', '') <> ALL($3::text[]))
        ORDER BY "payload"->>'issuedOn', "received_at" LIMIT 1 FOR UPDATE`,
      [saga.data.subscriptionId ?? '', dueOn, meteredPriceIds(ctx.catalogue)],
    );
    const invoice = rows.at(0)?.payload;
    if (!invoice) {
      // The platform invoices a phase when its clock reaches it (a new period's invoice about an hour later).
      const from = Math.max(Date.now(), Date.parse(`${dueOn}T00:00:00.000Z`));
      saga.slaDeadline ??= new Date(from + this.config.RAMP_INVOICE_WAIT_MS);
      return false;
    }
    await this.claim(manager, saga, invoice.documentId, 'Invoice', invoice);
    this.addDocument(saga.data.invoices, invoice, `INV-${invoice.documentId}`);
    return true;
  }

  private async billingCredit(manager: EntityManager, saga: SagaEntity, ctx: Context): Promise<void> {
    const credit = BigInt(saga.data.awaitingCreditMinor ?? '0');
    if (credit <= 0n) {
      saga.data.awaitingCreditMinor = undefined;
      return;
    }
    const rows = await manager.query<Array<{ payload: BillingDocumentPayload }>>(
      `SELECT "payload" FROM "q2c"."billing_documents"
        WHERE "kind" = 'invoice' AND "subscription_id" = $1 ORDER BY "received_at"`,
      [saga.data.subscriptionId ?? ''],
    );
    const line = rows
      .flatMap((r) => r.payload.lines.map((l) => ({ invoiceId: r.payload.documentId, line: l })))
      .find((l) => BigInt(l.line.amount.amountMinor) >= credit);
    if (!line) {
      throw new BusinessError(
        'no_invoice_to_credit',
        `No invoice line of subscription ${saga.data.subscriptionId ?? '(none)'} can carry a credit of ${credit.toString()} minor units`,
        { contractId: saga.contractId },
      );
    }
    await this.commands.send(
      manager,
      saga,
      'billing.issue-credit',
      {
        invoiceId: line.invoiceId,
        reason: 'order_change',
        lines: [
          {
            invoiceLineId: line.line.lineId,
            amount: { amountMinor: credit.toString(), currency: ctx.history.booking.currency },
          },
        ],
      },
      {
        key: retryKey(this.key(saga, 'credit'), retriesOf(saga, 'billing_credit')),
        awaited: false,
        detail: `credit ${credit.toString()} on ${line.invoiceId}`,
      },
    );
    saga.data.creditAppliesTo = line.invoiceId;
  }

  private async awaitCreditNote(manager: EntityManager, saga: SagaEntity): Promise<boolean> {
    const amount = saga.data.awaitingCreditMinor;
    if (amount === undefined) return true;
    const rows = await manager.query<Array<{ payload: BillingDocumentPayload }>>(
      `SELECT "payload" FROM "q2c"."billing_documents"
        WHERE "kind" = 'credit_note' AND "customer_id" = $1 AND "saga_id" IS NULL
          AND "payload"->'total'->>'amountMinor' = $2
        ORDER BY "received_at" LIMIT 1 FOR UPDATE`,
      [saga.data.billingCustomerId ?? '', amount],
    );
    const note = rows.at(0)?.payload;
    if (!note) return false;
    await this.claim(manager, saga, note.documentId, 'CreditNote', note);
    this.addDocument(saga.data.creditNotes, note, `CM-${note.documentId}`);
    saga.data.awaitingCreditMinor = undefined;
    return true;
  }

  /** Ties a billing document to the saga, and records it in the saga's lineage. */
  private async claim(
    manager: EntityManager,
    saga: SagaEntity,
    documentId: string,
    objectType: string,
    doc: BillingDocumentPayload,
  ): Promise<void> {
    await manager.query(`UPDATE "q2c"."billing_documents" SET "saga_id" = $2 WHERE "document_id" = $1`, [
      documentId,
      saga.sagaId,
    ]);
    await this.lineage.record(
      {
        contractId: saga.contractId,
        system: 'billing',
        objectType,
        externalId: documentId,
        status: 'issued',
        correlationId: saga.correlationId,
        detail: `${doc.total.amountMinor} ${doc.total.currency}`,
      },
      manager,
    );
  }

  private addDocument(list: SagaDocument[], doc: BillingDocumentPayload, erpExternalId: string): void {
    if (list.some((d) => d.documentId === doc.documentId)) return;
    list.push({
      documentId: doc.documentId,
      number: doc.number ?? null,
      total: doc.total,
      tax: doc.tax,
      issuedOn: doc.issuedOn,
      ...servicePeriodOf(doc),
      erpExternalId,
    });
  }

  private async erpDocuments(manager: EntityManager, saga: SagaEntity, ctx: Context): Promise<void> {
    const customerExternalId = await this.erpCustomerOf(manager, saga);
    const planned = documentCommands(
      saga,
      ctx,
      customerExternalId,
      this.config.ERP_SUBSIDIARY,
      (d) => !d.erpId,
    );
    // Under period close the revenue plan rides on the saga's invoice: computed now, sent with the documents.
    if (
      this.posting.REVENUE_POSTING === 'period_close' &&
      planned.some((c) => c.job === 'erp.post-invoice')
    ) {
      saga.data.revenueWithDocuments = true;
      await this.revenue(manager, saga, ctx, planned);
      return;
    }
    for (const command of planned) await this.sendPlanned(manager, saga, command);
  }

  /** The ERP customer of the contract: this saga's, or the one its booking's saga created. */
  private async erpCustomerOf(manager: EntityManager, saga: SagaEntity): Promise<string> {
    if (saga.data.erpCustomerExternalId) return saga.data.erpCustomerExternalId;
    const rows = await manager.query<Array<{ id: string | null }>>(
      `SELECT "data"->>'erpCustomerExternalId' AS "id" FROM "q2c"."sagas"
        WHERE "contract_id" = $1 AND "kind" = 'booking'`,
      [saga.contractId],
    );
    const id = rows.at(0)?.id ?? `CUST-${saga.data.salesforceAccountId}`;
    saga.data.erpCustomerExternalId = id;
    return id;
  }

  /** The saga's schedule version, sent after the `documents` (whose invoices carry it under period close). */
  private async revenue(
    manager: EntityManager,
    saga: SagaEntity,
    ctx: Context,
    documents: PlannedCommand[] = [],
  ): Promise<void> {
    const recognition = revenuePlan(ctx.history, ctx.catalogue, this.config.ERP_SUBSIDIARY);
    if (saga.kind === 'ramp_step' && recognition.schedules.length === 0) {
      for (const command of documents) await this.sendPlanned(manager, saga, command);
      // The step was in the booking's schedule: the engine finds nothing to change, so no version reaches the ERP.
      await this.lineage.record(
        {
          contractId: saga.contractId,
          system: 'revline',
          objectType: 'RevenueScheduleUpdated',
          externalId: `${saga.contractId}:${ctx.amendment?.effectiveDate ?? ''}`,
          status: 'unchanged',
          correlationId: saga.correlationId,
          detail: 'ramp step already in the booking schedule; no new schedule version',
        },
        manager,
      );
      return;
    }
    // Revenue run ahead of billing (a back-dated booking, billing in arrears) goes to the unbilled receivable.
    await this.revenueRuns.storeSchedules(manager, recognition.stored);
    const plan = await this.contractAsset.sentWith(manager, saga.sagaId, recognition);
    saga.data.scheduleVersion = plan.version;
    saga.data.treatment = plan.treatment;
    if (plan.reason) saga.data.treatmentReason = plan.reason;
    await this.lineage.record(
      {
        contractId: saga.contractId,
        system: 'revline',
        objectType: 'RevenueScheduleUpdated',
        externalId: `${saga.contractId}:v${String(plan.version)}`,
        status: 'computed',
        correlationId: saga.correlationId,
        detail: `version ${String(plan.version)}, ${plan.treatment}${plan.reason ? `: ${plan.reason}` : ''}`,
      },
      manager,
    );
    // One command for the whole version; its schedules and journals are recorded one by one beside it (those an
    // invoice carries too, with the invoice's key).
    const { commands, carried } = foldRevenue(documents, revenueCommands(saga, plan));
    for (const command of commands) {
      await this.sendPlanned(manager, saga, command);
      if (command.job === 'erp.post-revenue')
        await recordRevenueParts(manager, this.lineage, saga, command.payload);
    }
    for (const batch of carried) await recordRevenueParts(manager, this.lineage, saga, batch);
    saga.data.journalsPosted = plan.journals.length;
  }

  private async writeBack(manager: EntityManager, saga: SagaEntity, ctx: Context): Promise<void> {
    await this.writeBackAccount(manager, saga, ctx);
    const erpId =
      saga.data.invoices.find((d) => d.erpId)?.erpId ?? saga.data.creditNotes.find((d) => d.erpId)?.erpId;
    await this.commands.send(
      manager,
      saga,
      'crm.write-back',
      {
        objectType: 'Order',
        recordId: saga.data.salesforceOrderId,
        fields: {
          status: 'synced',
          correlationId: saga.correlationId,
          ...(saga.data.subscriptionId ? { billingId: saga.data.subscriptionId } : {}),
          ...(erpId ? { erpId } : {}),
          lastSyncedAt: new Date().toISOString(),
        },
        invoices: saga.data.invoices.map((d) => ({
          invoiceId: d.documentId,
          number: d.number,
          amount: d.total,
          issuedOn: d.issuedOn,
          status: 'open' as const,
        })),
      },
      // Awaited: the write-back is done when Salesforce confirms it (crm.written-back), failed when it refuses it.
      {
        key: retryKey(this.key(saga, 'write-back'), retriesOf(saga, 'write_back')),
        externalId: saga.data.salesforceOrderId,
      },
    );
  }

  /** A booking writes the account's billing and ERP customer ids back to it, when the order did not carry them. */
  private async writeBackAccount(manager: EntityManager, saga: SagaEntity, ctx: Context): Promise<void> {
    if (saga.kind !== 'booking') return;
    const payload = accountWriteBack(saga.data, ctx.history.booking.customer);
    if (!payload) return;
    await this.commands.send(manager, saga, 'crm.write-back', payload, {
      key: this.key(saga, 'write-back-account'),
      externalId: payload.recordId,
      awaited: false,
    });
  }

  private async complete(manager: EntityManager, saga: SagaEntity): Promise<void> {
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
    if (saga.kind === 'booking') {
      const { booking } = await this.history.read(manager, saga.contractId, saga.eventId);
      await this.ramps.schedule(manager, booking, saga.contractId, saga.correlationId);
    }
  }
}
