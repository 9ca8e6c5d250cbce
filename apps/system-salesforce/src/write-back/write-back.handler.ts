import { Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type {
  CrmIntegrationFields,
  CrmIntegrationStatus,
  CrmWriteBack,
  CrmWriteBackResult,
} from '@revline/crm-port';
import { CrmPort } from '@revline/crm-port';
import type {
  CrmRejectedPayload,
  CrmWriteBackConfirmation,
  CrmWriteBackPayload,
  Envelope,
} from '@revline/messaging';
import { Batcher, BusinessError, Inbox, JobHandler, Outbox } from '@revline/messaging';
import { transaction } from '@revline/persistence';
import { DataSource } from 'typeorm';
import { SalesforceConfig } from '../config';
import { SALESFORCE_ID } from '../salesforce/soql';
import type { WriteBackFailure } from './write-back-refusal';
import { classifyWriteBackFailure, toCrmRejection } from './write-back-refusal';

const CONSUMER = 'system-salesforce.write-back';

/**
 * Jobs of crm.commands in hand at once per process: a full batch's worth (SALESFORCE_WRITE_BACK_BATCH_MAX is at
 * most 200), since each job waits in its batch until its record is written.
 */
export const WRITE_BACK_CONCURRENCY = 200;

const STATUSES: readonly CrmIntegrationStatus[] = ['not_synced', 'pending', 'in_progress', 'synced', 'error'];
const FIELDS: ReadonlyArray<keyof CrmIntegrationFields> = [
  'status',
  'message',
  'correlationId',
  'billingId',
  'erpId',
  'lastSyncedAt',
];

/** Checks the fields of a write-back before anything is written; bad ones are refused, never retried. */
function toFields(fields: CrmWriteBackPayload['fields']): Partial<CrmIntegrationFields> {
  const out: Partial<CrmIntegrationFields> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (!FIELDS.includes(name as keyof CrmIntegrationFields))
      throw new BusinessError('schema_violation', `${name} is not a write-back field`);
    if (value !== null && typeof value !== 'string')
      throw new BusinessError('schema_violation', `${name} must be a string or null`);
    if (name === 'status' && value !== null && !STATUSES.includes(value as CrmIntegrationStatus)) {
      throw new BusinessError('schema_violation', `status ${value} is not one of ${STATUSES.join(', ')}`);
    }
    Object.assign(out, { [name]: value });
  }
  return out;
}

function checkRecordId(recordId: string): void {
  if (!SALESFORCE_ID.test(recordId))
    throw new BusinessError('schema_violation', `recordId ${recordId} is not a Salesforce id`);
}

/** Checks a write-back command before anything is written; a bad one is parked, never retried. */
export function toWriteBack(envelope: Envelope<'crm.write-back'>): CrmWriteBack {
  const { objectType, recordId, fields, invoices } = envelope.payload;
  const kind: string = objectType;
  if (kind !== 'Order' && kind !== 'Account')
    throw new BusinessError('schema_violation', `objectType ${kind} cannot be written back`);
  checkRecordId(recordId);
  return {
    objectType,
    recordId,
    fields: toFields(fields),
    invoices: invoices?.map((i) => ({
      invoiceId: i.invoiceId,
      number: i.number,
      amountMinor: i.amount.amountMinor,
      currency: i.amount.currency,
      issuedOn: i.issuedOn,
      status: i.status,
    })),
  };
}

/** The Account part an Order's write-back carries, checked like a command of its own. */
export function toAccountWriteBack(account: NonNullable<CrmWriteBackPayload['account']>): CrmWriteBack {
  checkRecordId(account.recordId);
  return { objectType: 'Account', recordId: account.recordId, fields: toFields(account.fields) };
}

type Attempt =
  { ok: true; result: CrmWriteBackResult } | { ok: false; error: unknown; failure: WriteBackFailure };

/** A command's confirmation waiting to be answered with the others of its batch. */
interface Answer {
  idempotencyKey: string;
  messageId: string;
  confirmation: CrmWriteBackConfirmation;
}

/**
 * `crm.write-back`: integration status, correlation id, billing and ERP ids and invoices onto the Salesforce
 * record. Write-backs are batched across contracts (the jobs in hand join the open batch, sent within
 * SALESFORCE_WRITE_BACK_BATCH_MS as one sObject Collections or Composite call); each job waits for its own record's
 * result, so none is acknowledged before its record is written, and a crash before the call leaves the job to be
 * sent again (a write-back is an idempotent update). Only differing values are written (a repeat writes nothing);
 * the write goes out under Revline's client name and touches only write-back fields, so change capture does not
 * take it for a new change. Every command is answered on crm.events, in the transaction of its inbox row:
 * `crm.written-back` when Salesforce saved it, `crm.rejected` with Salesforce's code and message when it refused
 * its record (a validation rule, a field it does not know) — that command only. An Order's command may carry its
 * Account's write-back (`account`): both records go in the same batch, and the Account part is answered as a command
 * of its own (its refusal is its own `crm.rejected`, the Order's part is answered regardless; its success is told in
 * the Order's `crm.written-back`). A failed call (transport, 429,
 * REQUEST_LIMIT_EXCEEDED) fails every job of the batch as transient: they are retried. A refusal is not marked
 * applied, so the operator's retry after the fix writes it again. The confirmations of the commands answered
 * together (a call's, as its jobs resume at once) go out as one `crm.written-back`, with every command's inbox row,
 * in one transaction: one message and one transaction per call rather than per command.
 */
@Injectable()
export class WriteBackHandler implements BeforeApplicationShutdown {
  private readonly batcher: Batcher<CrmWriteBack, CrmWriteBackResult>;
  /** Confirmations answered together: those submitted before the next turn of the event loop. */
  private readonly answers: Batcher<Answer, boolean>;

  constructor(
    private readonly crm: CrmPort,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    private readonly dataSource: DataSource,
    config: SalesforceConfig,
  ) {
    this.batcher = new Batcher({
      windowMs: () => config.SALESFORCE_WRITE_BACK_BATCH_MS,
      maxItems: () => config.SALESFORCE_WRITE_BACK_BATCH_MAX,
      flush: (commands) => this.crm.writeBackMany(commands),
    });
    this.answers = new Batcher({
      windowMs: () => 0,
      maxItems: () => config.SALESFORCE_WRITE_BACK_BATCH_MAX,
      flush: async (answers) => {
        const applied = await this.inbox.runOnceEach(CONSUMER, answers, async (manager, fresh) => {
          await this.outbox.add(
            manager,
            'crm.written-back',
            { confirmations: fresh.map((a) => a.confirmation) },
            // Unique: each command is confirmed once (its inbox row), the first one's key names the message.
            { idempotencyKey: `written-back:${fresh[0]?.idempotencyKey ?? ''}` },
          );
        });
        return applied.map((value) => ({ ok: true, value }));
      },
    });
  }

  /** The open batch goes out now rather than after its window. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.batcher.drain();
    // The jobs the last batch answered submit their confirmations on their way out.
    await new Promise((resolve) => setImmediate(resolve));
    await this.answers.drain();
  }

  @JobHandler('crm.write-back')
  async writeBack(envelope: Envelope<'crm.write-back'>): Promise<unknown> {
    const account = envelope.payload.account;
    // The Account part joins the same batch as the Order's: one Salesforce call, one job.
    const [order, accountAttempt] = await Promise.all([
      this.attempt(() => toWriteBack(envelope)),
      account ? this.attempt(() => toAccountWriteBack(account)) : Promise.resolve(undefined),
    ]);
    const attempts = [order, accountAttempt].filter((a): a is Attempt => a !== undefined);
    // A connection or a transient failure of either part retries the whole job (writing again is idempotent),
    // before anything is answered.
    for (const a of attempts) if (!a.ok && a.failure.kind === 'connection') throw a.failure.error;
    for (const a of attempts) if (!a.ok && a.failure.kind === 'transient') throw a.error;
    const answer = await this.answerOrder(envelope, order, accountAttempt);
    // A refused Account part is the Account command's refusal only, answered after the Order's part.
    if (account && accountAttempt && !accountAttempt.ok && accountAttempt.failure.kind === 'refused')
      await this.reject({
        commandIdempotencyKey: account.commandIdempotencyKey,
        command: envelope.job,
        objectType: 'Account',
        recordId: account.recordId,
        errorCode: accountAttempt.failure.errorCode,
        message: accountAttempt.failure.message,
        ...(accountAttempt.failure.field ? { field: accountAttempt.failure.field } : {}),
      });
    return answer;
  }

  /** The Order's part answered: `crm.written-back` (with its Account part's result, when written), or its refusal. */
  private async answerOrder(
    envelope: Envelope<'crm.write-back'>,
    order: Attempt,
    accountAttempt: Attempt | undefined,
  ): Promise<unknown> {
    if (!order.ok) {
      if (order.failure.kind !== 'refused') throw order.error;
      const rejection = toCrmRejection(envelope, order.failure);
      await this.reject(rejection);
      return { rejected: rejection.errorCode, message: rejection.message };
    }
    const result = order.result;
    const p = envelope.payload;
    const account = p.account;
    // A redelivery writes nothing new (only differing values are written) and is answered once.
    await this.answers.submit({
      idempotencyKey: envelope.idempotencyKey,
      messageId: envelope.messageId,
      confirmation: {
        commandIdempotencyKey: envelope.idempotencyKey,
        objectType: p.objectType,
        recordId: p.recordId,
        written: writtenBy(result),
        ...(account && accountAttempt?.ok
          ? {
              account: {
                commandIdempotencyKey: account.commandIdempotencyKey,
                recordId: account.recordId,
                written: writtenBy(accountAttempt.result),
              },
            }
          : {}),
      },
    });
    return result;
  }

  private async attempt(build: () => CrmWriteBack): Promise<Attempt> {
    try {
      return { ok: true, result: await this.batcher.submit(build()) };
    } catch (error) {
      return { ok: false, error, failure: classifyWriteBackFailure(error) };
    }
  }

  /** Each refusal is its own answer (a retry refused again reopens the exception): a key of its own. */
  private async reject(rejection: CrmRejectedPayload): Promise<void> {
    await transaction(this.dataSource, (manager) =>
      this.outbox.add(manager, 'crm.rejected', rejection, {
        idempotencyKey: `rejected:${rejection.commandIdempotencyKey}:${randomUUID()}`,
      }),
    );
  }
}

const writtenBy = (result: CrmWriteBackResult): number =>
  (result.changedFields.length > 0 ? 1 : 0) + result.invoicesWritten;
