import { Injectable } from '@nestjs/common';
import type { ContractChange, ContractChangeResult } from '@revline/billing-port';
import { BillingPort } from '@revline/billing-port';
import type { Envelope, JobName } from '@revline/messaging';
import { BusinessError, Inbox, isBusinessError, JobHandler, Outbox } from '@revline/messaging';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import { IssuingInvoices } from '../stripe/issuing-invoices';
import { ANNOUNCED_WITH_CHANGE, invoiceIssuedKey } from '../webhooks/stripe-event-announcements';
import { toBillingRejection } from './billing-rejection';

const CONSUMER = 'system-billing';

function quantity(value: string, field: string): number {
  if (!/^\d+$/.test(value))
    throw new BusinessError('schema_violation', `${field} must be a whole number, was "${value}"`);
  return Number(value);
}

function unitAmount(value: string, field: string): string {
  if (!/^\d{1,15}(\.\d{1,12})?$/.test(value))
    throw new BusinessError('schema_violation', `${field} must be a non-negative decimal, was "${value}"`);
  return value;
}

/** A first cycle date: an ISO date after the effective date and within a year of it. */
function cycleDate(value: string, effectiveDate: string): string {
  const day = Date.parse(`${value}T00:00:00Z`);
  const from = Date.parse(`${effectiveDate}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(day) || day <= from || day - from > 366 * 86_400_000)
    throw new BusinessError(
      'schema_violation',
      `firstCycleDate must be a date after effectiveDate ${effectiveDate} and within a year of it, was "${value}"`,
    );
  return value;
}

export function toContractChange(envelope: Envelope<'billing.apply-contract-change'>): ContractChange {
  const p = envelope.payload;
  const items = (list: typeof p.items, where: string) =>
    list.map((item, i) => ({
      lineId: item.lineId,
      priceId: item.priceId,
      quantity: quantity(item.quantity, `${where}[${i}].quantity`),
      ...(item.unitAmount !== undefined
        ? { unitAmount: unitAmount(item.unitAmount, `${where}[${i}].unitAmount`) }
        : {}),
    }));
  return {
    contractId: p.contractId,
    kind: p.changeKind,
    customer: p.customer,
    currency: p.currency,
    effectiveDate: p.effectiveDate,
    items: items(p.items, 'items'),
    proration: p.prorationBehavior,
    ...(p.firstCycleDate !== undefined
      ? { firstCycleDate: cycleDate(p.firstCycleDate, p.effectiveDate) }
      : {}),
    rampSteps: (p.rampSteps ?? []).map((step, i) => ({
      startDate: step.startDate,
      items: items(step.items, `rampSteps[${i}].items`),
    })),
  };
}

/**
 * The billing commands. Each applies its effect through the billing port (idempotent on the command's key), then
 * records the command in the inbox and announces the result through the outbox in one transaction. A business
 * refusal (Stripe's 4xx other than a rate limit, or a command that cannot be sent as it is) is answered the same
 * way, by a `billing.rejected` carrying Stripe's code and message: process-q2c turns it into an exception on the
 * saga at once, and its retry sends a new command under a new key, since Stripe keeps the answer of a key.
 */
@Injectable()
export class BillingCommandsHandler {
  constructor(
    private readonly billing: BillingPort,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    private readonly issuing: IssuingInvoices,
  ) {}

  @JobHandler('billing.apply-contract-change')
  async applyContractChange(envelope: Envelope<'billing.apply-contract-change'>): Promise<unknown> {
    let change: ContractChange;
    let result: Awaited<ReturnType<BillingPort['applyContractChange']>>;
    try {
      change = toContractChange(envelope);
      result = await this.billing.applyContractChange(change, envelope.idempotencyKey);
    } catch (error) {
      return this.refused(envelope, error);
    }
    const outcome = await this.inbox
      .runOnce(CONSUMER, envelope, (manager) => this.answerChange(manager, envelope, change, result))
      // Stripe's notice of the invoice, if it came in meanwhile, waited for this transaction (IssuingInvoices).
      .finally(() => {
        this.issuing.settle([result.invoiceId, result.invoice?.documentId]);
      });
    return outcome.applied ? outcome.result : { duplicate: true };
  }

  /** The change's answer, in the transaction of its inbox row: the contract's link and the announcement. */
  private async answerChange(
    manager: EntityManager,
    envelope: Envelope<'billing.apply-contract-change'>,
    change: ContractChange,
    result: ContractChangeResult,
  ): Promise<ContractChangeResult> {
    if (result.subscriptionId) {
      // A later change of the contract moves its link ("updated_at" from the new row's default, now()).
      await prepared(
        manager,
        `INSERT INTO "${manager.connection.driver.schema ?? 'billing'}"."contract_links"
           ("contract_id", "customer_id", "subscription_id", "schedule_id") VALUES ($1, $2, $3, $4)
         ON CONFLICT ("contract_id") DO UPDATE SET "customer_id" = EXCLUDED."customer_id",
           "subscription_id" = EXCLUDED."subscription_id", "schedule_id" = EXCLUDED."schedule_id",
           "updated_at" = EXCLUDED."updated_at"`,
        [change.contractId, result.customerId, result.subscriptionId, result.scheduleId ?? null],
      );
    }
    await this.outbox.add(
      manager,
      'billing.subscription-changed',
      {
        contractId: change.contractId,
        subscriptionId: result.subscriptionId,
        customerId: result.customerId,
        status: result.status,
        itemIds: result.itemIds,
        eventCreatedAt: new Date().toISOString(),
        commandIdempotencyKey: envelope.idempotencyKey,
        ...(result.invoiceId ? { invoiceId: result.invoiceId } : {}),
        ...(result.invoice ? { invoice: result.invoice } : {}),
        ...(result.scheduleId ? { scheduleId: result.scheduleId } : {}),
      },
      { idempotencyKey: `subscription-changed:${envelope.idempotencyKey}` },
    );
    // The invoice the change issued is announced here: Stripe's notice of it, taken in later, announces nothing.
    if (result.invoice)
      await this.inbox.record(manager, ANNOUNCED_WITH_CHANGE, {
        idempotencyKey: invoiceIssuedKey(result.invoice.documentId),
        messageId: envelope.messageId,
      });
    return result;
  }

  @JobHandler('billing.report-usage')
  async reportUsage(envelope: Envelope<'billing.report-usage'>): Promise<unknown> {
    let result: unknown;
    try {
      result = await this.billing.reportUsage(envelope.payload, envelope.idempotencyKey);
    } catch (error) {
      return this.refused(envelope, error);
    }
    await this.inbox.runOnce(CONSUMER, envelope, () => Promise.resolve(result));
    return result;
  }

  @JobHandler('billing.issue-credit')
  async issueCredit(envelope: Envelope<'billing.issue-credit'>): Promise<unknown> {
    let result: unknown;
    try {
      result = await this.billing.issueCredit(envelope.payload, envelope.idempotencyKey);
    } catch (error) {
      return this.refused(envelope, error);
    }
    await this.inbox.runOnce(CONSUMER, envelope, () => Promise.resolve(result));
    return result;
  }

  /**
   * Answers a command refused for good with `billing.rejected`, in the transaction of its inbox row: a redelivery
   * of the same command is then a duplicate (it would only meet the same refusal), and nothing parks here. Anything
   * else (transient, connection) is rethrown for the worker to retry.
   */
  private async refused<J extends JobName>(envelope: Envelope<J>, error: unknown): Promise<unknown> {
    if (!isBusinessError(error)) throw error;
    const rejection = toBillingRejection(envelope, error);
    const outcome = await this.inbox.runOnce(CONSUMER, envelope, async (manager) => {
      await this.outbox.add(manager, 'billing.rejected', rejection, {
        idempotencyKey: `rejected:${envelope.idempotencyKey}`,
      });
    });
    return outcome.applied
      ? { rejected: rejection.errorCode, message: rejection.message }
      : { duplicate: true };
  }
}
