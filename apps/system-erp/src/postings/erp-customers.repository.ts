import { Injectable } from '@nestjs/common';
import type { ErpPostingResult } from '@revline/erp-port';
import { RedisConnections } from '@revline/messaging';
import { prepared } from '@revline/persistence';
import { createHash } from 'node:crypto';
import { Mutex } from 'redis-semaphore';
import { DataSource } from 'typeorm';

/**
 * The ERP customers Revline upserted, so that one is asked of the ERP once per external id (once per CRM account):
 * a later contract of the account, or a second booking at the same moment, is answered from this table. Concurrent
 * commands for one external id are serialised across workers by a Redis mutex, and the second reads the row the
 * first wrote: the ERP sees one upsert, never two racing on the same external id.
 */
@Injectable()
export class ErpCustomers {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisConnections,
  ) {}

  private get table(): string {
    return `"${this.dataSource.driver.schema ?? 'erp'}"."customers"`;
  }

  private async known(externalId: string): Promise<ErpPostingResult | null> {
    const { rows } = await prepared<{ erp_id: string }>(
      this.dataSource,
      `SELECT "erp_id" FROM ${this.table} WHERE "external_id" = $1`,
      [externalId],
    );
    const row = rows.at(0);
    return row ? { kind: 'customer', externalId, erpId: row.erp_id } : null;
  }

  /**
   * The customer recorded under an external id (null if none) and whether a message is in the inbox, in one read:
   * a command that carries a customer asks both before it calls the ERP (see ErpCommandRunner.alreadyApplied).
   */
  async knownAndApplied(
    externalId: string,
    inbox: { consumer: string; idempotencyKey: string },
  ): Promise<{ known: ErpPostingResult | null; applied: boolean }> {
    const { rows } = await prepared<{ applied: boolean; erp_id: string | null }>(
      this.dataSource,
      `SELECT EXISTS (SELECT 1 FROM "${this.dataSource.driver.schema ?? 'erp'}"."inbox"
                       WHERE "consumer" = $1 AND "idempotency_key" = $2) AS "applied",
              (SELECT "erp_id" FROM ${this.table} WHERE "external_id" = $3) AS "erp_id"`,
      [inbox.consumer, inbox.idempotencyKey, externalId],
    );
    const row = rows.at(0);
    return {
      applied: row?.applied === true,
      known: row?.erp_id != null ? { kind: 'customer', externalId, erpId: row.erp_id } : null,
    };
  }

  /**
   * The customer's ERP record: the one upserted before, or the one `upsert` makes now (and remembers). `known` is
   * the record as the caller read it just before (knownAndApplied), when it did.
   */
  async once(
    externalId: string,
    upsert: () => Promise<ErpPostingResult>,
    known?: ErpPostingResult | null,
  ): Promise<ErpPostingResult> {
    const before = known === undefined ? await this.known(externalId) : known;
    if (before) return before;
    const digest = createHash('sha256').update(externalId).digest('hex').slice(0, 32);
    const mutex = new Mutex(await this.redis.producer(), `${this.redis.prefix}:erp:customer:${digest}`, {
      acquireTimeout: 120_000,
      lockTimeout: 60_000,
      retryInterval: 20,
      onLockLost: () => undefined,
    });
    await mutex.acquire();
    try {
      const raced = await this.known(externalId);
      if (raced) return raced;
      const posted = await upsert();
      await prepared(
        this.dataSource,
        `INSERT INTO ${this.table} ("external_id", "erp_id") VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [externalId, posted.erpId],
      );
      return posted;
    } finally {
      await mutex.release();
    }
  }
}
