import { Injectable, Logger } from '@nestjs/common';
import type { CrmChangedRecord, CrmCursor } from '@revline/crm-port';
import { CrmPort } from '@revline/crm-port';
import { SpanKind } from '@opentelemetry/api';
import { inSpan } from '@revline/observability';
import { prepared } from '@revline/persistence';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { SalesforceConfig } from '../config';
import { ChangeIntake } from './change-intake';
import { BackfillEntity, PollCursorEntity } from './entities';

export const SAFETY_NET = 'orders';
const PAGE = 200;

/** Lowest possible id: a cursor at a stamp with this id starts before every record of that stamp. */
export const BEFORE_ALL_IDS = '000000000000000';

/**
 * The SOQL poller: the safety net under CDC and the backfill when CDC cannot resume. It walks activated (and
 * deleted) orders by the compound `(SystemModstamp, Id)` cursor, so records sharing a second are neither skipped nor repeated,
 * and keeps the cursor a little behind the newest change seen, re-reading that overlap next time so a late
 * commit stamped with an already-seen second is still caught (the content hash drops the repeats).
 */
@Injectable()
export class OrderPoller {
  private readonly logger = new Logger(OrderPoller.name);
  private running = false;
  private loop?: Promise<void>;
  private abort = new AbortController();
  private wake?: () => void;
  private runs: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly crm: CrmPort,
    private readonly intake: ChangeIntake,
    private readonly dataSource: DataSource,
    private readonly config: SalesforceConfig,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
    await this.runs;
  }

  /** Polls now instead of at the next interval: after a gap event or an expired replay id. */
  runNow(): void {
    this.wake?.();
  }

  /** Walks one named cursor to the present; answers how many orders it queued. */
  catchUp(name: string): Promise<number> {
    const run = this.runs.then(() =>
      inSpan(`salesforce poll ${name}`, { kind: SpanKind.INTERNAL, root: true }, () => this.walk(name)),
    );
    this.runs = run.catch(() => undefined);
    return run;
  }

  async runBackfill(backfillId: string): Promise<void> {
    const repo = this.dataSource.getRepository(BackfillEntity);
    try {
      const queued = await this.catchUp(`backfill:${backfillId}`);
      await repo.update(backfillId, { status: 'completed', ordersQueued: queued, completedAt: new Date() });
    } catch (error) {
      this.logger.error({ msg: 'backfill failed', backfillId, err: error });
      await repo.update(backfillId, { status: 'failed', completedAt: new Date() });
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.catchUp(SAFETY_NET);
      } catch (error) {
        this.logger.warn({ msg: 'poll failed; retrying at the next interval', err: error });
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void sleep(this.config.SALESFORCE_POLL_INTERVAL_MS, undefined, { signal: this.abort.signal })
          .catch(() => undefined)
          .then(resolve);
      });
    }
  }

  private async walk(name: string): Promise<number> {
    const repo = this.dataSource.getRepository(PollCursorEntity);
    const stored = await repo.findOneBy({ name });
    let cursor: CrmCursor = stored
      ? { stamp: stored.stamp.toISOString(), id: stored.recordId }
      : {
          stamp: new Date(Date.now() - this.config.SALESFORCE_POLL_LOOKBACK_HOURS * 3_600_000).toISOString(),
          id: BEFORE_ALL_IDS,
        };
    let queued = 0;
    for (;;) {
      const page = await this.crm.changedOrdersSince(cursor, PAGE);
      const next = page.done ? this.behindOverlap(cursor, page.changes) : page.next;
      const cursorLabel = `${cursor.stamp}|${cursor.id}`;
      const result = await this.intake.ingest({
        changed: page.changes.filter((c) => !c.deleted).map((c) => c.id),
        deleted: page.changes.filter((c) => c.deleted).map((c) => ({ id: c.id, stamp: c.stamp })),
        capturedBy: () => ({ channel: 'poller', cursor: cursorLabel }),
        savePosition: async (manager) => {
          await prepared(
            manager,
            `INSERT INTO "${manager.connection.driver.schema ?? 'salesforce'}"."poll_cursor"
               ("name", "stamp", "record_id", "updated_at") VALUES ($1, $2, $3, $4)
             ON CONFLICT ("name") DO UPDATE SET "stamp" = EXCLUDED."stamp", "record_id" = EXCLUDED."record_id",
               "updated_at" = EXCLUDED."updated_at"`,
            [name, new Date(next.stamp), next.id, new Date()],
          );
        },
      });
      queued += result.queued;
      cursor = next;
      if (page.done) return queued;
    }
  }

  /** The last record at least the overlap older than the newest in the page; or the old cursor. */
  private behindOverlap(cursor: CrmCursor, changes: readonly CrmChangedRecord[]): CrmCursor {
    const newest = changes.at(-1);
    if (!newest) return cursor;
    const limit = new Date(newest.stamp).getTime() - this.config.SALESFORCE_POLL_OVERLAP_MS;
    const behind = changes.findLast((change) => new Date(change.stamp).getTime() <= limit);
    return behind ? { stamp: behind.stamp, id: behind.id } : cursor;
  }
}
