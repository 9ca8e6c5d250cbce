import { Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { ErpPostingResult } from '@revline/erp-port';
import { ErpRejectedError, ErpUnavailableError } from '@revline/erp-port';
import type { Envelope, ErpPostedPayload, ErpPostingOutcome, ItemOutcome, JobName } from '@revline/messaging';
import { Batcher, ConnectionError, Inbox, isBusinessError, Outbox, TransientError } from '@revline/messaging';
import { prepared } from '@revline/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { ErpConfig } from '../erp.config';

export const CONSUMER = 'system-erp';

/** Answers in one transaction and one `erp.posted-many` at most. */
const ANSWERS_MAX = 200;

/** A command's answer waiting for its batch: its `erp.posted` and what else it records. */
interface Answer {
  envelope: Envelope;
  confirmation: ErpPostedPayload;
  record?: (manager: EntityManager) => Promise<void>;
}

/** What a command did in the ERP, reported back as `erp.posted`. */
export interface Posted extends ErpPostingResult {
  outcome?: 'posted' | 'nothing_to_post' | 'superseded';
  postedAmountMinor?: string;
}

export interface CommandSpec {
  recordType: string;
  externalId: string;
  /** Calls the ERP (outside any transaction: the call is an idempotent upsert, safe to repeat). */
  post: () => Promise<Posted>;
  /** Writes what else the command records, in the transaction of its inbox and outbox rows. */
  record?: (manager: EntityManager, posted: Posted) => Promise<void>;
  /** The records the posted one carries (an invoice's revenue schedules), reported in `erp.posted`'s postings. */
  carried?: (posted: Posted) => ErpPostingOutcome[];
}

/**
 * Runs one `erp.commands` job: calls the ERP, then records the inbox row and the `erp.posted` event in one
 * transaction (shared with the answers of commands ending at about the same time: see `answer`). A message already applied is acknowledged without calling the ERP again. A refusal by the ERP is
 * answered by `erp.rejected` with the ERP's code and message, and the job ends there: process-q2c holds the
 * exception, and the command is not marked applied, so the operator's retry after the fix runs it again. A refused
 * login is the connection's failure, not the command's; an unreachable ERP is a transient error, retried with backoff.
 */
@Injectable()
export class ErpCommandRunner implements BeforeApplicationShutdown {
  /** Answers written together: those of commands ending within ERP_ANSWER_BATCH_MS of the first. */
  private readonly answers: Batcher<Answer, boolean>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    config: ErpConfig,
  ) {
    this.answers = new Batcher({
      windowMs: () => config.ERP_ANSWER_BATCH_MS,
      maxItems: () => ANSWERS_MAX,
      flush: (answers) => this.answerAll(answers),
    });
  }

  /**
   * Whether the message's inbox row is there: read before the ERP is called, since the inbox row is written only
   * after the call (in the transaction of the answer), and a redelivery of an applied message must not call again.
   */
  async alreadyApplied(envelope: Envelope): Promise<boolean> {
    const found = await prepared(
      this.dataSource,
      `SELECT 1 FROM "${this.dataSource.driver.schema ?? 'erp'}"."inbox"
        WHERE "consumer" = $1 AND "idempotency_key" = $2`,
      [CONSUMER, envelope.idempotencyKey],
    );
    return found.rows.length > 0;
  }

  /** `checked`: the caller has just read that the message is not applied (ErpCustomers.knownAndApplied). */
  async run<J extends JobName>(
    envelope: Envelope<J>,
    spec: CommandSpec,
    checked = false,
  ): Promise<Posted | undefined> {
    if (!checked && (await this.alreadyApplied(envelope))) return undefined;
    let posted: Posted;
    try {
      posted = await spec.post();
    } catch (error) {
      const failure = await this.classify(envelope, spec, error);
      if (failure) throw failure;
      return undefined;
    }
    const carried = spec.carried?.(posted);
    await this.answer(
      envelope,
      spec.recordType,
      posted,
      (manager) => spec.record?.(manager, posted) ?? Promise.resolve(),
      carried && carried.length > 0 ? carried : undefined,
    );
    return posted;
  }

  /**
   * Runs a command's handler. A command that cannot be sent as it is (a malformed payload, a reference Revline cannot
   * map) is answered with `erp.rejected` like the ERP's own refusals, Revline's category as its code: process-q2c
   * holds the exception, nothing parks here, and the command is not marked applied.
   */
  async refusing(envelope: Envelope, recordType: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      if (!isBusinessError(error)) throw error;
      const payload = envelope.payload as { externalId?: unknown };
      const field =
        typeof error.details.field === 'string' && error.details.field ? error.details.field : null;
      await this.dataSource.transaction((manager) =>
        this.outbox.add(
          manager,
          'erp.rejected',
          {
            commandIdempotencyKey: envelope.idempotencyKey,
            recordType,
            externalId: typeof payload.externalId === 'string' ? payload.externalId : '',
            errorCode: error.category,
            message: error.message,
            category: 'validation',
            ...(field ? { field } : {}),
          },
          { idempotencyKey: rejectionKey(envelope) },
        ),
      );
    }
  }

  /**
   * Records the inbox row and the `erp.posted` event (with the records of a batch, if any) in one transaction,
   * after `record` writes what else the command records. False when the message was applied already. The answers
   * of commands ending within ERP_ANSWER_BATCH_MS of each other share that transaction and one message
   * (`erp.posted-many`, each confirmation as its `erp.posted` would carry it); a lone answer goes as `erp.posted`.
   */
  async answer<J extends JobName>(
    envelope: Envelope<J>,
    recordType: string,
    posted: Omit<Posted, 'kind'>,
    record?: (manager: EntityManager) => Promise<void>,
    postings?: ErpPostingOutcome[],
  ): Promise<boolean> {
    return this.answers.submit({
      envelope,
      record,
      confirmation: {
        commandIdempotencyKey: envelope.idempotencyKey,
        recordType,
        externalId: posted.externalId,
        erpId: posted.erpId,
        outcome: posted.outcome ?? 'posted',
        ...(posted.postedAmountMinor === undefined ? {} : { postedAmountMinor: posted.postedAmountMinor }),
        ...(postings ? { postings } : {}),
      },
    });
  }

  /** The batch's answers go out now, without waiting for its window (at shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.answers.drain();
  }

  /**
   * A batch of answers in one transaction. A batch of several that fails is written again one answer to a
   * transaction, so that one command's failure fails only its own job.
   */
  private async answerAll(answers: readonly Answer[]): Promise<Array<ItemOutcome<boolean>>> {
    try {
      return (await this.write(answers)).map((value) => ({ ok: true, value }));
    } catch (error) {
      if (answers.length === 1) throw error;
      return Promise.all(
        answers.map(async (answer): Promise<ItemOutcome<boolean>> => {
          try {
            const [value = false] = await this.write([answer]);
            return { ok: true, value };
          } catch (failure) {
            return { ok: false, error: failure };
          }
        }),
      );
    }
  }

  private async write(answers: readonly Answer[]): Promise<boolean[]> {
    return this.inbox.runOnceEach(
      CONSUMER,
      answers.map((a) => a.envelope),
      async (manager, fresh) => {
        const applying = answers.filter((a) => fresh.includes(a.envelope));
        for (const a of applying) await a.record?.(manager);
        const first = applying.at(0);
        if (!first) return;
        if (applying.length === 1)
          await this.outbox.add(manager, 'erp.posted', first.confirmation, {
            idempotencyKey: `${first.envelope.idempotencyKey}:posted`,
          });
        else
          await this.outbox.add(
            manager,
            'erp.posted-many',
            { confirmations: applying.map((a) => a.confirmation) },
            // Unique: each command is answered once (its inbox row), the first one's key names the message.
            { idempotencyKey: `posted-many:${first.envelope.idempotencyKey}` },
          );
      },
    );
  }

  /**
   * A batch the ERP refused in part: answers with one `erp.rejected` naming every refused record (and listing those
   * that did post). The job is not marked applied, so an operator's retry runs it again and posts only what is
   * still missing.
   */
  async refuseBatch(
    envelope: Envelope,
    refused: ReadonlyArray<{ recordType: string; externalId: string; key: string; error: ErpRejectedError }>,
    postings: ErpPostingOutcome[],
  ): Promise<void> {
    const first = refused.at(0);
    if (!first) throw new Error('refuseBatch needs a refused record');
    const { error } = first;
    await this.dataSource.transaction((manager) =>
      this.outbox.add(
        manager,
        'erp.rejected',
        {
          commandIdempotencyKey: envelope.idempotencyKey,
          recordType: first.recordType,
          externalId: first.externalId,
          errorCode: error.vendorCode,
          message: error.message,
          category: error.category,
          ...(error.field ? { field: error.field } : {}),
          refused: refused.map((r) => ({
            recordType: r.recordType,
            externalId: r.externalId,
            key: r.key,
            errorCode: r.error.vendorCode,
            message: r.error.message,
            category: r.error.category,
          })),
          postings,
        },
        { idempotencyKey: rejectionKey(envelope) },
      ),
    );
  }

  /**
   * An error of a call to the ERP: a refusal is answered with `erp.rejected` (null: the job is done), a refused
   * login is the connection's failure, an unreachable ERP a transient one; anything else is returned as it is.
   */
  async classify(
    envelope: Envelope,
    spec: Pick<CommandSpec, 'recordType' | 'externalId'>,
    error: unknown,
  ): Promise<Error | null> {
    if (error instanceof ErpRejectedError && error.category === 'authentication') {
      return new ConnectionError(
        'netsuite',
        `NetSuite refused the login: ${error.message} (${error.vendorCode})`,
        {
          cause: error,
        },
      );
    }
    if (error instanceof ErpRejectedError) {
      await this.dataSource.transaction((manager) =>
        this.outbox.add(
          manager,
          'erp.rejected',
          {
            commandIdempotencyKey: envelope.idempotencyKey,
            recordType: spec.recordType,
            externalId: spec.externalId,
            errorCode: error.vendorCode,
            message: error.message,
            category: error.category,
            ...(error.field ? { field: error.field } : {}),
          },
          { idempotencyKey: rejectionKey(envelope) },
        ),
      );
      return null;
    }
    if (error instanceof ErpUnavailableError) {
      return new TransientError(
        `ERP unavailable: ${error.message}${error.vendorCode ? ` (${error.vendorCode})` : ''}`,
        {
          cause: error,
        },
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Each refusal is its own answer (a retry refused again reopens the exception in process-q2c): a key of its own. */
function rejectionKey(envelope: Envelope): string {
  return `${envelope.idempotencyKey}:rejected:${randomUUID()}`;
}
