import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { Inbox, JobHandler } from '@revline/messaging';
import type { LineageHop } from '../lineage/lineage-recorder';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { SAGAS_CONSUMER } from './billing-events.handler';
import { confirmRevenueParts, postingHops, rejectRevenueParts } from './revenue-batch';
import { SAGA_STATUS } from './saga-data';
import { SagaRunner } from './saga-runner';
import { SagaStore } from './saga-store';
import { VoidInvoice } from './void-invoice';

/** The erp.events queue: the ERP's confirmations and refusals of the sagas' commands. */
@Injectable()
export class ErpEventsHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly store: SagaStore,
    private readonly runner: SagaRunner,
    private readonly lineage: LineageRecorder,
    private readonly voids: VoidInvoice,
  ) {}

  @JobHandler('erp.posted')
  async posted(envelope: Envelope<'erp.posted'>): Promise<unknown> {
    const p = envelope.payload;
    const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, async (manager) => {
      const command = await this.store.bySentCommand(manager, p.commandIdempotencyKey);
      if (!command) return { ignored: `command ${p.commandIdempotencyKey} was not sent by a saga` };
      await this.runner.within(manager, command.sagaId, async (saga) => {
        // A revenue batch: each schedule and journal is confirmed on its own row (before the batch, so a saga
        // parked by a refused journal sees that journal posted when the batch's retry is confirmed).
        if (p.postings) await confirmRevenueParts(manager, saga, p.postings);
        await this.runner.confirm(manager, saga, p.commandIdempotencyKey, p.erpId || null);
        saga.data.lastErpPostedAt = new Date().toISOString();
        const rows = await manager.query<Array<{ external_id: string | null }>>(
          `SELECT "external_id" FROM "q2c"."saga_commands" WHERE "idempotency_key" = $1`,
          [p.commandIdempotencyKey],
        );
        const sent = rows.at(0)?.external_id;
        if (command.job === 'erp.upsert-customer') saga.data.erpCustomerId = p.erpId;
        for (const doc of [...saga.data.invoices, ...saga.data.creditNotes]) {
          if (doc.erpExternalId === sent) doc.erpId = p.erpId;
        }
        await this.lineage.record(
          [
            {
              contractId: saga.contractId,
              system: 'erp',
              objectType: p.recordType,
              externalId: sent ?? p.externalId,
              status: p.outcome ?? 'posted',
              correlationId: saga.correlationId,
              detail: [
                p.erpId && `ERP id ${p.erpId}`,
                p.postedAmountMinor && `posted ${p.postedAmountMinor}`,
                p.postings && `${String(p.postings.length)} records`,
              ]
                .filter(Boolean)
                .join(', '),
            },
            ...postingHops(saga, p.postings ?? []),
          ],
          manager,
        );
      });
      // An invoice its billing platform voided before a saga took it in: reversed now that it stands.
      if (command.job === 'erp.post-invoice')
        await this.voids.afterInvoicePosted(manager, p.externalId, envelope.correlationId);
      return { sagaId: command.sagaId };
    });
    return outcome.applied ? outcome.result : { duplicate: true };
  }

  /** The ERP refused a command: the saga parks where it is (system-erp holds the exception to retry). */
  @JobHandler('erp.rejected')
  async rejected(envelope: Envelope<'erp.rejected'>): Promise<unknown> {
    const p = envelope.payload;
    const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, async (manager) => {
      const command = await this.store.bySentCommand(manager, p.commandIdempotencyKey);
      if (!command) return { ignored: `command ${p.commandIdempotencyKey} was not sent by a saga` };
      const saga = await this.store.lock(manager, command.sagaId);
      if (!saga) return { ignored: 'no saga' };
      await manager.query(
        `UPDATE "q2c"."saga_commands" SET "status" = 'rejected' WHERE "idempotency_key" = $1 AND "status" = 'sent'`,
        [p.commandIdempotencyKey],
      );
      // A revenue batch refused in part: what posted stays posted, the refused journals are rejected one by one.
      if (p.postings) await confirmRevenueParts(manager, saga, p.postings);
      if (p.refused) await rejectRevenueParts(manager, saga, p.refused);
      saga.status = SAGA_STATUS.parked;
      saga.lastError = `erp_${p.category ?? 'rejected'}: ${p.message}`;
      await this.store.save(manager, saga);
      const refusedHops = (p.refused ?? []).map((r): LineageHop => ({
        contractId: saga.contractId,
        system: 'erp',
        objectType: r.recordType,
        externalId: r.key,
        status: 'rejected',
        correlationId: saga.correlationId,
        detail: `${r.errorCode}: ${r.message}`,
      }));
      await this.lineage.record(
        [
          ...(refusedHops.length > 0
            ? refusedHops
            : [
                {
                  contractId: saga.contractId,
                  system: 'erp' as const,
                  objectType: p.recordType,
                  externalId: p.externalId,
                  status: 'rejected',
                  correlationId: saga.correlationId,
                  detail: `${p.errorCode}: ${p.message}`,
                },
              ]),
          ...postingHops(saga, p.postings ?? []),
        ],
        manager,
      );
      return { sagaId: saga.sagaId, parked: true };
    });
    return outcome.applied ? outcome.result : { duplicate: true };
  }
}
