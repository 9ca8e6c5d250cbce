import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import { SalesforceConfig } from '../config';
import { CdcCapture } from './cdc-capture';
import { OrderPoller } from './order-poller';

const LOCK_KEY = 'revline:salesforce-capture';

/**
 * Change capture runs in one process at a time (a Postgres advisory lock held on its own connection); the other
 * replicas wait and take over when it goes away. One capturer keeps reads and writes of each record in order.
 */
@Injectable()
export class CaptureLeader implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CaptureLeader.name);
  private runner?: QueryRunner;
  private leading = false;
  private stopped = false;
  private campaign?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cdc: CdcCapture,
    private readonly poller: OrderPoller,
    private readonly config: SalesforceConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.SALESFORCE_CAPTURE_ENABLED) return;
    this.campaign = this.campaignForLead();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.campaign;
    if (this.leading) {
      await this.cdc.stop();
      await this.poller.stop();
      await this.runner?.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_KEY]).catch(() => undefined);
    }
    await this.runner?.release();
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private async campaignForLead(): Promise<void> {
    this.runner = this.dataSource.createQueryRunner();
    while (!this.stopped && !this.leading) {
      const row = (await this.runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        LOCK_KEY,
      ])) as Array<{ locked: boolean }>;
      if (row.at(0)?.locked) {
        this.leading = true;
        this.poller.start();
        await this.startCdc();
        return;
      }
      await sleep(2_000);
    }
  }

  private async startCdc(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.cdc.start();
        return;
      } catch (error) {
        this.logger.warn({ msg: 'CDC subscription failed; the poller carries on, retrying', err: error });
        await sleep(2_000);
      }
    }
  }
}
