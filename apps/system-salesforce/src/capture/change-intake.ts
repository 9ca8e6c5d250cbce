import { Injectable } from '@nestjs/common';
import type { CrmOrder } from '@revline/crm-port';
import { CrmPort } from '@revline/crm-port';
import type { CrmRecordChangedPayload } from '@revline/messaging';
import { createEnvelope, OutboxMessageEntity, queueOf } from '@revline/messaging';
import { MetricsService } from '@revline/observability';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { orderContentHash } from './content-hash';

export type CapturedBy = CrmRecordChangedPayload['capturedBy'];

export interface IntakeResult {
  read: number;
  queued: number;
}

/**
 * Where both capture paths meet. Reads the orders, keeps the activated ones, and in one transaction records each
 * order's content hash and queues `crm.record-changed` through the outbox for those whose content changed —
 * with the caller's position (replay id or cursor) saved in the same transaction. Runs one batch at a time, so
 * a later read is always written after an earlier one.
 */
@Injectable()
export class ChangeIntake {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly crm: CrmPort,
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  ingest(
    orderIds: readonly string[],
    capturedBy: (order: CrmOrder) => CapturedBy,
    savePosition?: (manager: EntityManager) => Promise<void>,
  ): Promise<IntakeResult> {
    const run = this.chain.then(() => this.run(orderIds, capturedBy, savePosition));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(
    orderIds: readonly string[],
    capturedBy: (order: CrmOrder) => CapturedBy,
    savePosition?: (manager: EntityManager) => Promise<void>,
  ): Promise<IntakeResult> {
    const orders =
      orderIds.length > 0 ? (await this.crm.readOrders(orderIds)).filter((o) => o.activated) : [];
    const queued = await this.dataSource.transaction(async (manager) => {
      let count = 0;
      if (orders.length > 0) {
        const hashes = orders.map((order) => orderContentHash(order));
        const schema = manager.connection.driver.schema ?? 'salesforce';
        const rows: Array<{ record_id: string; revision: number }> = await manager.query(
          `INSERT INTO "${schema}"."captured_record" ("object_type", "record_id", "content_hash", "revision", "change_stamp")
           SELECT 'Order', r.id, r.hash, 1, r.stamp::timestamptz
             FROM unnest($1::text[], $2::text[], $3::text[]) AS r(id, hash, stamp)
           ON CONFLICT ("object_type", "record_id") DO UPDATE
             SET "content_hash" = EXCLUDED."content_hash", "revision" = "captured_record"."revision" + 1,
                 "change_stamp" = EXCLUDED."change_stamp", "captured_at" = now()
             WHERE "captured_record"."content_hash" <> EXCLUDED."content_hash"
               AND "captured_record"."change_stamp" <= EXCLUDED."change_stamp"
           RETURNING "record_id", "revision"`,
          [orders.map((o) => o.id), hashes, orders.map((o) => o.changeStamp)],
        );
        const revision = new Map(rows.map((r) => [r.record_id, r.revision]));
        const values = orders
          .filter((order) => revision.has(order.id))
          .map((order) => {
            const rev = revision.get(order.id) ?? 1;
            const payload: CrmRecordChangedPayload = {
              objectType: 'Order',
              recordId: order.id,
              changeType: rev === 1 ? 'CREATE' : 'UPDATE',
              commitTimestamp: order.changeStamp,
              capturedBy: capturedBy(order),
              revision: rev,
              record: order as unknown as Record<string, unknown>,
            };
            const envelope = createEnvelope('crm.record-changed', payload, {
              idempotencyKey: `salesforce:Order:${order.id}:r${String(rev)}`,
              correlationId: order.integration.correlationId ?? undefined,
              causationId: null,
            });
            return {
              messageId: envelope.messageId,
              queue: queueOf('crm.record-changed'),
              job: 'crm.record-changed',
              idempotencyKey: envelope.idempotencyKey,
              envelope,
            };
          });
        if (values.length > 0) {
          await manager
            .createQueryBuilder()
            .insert()
            .into(OutboxMessageEntity)
            .values(values)
            .orIgnore()
            .execute();
        }
        count = values.length;
      }
      if (savePosition) await savePosition(manager);
      return count;
    });
    this.metrics.jobs.inc({ queue: 'crm.changes', job: 'crm.record-changed', outcome: 'captured' }, queued);
    return { read: orders.length, queued };
  }
}
