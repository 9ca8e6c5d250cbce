import { Injectable, Logger } from '@nestjs/common';
import type { CrmFeedSignal, CrmSubscription } from '@revline/crm-port';
import { CrmPort } from '@revline/crm-port';
import { prepared } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { SalesforceConfig } from '../config';
import { ChangeIntake } from './change-intake';
import { isWriteBackOnly } from './content-hash';
import { CdcPositionEntity } from './entities';
import { OrderPoller } from './order-poller';

/**
 * The CDC path: subscribes from the replay id stored in Postgres, fans merged events out to their records,
 * drops Revline's own writes (by changeOrigin, integration user, or a write-back-only field set), queues the
 * rest through the intake (deletes as deletes) and stores the replay id in the same transaction. Gap events and an expired replay id
 * hand over to the poller.
 */
@Injectable()
export class CdcCapture {
  private readonly logger = new Logger(CdcCapture.name);
  private subscription?: CrmSubscription;

  constructor(
    private readonly crm: CrmPort,
    private readonly intake: ChangeIntake,
    private readonly poller: OrderPoller,
    private readonly dataSource: DataSource,
    private readonly config: SalesforceConfig,
  ) {}

  async start(): Promise<void> {
    const channel = this.config.SALESFORCE_CDC_CHANNEL;
    const stored = await this.dataSource.getRepository(CdcPositionEntity).findOneBy({ channel });
    this.subscription = await this.crm.subscribe({
      from: stored?.replayId ?? null,
      onSignal: (signal) => this.handle(signal),
      onPositionExpired: async () => {
        this.poller.runNow();
        await Promise.resolve();
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }

  private async handle(signal: CrmFeedSignal): Promise<void> {
    if (signal.kind === 'gap') {
      this.logger.warn({ msg: 'change feed gap: polling to catch up', reason: signal.reason });
      this.poller.runNow();
      return;
    }
    const orders = signal.notices.filter((n) => n.objectType === 'Order' && !n.ownWrite);
    const changed = orders.filter((n) => n.changeType !== 'DELETE' && !isWriteBackOnly(n.changedFields));
    const deleted = orders.filter((n) => n.changeType === 'DELETE');
    const positionOf = new Map([...changed, ...deleted].map((n) => [n.recordId, n.position]));
    // The last change event of a record is the commit its current state is from (when nothing changed it since).
    const committedAt = new Map(changed.map((n) => [n.recordId, n.commitTimestamp]));
    await this.intake.ingest({
      changed: [...new Set(changed.map((n) => n.recordId))],
      deleted: [...new Map(deleted.map((n) => [n.recordId, n.commitTimestamp])).entries()].map(
        ([id, stamp]) => ({
          id,
          stamp,
        }),
      ),
      capturedBy: (recordId) => ({ channel: 'cdc', replayId: positionOf.get(recordId) ?? signal.position }),
      committedAt: (recordId) => committedAt.get(recordId),
      savePosition: (manager) => this.savePosition(manager, signal.position),
    });
  }

  private async savePosition(manager: EntityManager, replayId: string): Promise<void> {
    await prepared(
      manager,
      `INSERT INTO "${manager.connection.driver.schema ?? 'salesforce'}"."cdc_position" ("channel", "replay_id", "updated_at")
       VALUES ($1, $2, $3) ON CONFLICT ("channel") DO UPDATE
         SET "replay_id" = EXCLUDED."replay_id", "updated_at" = EXCLUDED."updated_at"`,
      [this.config.SALESFORCE_CDC_CHANNEL, replayId, new Date()],
    );
  }
}
