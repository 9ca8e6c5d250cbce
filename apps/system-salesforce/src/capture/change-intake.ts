import { Injectable } from '@nestjs/common';
import type { CrmOrder } from '@revline/crm-port';
import { CrmPort } from '@revline/crm-port';
import type { CrmRecordChangedPayload } from '@revline/messaging';
import { createEnvelope, ExceptionRecorder, outboxWritten, queueOf } from '@revline/messaging';
import { SpanKind, trace } from '@opentelemetry/api';
import { inSpan, MetricsService, startSpan, withTraceContext } from '@revline/observability';
import { prepared, transaction } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { orderContentHash, orderIdentity } from './content-hash';
import { commitTime } from './commit-time';

export type CapturedBy = CrmRecordChangedPayload['capturedBy'];

/** The content hash of a record Revline saw deleted: a later undelete and activation differs from it. */
export const DELETED = 'deleted';

export interface IntakeBatch {
  /** Orders changed (created, updated, undeleted): read and queued if activated and their content changed. */
  changed: readonly string[];
  /** Orders deleted, with the instant of the delete: queued as DELETE if Revline had queued them before. */
  deleted?: ReadonlyArray<{ id: string; stamp: string }>;
  /** Which path saw the record, and where. */
  capturedBy: (recordId: string) => CapturedBy;
  /**
   * When the change the path saw was committed, to the millisecond, where the path knows it (a change event's
   * `commitTimestamp`); SystemModstamp, which Salesforce keeps to the second, stands otherwise.
   */
  committedAt?: (recordId: string) => string | undefined;
  /** Saves the caller's position (replay id or cursor) in the same transaction. */
  savePosition?: (manager: EntityManager) => Promise<void>;
}

export interface IntakeResult {
  read: number;
  queued: number;
  /** Orders whose id Revline knows as another record: raised as exceptions, not queued. */
  refused: number;
}

/** The exception category of an order whose id Revline already knows as another record. */
export const RECORD_ID_REUSED = 'crm_record_id_reused';

/** A deleted order already emptied from the recycle bin: all Revline can still say is its id and when. */
function purgedOrder(id: string, stamp: string): CrmOrder {
  return {
    id,
    number: '',
    kind: 'new',
    status: '',
    activated: false,
    activatedAt: null,
    currency: null,
    effectiveDate: '',
    endDate: null,
    accountId: '',
    contractId: null,
    renewsContractId: null,
    totalAmount: '0',
    lastModifiedAt: stamp,
    changeStamp: stamp,
    deleted: true,
    account: null,
    lines: [],
    products: [],
    integration: {
      status: null,
      message: null,
      correlationId: null,
      billingId: null,
      erpId: null,
      lastSyncedAt: null,
    },
    fields: { Id: id, IsDeleted: true },
  };
}

interface Queued {
  order: CrmOrder;
  changeType: CrmRecordChangedPayload['changeType'];
  revision: number;
  commitTimestamp: string;
}

/**
 * Where both capture paths meet. Reads the orders, keeps the activated ones, and in one transaction records each
 * order's content hash and queues `crm.record-changed` through the outbox for those whose content changed —
 * with the caller's position (replay id or cursor) saved in the same transaction. A deleted order Revline had
 * queued is queued once more as a DELETE (the process layer raises it as an exception). Runs one batch at a time,
 * so a later read is always written after an earlier one.
 */
@Injectable()
export class ChangeIntake {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly crm: CrmPort,
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    private readonly exceptions: ExceptionRecorder,
  ) {}

  ingest(batch: IntakeBatch): Promise<IntakeResult> {
    // A batch (under the poll or the CDC signal that read it) is no one's business trace: each order it queues
    // starts its own, linked to the batch's span.
    const traced = () => inSpan('salesforce capture', { kind: SpanKind.INTERNAL }, () => this.run(batch));
    const run = this.chain.then(traced);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(batch: IntakeBatch): Promise<IntakeResult> {
    const deleted = batch.deleted ?? [];
    const [orders, gone] = await Promise.all([
      batch.changed.length > 0
        ? this.crm.readOrders(batch.changed).then((all) => all.filter((o) => o.activated && !o.deleted))
        : [],
      deleted.length > 0 ? this.deletedOrders(deleted) : [],
    ]);
    const { queued, reused } = await transaction(this.dataSource, async (manager) => {
      const known = await this.knownIdentities(manager, orders);
      const reused = orders.filter((o) => (known.get(o.id) ?? orderIdentity(o)) !== orderIdentity(o));
      const rows = [
        ...(await this.recordChanges(
          manager,
          orders.filter((o) => !reused.includes(o)),
          batch.committedAt,
        )),
        ...(await this.recordDeletes(manager, gone)),
      ];
      await this.enqueue(manager, rows, batch.capturedBy);
      for (const order of reused) await this.refuseReused(manager, order, batch.capturedBy);
      if (batch.savePosition) await batch.savePosition(manager);
      return { queued: rows.length, reused };
    });
    this.metrics.jobs.inc({ queue: 'crm.changes', job: 'crm.record-changed', outcome: 'captured' }, queued);
    return { read: orders.length + gone.length, queued, refused: reused.length };
  }

  /** The identity Revline recorded for each of these orders it has captured before (none for older rows). */
  private async knownIdentities(manager: EntityManager, orders: CrmOrder[]): Promise<Map<string, string>> {
    if (orders.length === 0) return new Map();
    const { rows } = await prepared<{ record_id: string; identity_hash: string }>(
      manager,
      `SELECT "record_id", "identity_hash" FROM ${this.table(manager)}
        WHERE "object_type" = 'Order' AND "record_id" = ANY($1::text[]) AND "identity_hash" IS NOT NULL`,
      [orders.map((o) => o.id)],
    );
    return new Map(rows.map((r) => [r.record_id, r.identity_hash]));
  }

  /**
   * An order under an id Revline knows as another record (created at another time, for another account or number:
   * an org whose ids started over) is neither a change of the known contract nor a new one Revline may book under
   * that id. It is raised as an exception for an operator, with both identities, and queued nowhere.
   */
  private async refuseReused(
    manager: EntityManager,
    order: CrmOrder,
    capturedBy: IntakeBatch['capturedBy'],
  ): Promise<void> {
    const identity = orderIdentity(order);
    const key = `salesforce:Order:${order.id}:identity:${identity.slice(0, 16)}`;
    // The same change seen again (by its change event and by the catch-up poll alike) is the exception already
    // raised, not another occurrence: an operator's resolution of it stands. A later change of the order raises anew.
    const seen = await prepared(
      manager,
      `SELECT 1 FROM ${this.tableOf(manager, 'exceptions')}
        WHERE "job" = 'crm.record-changed' AND "idempotency_key" = $1
          AND "envelope"->'payload'->>'commitTimestamp' = $2`,
      [key, order.changeStamp],
    );
    if (seen.rows.length > 0) return;
    const envelope = createEnvelope(
      'crm.record-changed',
      {
        objectType: 'Order',
        recordId: order.id,
        changeType: 'CREATE',
        commitTimestamp: order.changeStamp,
        capturedBy: capturedBy(order.id),
        record: order as unknown as Record<string, unknown>,
      },
      { idempotencyKey: key, causationId: null },
    );
    await this.exceptions.record(
      envelope,
      {
        category: RECORD_ID_REUSED,
        reason:
          `Salesforce order ${order.id} (number ${order.number}, account ${order.accountId}, created ${String(order.fields.CreatedDate)}) ` +
          'reuses the id of another order Revline already captured; it was not queued. Check that Revline is connected to the org it was set up with.',
        details: { recordId: order.id, orderNumber: order.number, accountId: order.accountId, identity },
      },
      manager,
    );
  }

  /** The deleted orders as Salesforce keeps them in its recycle bin; one no longer there is described by its id. */
  private async deletedOrders(deleted: ReadonlyArray<{ id: string; stamp: string }>): Promise<CrmOrder[]> {
    const found = new Map(
      (
        await this.crm.readOrders(
          deleted.map((d) => d.id),
          { includeDeleted: true },
        )
      )
        .filter((o) => o.deleted)
        .map((o) => [o.id, o]),
    );
    return deleted.map(({ id, stamp }) => found.get(id) ?? purgedOrder(id, stamp));
  }

  /** Records each order's content; answers those whose content differs from what was last queued. */
  private async recordChanges(
    manager: EntityManager,
    orders: CrmOrder[],
    committedAt: IntakeBatch['committedAt'],
  ): Promise<Queued[]> {
    if (orders.length === 0) return [];
    const { rows } = await prepared<{ record_id: string; revision: number }>(
      manager,
      `INSERT INTO ${this.table(manager)}
         ("object_type", "record_id", "content_hash", "identity_hash", "revision", "change_stamp")
       SELECT 'Order', r.id, r.hash, r.identity, 1, r.stamp::timestamptz
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r(id, hash, stamp, identity)
       ON CONFLICT ("object_type", "record_id") DO UPDATE
         SET "content_hash" = EXCLUDED."content_hash", "revision" = "captured_record"."revision" + 1,
             "identity_hash" = EXCLUDED."identity_hash",
             "change_stamp" = EXCLUDED."change_stamp", "captured_at" = now()
         WHERE "captured_record"."content_hash" <> EXCLUDED."content_hash"
           AND "captured_record"."change_stamp" <= EXCLUDED."change_stamp"
       RETURNING "record_id", "revision"`,
      [
        orders.map((o) => o.id),
        orders.map((o) => orderContentHash(o)),
        orders.map((o) => o.changeStamp),
        orders.map((o) => orderIdentity(o)),
      ],
    );
    const revision = new Map(rows.map((r) => [r.record_id, r.revision]));
    return orders.flatMap((order) => {
      const rev = revision.get(order.id);
      return rev === undefined
        ? []
        : [
            {
              order,
              revision: rev,
              changeType: rev === 1 ? 'CREATE' : 'UPDATE',
              commitTimestamp: commitTime(order.changeStamp, committedAt?.(order.id)),
            },
          ];
    });
  }

  /**
   * Marks deleted the orders Revline had queued and not yet seen deleted; answers those. A draft deleted before
   * it was ever activated was never queued, and is nothing to Revline.
   */
  private async recordDeletes(manager: EntityManager, orders: CrmOrder[]): Promise<Queued[]> {
    if (orders.length === 0) return [];
    const { rows } = await prepared<{ record_id: string; revision: number }>(
      manager,
      `UPDATE ${this.table(manager)} AS c
          SET "content_hash" = '${DELETED}', "revision" = c."revision" + 1,
              "change_stamp" = d.stamp::timestamptz, "captured_at" = now()
         FROM unnest($1::text[], $2::text[]) AS d(id, stamp)
        WHERE c."object_type" = 'Order' AND c."record_id" = d.id
          AND c."content_hash" <> '${DELETED}' AND c."change_stamp" <= d.stamp::timestamptz
       RETURNING c."record_id", c."revision"`,
      [orders.map((o) => o.id), orders.map((o) => o.changeStamp)],
    );
    const revision = new Map(rows.map((r) => [r.record_id, r.revision]));
    return orders.flatMap((order) => {
      const rev = revision.get(order.id);
      return rev === undefined
        ? []
        : [{ order, revision: rev, changeType: 'DELETE' as const, commitTimestamp: order.changeStamp }];
    });
  }

  /** One multi-row outbox insert for the batch; a row whose (job, idempotency key) exists is kept as it was. */
  private async enqueue(
    manager: EntityManager,
    rows: Queued[],
    capturedBy: IntakeBatch['capturedBy'],
  ): Promise<void> {
    if (rows.length === 0) return;
    const envelopes = rows.map(({ order, revision, changeType, commitTimestamp }) => {
      const payload: CrmRecordChangedPayload = {
        objectType: 'Order',
        recordId: order.id,
        changeType,
        commitTimestamp,
        capturedBy: capturedBy(order.id),
        revision,
        record: order as unknown as Record<string, unknown>,
      };
      const options = {
        idempotencyKey: `salesforce:Order:${order.id}:r${String(revision)}`,
        correlationId: order.integration.correlationId ?? undefined,
        causationId: null,
      };
      // One trace per captured change: from here through process-q2c, billing, the ERP and the write-back.
      const batchSpan = trace.getActiveSpan()?.spanContext();
      const produced = startSpan('crm.record-changed publish', {
        kind: SpanKind.PRODUCER,
        root: true,
        links: batchSpan ? [{ context: batchSpan }] : [],
        attributes: {
          'messaging.system': 'bullmq',
          'messaging.operation.type': 'send',
          'messaging.destination.name': queueOf('crm.record-changed'),
          'revline.salesforce.order_id': order.id,
          'revline.salesforce.change_type': changeType,
        },
      });
      try {
        const envelope = withTraceContext(produced?.context, () =>
          createEnvelope('crm.record-changed', payload, options),
        );
        produced?.span.setAttributes({
          'messaging.message.id': envelope.messageId,
          'revline.correlation_id': envelope.correlationId,
        });
        return envelope;
      } finally {
        produced?.span.end();
      }
    });
    await prepared(
      manager,
      `INSERT INTO ${this.tableOf(manager, 'outbox')} ("message_id", "queue", "job", "idempotency_key", "envelope")
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
       ON CONFLICT DO NOTHING`,
      [
        envelopes.map((e) => e.messageId),
        envelopes.map(() => queueOf('crm.record-changed')),
        envelopes.map((e) => e.job),
        envelopes.map((e) => e.idempotencyKey),
        envelopes.map((e) => JSON.stringify(e)),
      ],
    );
    // The relay publishes them as soon as the batch commits, not at its next idle poll (up to a second later).
    outboxWritten(manager);
  }

  private table(manager: EntityManager): string {
    return this.tableOf(manager, 'captured_record');
  }

  private tableOf(manager: EntityManager, table: string): string {
    return `"${manager.connection.driver.schema ?? 'salesforce'}"."${table}"`;
  }
}
