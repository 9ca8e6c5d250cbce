import { OutboxMessageEntity } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase, eventually } from '@revline/testing';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../../apps/sandbox/src/app.info';
import { SalesforceSandboxModule } from '../../apps/sandbox/src/salesforce/salesforce-sandbox.module';
import {
  activateOrders,
  createDraftOrders,
  loginToSandbox,
  seedCatalogue,
} from '../../apps/sandbox/src/salesforce/testing/seed';
import { AppModule } from '../../apps/system-salesforce/src/app.module';
import { APP } from '../../apps/system-salesforce/src/app.info';
import { RECORD_ID_REUSED } from '../../apps/system-salesforce/src/capture/change-intake';
import { DATABASE } from '../../apps/system-salesforce/src/database';

/**
 * An org whose ids start over (a sandbox restarted empty, a refreshed org) hands out an id Revline already knows to
 * another order. Change capture must raise it, not skip it as "no change" or queue it as an update of the old one.
 */
describe('change capture meeting a known order id that carries another record', () => {
  let db: TestDatabase;
  let sandbox: TestApp | undefined;
  let system: TestApp | undefined;

  const start = async (): Promise<Connection> => {
    sandbox = await createTestApp(SalesforceSandboxModule, SANDBOXES[0].spec, {
      SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
    });
    system = await createTestApp(AppModule, APP, {
      SALESFORCE_LOGIN_URL: sandbox.url,
      SALESFORCE_POLL_INTERVAL_MS: '300',
      OUTBOX_RELAY: 'off',
    });
    return loginToSandbox(sandbox.url);
  };
  const stop = async (): Promise<void> => {
    await system?.close();
    await sandbox?.close();
    system = undefined;
    sandbox = undefined;
  };
  const queuedFor = async (orderId: string): Promise<number> =>
    (await db.dataSource.getRepository(OutboxMessageEntity).findBy({ job: 'crm.record-changed' })).filter(
      (r) => (r.envelope as { payload: { recordId: string } }).payload.recordId === orderId,
    ).length;
  const exceptions = (orderId: string) =>
    db.dataSource.query<Array<{ category: string; reason: string; details: { recordId: string } }>>(
      `SELECT "category", "reason", "details" FROM "salesforce"."exceptions" WHERE "details"->>'recordId' = $1`,
      [orderId],
    );

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
  });

  afterAll(async () => {
    await stop();
    await db.drop();
  });

  it('raises a crm_record_id_reused exception and queues nothing for it', async () => {
    const first = await start();
    const [orderId] = await createDraftOrders(first, await seedCatalogue(first), 1);
    if (!orderId) throw new Error('no order');
    await activateOrders(first, [orderId]);
    await eventually(async () => (await queuedFor(orderId)) === 1, 20_000);
    await stop();

    // The same steps in an org started empty: the same ids, handed to records created later.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await start();
    const [reusedId] = await createDraftOrders(second, await seedCatalogue(second, 'Another Corp'), 1);
    expect(reusedId).toBe(orderId);
    await activateOrders(second, [orderId]);

    const raised = await eventually(async () => {
      const rows = await exceptions(orderId);
      return rows.length > 0 ? rows : undefined;
    }, 20_000);
    expect(raised).toHaveLength(1);
    expect(raised?.[0]?.category).toBe(RECORD_ID_REUSED);
    expect(raised?.[0]?.reason).toContain(`Salesforce order ${orderId}`);
    // Forwarded to the workbench in the same transaction: a system.exception-raised in the outbox.
    const forwarded = await db.dataSource
      .getRepository(OutboxMessageEntity)
      .findBy({ job: 'system.exception-raised' });
    // Once, though the change is seen by its change event and by the catch-up poll alike.
    expect(forwarded.map((r) => (r.envelope as { payload: unknown }).payload)).toMatchObject([
      { system: 'salesforce', category: RECORD_ID_REUSED, details: { recordId: orderId } },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await queuedFor(orderId)).toBe(1);
  });

  it('still queues a genuine update of a known order', async () => {
    const sales = await loginToSandbox(sandbox?.url ?? '');
    const [orderId] = await createDraftOrders(sales, await seedCatalogue(sales, 'Third Corp'), 1);
    if (!orderId) throw new Error('no order');
    await activateOrders(sales, [orderId]);
    await eventually(async () => (await queuedFor(orderId)) === 1, 20_000);
    await sales.sobject('Order').update({ Id: orderId, PoNumber: 'PO-7' });
    await eventually(async () => (await queuedFor(orderId)) === 2, 20_000);
    expect(await exceptions(orderId)).toEqual([]);
  });
});
