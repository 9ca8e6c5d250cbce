import type { CrmWriteBackConfirmation, Envelope } from '@revline/messaging';
import { createEnvelope, OutboxMessageEntity, Queues } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase, eventually } from '@revline/testing';
import type { Connection } from 'jsforce';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../../apps/sandbox/src/app.info';
import { SalesforceSandboxModule } from '../../apps/sandbox/src/salesforce/salesforce-sandbox.module';
import type { Catalogue } from '../../apps/sandbox/src/salesforce/testing/seed';
import {
  activateOrders,
  createDraftOrders,
  loginToSandbox,
  seedCatalogue,
} from '../../apps/sandbox/src/salesforce/testing/seed';
import { AppModule } from '../../apps/system-salesforce/src/app.module';
import { APP } from '../../apps/system-salesforce/src/app.info';
import { DATABASE } from '../../apps/system-salesforce/src/database';
import { WriteBackHandler } from '../../apps/system-salesforce/src/write-back/write-back.handler';

/**
 * Write-backs batched across contracts, through the sandbox with jsforce: the jobs of one second go out as one
 * sObject Collections or Composite call, and each job is answered by its own record's result.
 */
describe('Salesforce write-backs batched into sObject Collections and Composite calls', () => {
  let sandbox: TestApp;
  let db: TestDatabase;
  let system: TestApp;
  let sales: Connection;
  let catalogue: Catalogue;

  const stats = async (): Promise<Record<string, number>> =>
    (
      (await request(sandbox.url).get('/sandbox/stats').expect(200)).body as {
        requests: Record<string, number>;
      }
    ).requests;
  const answers = async (job: string): Promise<Array<Envelope<'crm.rejected'>>> =>
    (await db.dataSource.getRepository(OutboxMessageEntity).findBy({ job })).map(
      (r) => r.envelope as unknown as Envelope<'crm.rejected'>,
    );
  /** The messages answering write-backs, and the confirmations they carry. */
  const writtenBack = async () =>
    (await db.dataSource.getRepository(OutboxMessageEntity).findBy({ job: 'crm.written-back' })).map(
      (r) => (r.envelope as unknown as Envelope<'crm.written-back'>).payload.confirmations,
    );
  const confirmations = async (): Promise<CrmWriteBackConfirmation[]> => (await writtenBack()).flat();
  const orders = async (n: number): Promise<string[]> => {
    const ids = await createDraftOrders(sales, catalogue, n);
    await activateOrders(sales, ids);
    return ids;
  };

  beforeAll(async () => {
    sandbox = await createTestApp(SalesforceSandboxModule, SANDBOXES[0].spec, {});
    db = await createTestDatabase(DATABASE);
    sales = await loginToSandbox(sandbox.url);
    catalogue = await seedCatalogue(sales);
    system = await createTestApp(AppModule, APP, {
      SALESFORCE_LOGIN_URL: sandbox.url,
      // No capture: every call the sandbox counts is a write-back's.
      SALESFORCE_CAPTURE_ENABLED: 'false',
      SALESFORCE_WRITE_BACK_BATCH_MS: '1000',
      OUTBOX_RELAY: 'off',
    });
  }, 60_000);

  afterAll(async () => {
    await system.close();
    await sandbox.close();
    await db.drop();
  });

  beforeEach(async () => {
    await request(sandbox.url).delete('/sandbox/validation-rules').expect(200);
  });

  it('a mixed batch (two object types, updates and invoice upserts) is read in one Composite call and written in one more; the refused record rejects its own job only', async () => {
    const [good, refused] = await orders(2);
    if (!good || !refused) throw new Error('no orders');
    await request(sandbox.url)
      .post('/sandbox/validation-rules')
      .send({ object: 'Order', field: 'Revline_ERP_Id__c', message: 'ERP ids are entered by finance.' })
      .expect(200);
    const invoice = (id: string) => ({
      invoiceId: id,
      number: id.toUpperCase(),
      amount: { amountMinor: '120000', currency: 'USD' },
      issuedOn: '2026-01-01',
      status: 'open' as const,
    });
    const envelopes = [
      createEnvelope(
        'crm.write-back',
        {
          objectType: 'Order',
          recordId: good,
          fields: { status: 'synced', billingId: 'sub_good' },
          invoices: [invoice('in_good')],
        },
        { idempotencyKey: `wb-good-${good}` },
      ),
      createEnvelope(
        'crm.write-back',
        { objectType: 'Order', recordId: refused, fields: { status: 'synced', erpId: 'SO-1' } },
        { idempotencyKey: `wb-refused-${refused}` },
      ),
      createEnvelope(
        'crm.write-back',
        {
          objectType: 'Account',
          recordId: catalogue.accountId,
          fields: { status: 'synced' },
          invoices: [invoice('in_account')],
        },
        { idempotencyKey: `wb-account-${catalogue.accountId}` },
      ),
    ];
    await request(sandbox.url).post('/sandbox/stats/reset').expect(200);
    const handler = system.app.get(WriteBackHandler);
    const started = Date.now();
    const results = await Promise.all(envelopes.map((e) => handler.writeBack(e)));
    expect(Date.now() - started).toBeLessThan(3_000);

    expect(results[0]).toEqual({
      changedFields: ['Revline_Integration_Status__c', 'Revline_Billing_Id__c'],
      invoicesWritten: 1,
    });
    expect(results[1]).toEqual({
      rejected: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'ERP ids are entered by finance.',
    });
    expect(results[2]).toEqual({ changedFields: ['Revline_Integration_Status__c'], invoicesWritten: 1 });
    // One Composite call reads both types' records, one more writes the batch: both types' updates, the invoices.
    expect(await stats()).toEqual({ composite: 2 });

    const written = await confirmations();
    // The call's two confirmations answered as one message.
    expect(await writtenBack()).toHaveLength(1);
    expect(written.map((c) => c.commandIdempotencyKey).sort()).toEqual(
      [`wb-account-${catalogue.accountId}`, `wb-good-${good}`].sort(),
    );
    const rejected = await answers('crm.rejected');
    expect(rejected.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        commandIdempotencyKey: `wb-refused-${refused}`,
        recordId: refused,
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        field: 'Revline_ERP_Id__c',
      }),
    ]);
    // What Salesforce holds: the good order and the account written, the refused order untouched.
    const [goodOrder, refusedOrder] = await sales.sobject('Order').retrieve([good, refused]);
    expect(goodOrder).toMatchObject({
      Revline_Integration_Status__c: 'Synced',
      Revline_Billing_Id__c: 'sub_good',
    });
    expect(refusedOrder).toMatchObject({ Revline_Integration_Status__c: null, Revline_ERP_Id__c: null });
    const account = await sales.sobject('Account').retrieve(catalogue.accountId);
    expect(account).toMatchObject({ Revline_Integration_Status__c: 'Synced' });
    const invoices = await sales.query<{ Revline_Invoice_Id__c: string; Revline_Order__c: string | null }>(
      `SELECT Revline_Invoice_Id__c, Revline_Order__c FROM Revline_Billing_Invoice__c`,
    );
    expect(invoices.records.map((r) => r.Revline_Invoice_Id__c).sort()).toEqual(['in_account', 'in_good']);

    // A repeat writes no field (the read finds them written) and upserts its invoice again: one row still.
    await request(sandbox.url).post('/sandbox/stats/reset').expect(200);
    expect(await handler.writeBack(envelopes[0])).toEqual({ changedFields: [], invoicesWritten: 1 });
    expect(await stats()).toEqual({ 'composite/sobjects': 2 });
    expect(await writtenBack()).toHaveLength(1);
    const again = await sales.query(
      `SELECT Id FROM Revline_Billing_Invoice__c WHERE Revline_Invoice_Id__c = 'in_good'`,
    );
    expect(again.totalSize).toBe(1);
  });

  it("an Order's write-back carries its Account's: both in one call, one answer; a refused Account part is its own refusal", async () => {
    const [id, other] = await orders(2);
    if (!id || !other) throw new Error('no orders');
    const handler = system.app.get(WriteBackHandler);
    const withAccount = (orderId: string, key: string, erpId: string) =>
      createEnvelope(
        'crm.write-back',
        {
          objectType: 'Order',
          recordId: orderId,
          fields: { status: 'synced', billingId: `sub_${key}` },
          account: {
            commandIdempotencyKey: `${key}-account`,
            recordId: catalogue.accountId,
            fields: { billingId: `cus_${key}`, erpId },
          },
        },
        { idempotencyKey: key },
      );

    await request(sandbox.url).post('/sandbox/stats/reset').expect(200);
    const written = withAccount(id, `wb-both-${id}`, `CUST-${id}`);
    expect(await handler.writeBack(written)).toEqual({
      changedFields: expect.arrayContaining(['Revline_Integration_Status__c', 'Revline_Billing_Id__c']),
      invoicesWritten: 0,
    });
    // One read (Composite, two object types) and one write for both records: the Account rode in the Order's batch.
    expect(await stats()).toEqual({ composite: 1, 'composite/sobjects': 1 });
    const account = (await sales.sobject('Account').retrieve(catalogue.accountId)) as {
      Revline_ERP_Id__c?: string;
    };
    expect(account.Revline_ERP_Id__c).toBe(`CUST-${id}`);
    const answer = (await confirmations()).find((c) => c.commandIdempotencyKey === written.idempotencyKey);
    expect(answer).toEqual({
      commandIdempotencyKey: written.idempotencyKey,
      objectType: 'Order',
      recordId: id,
      written: 1,
      account: {
        commandIdempotencyKey: `${written.idempotencyKey}-account`,
        recordId: catalogue.accountId,
        written: 1,
      },
    });

    // Salesforce refuses the Account part: its own crm.rejected, the Order's part still written and answered.
    await request(sandbox.url)
      .post('/sandbox/validation-rules')
      .send({ object: 'Account', field: 'Revline_ERP_Id__c', message: 'No ERP ids on accounts.' })
      .expect(200);
    const refused = withAccount(other, `wb-refused-account-${other}`, `CUST-${other}`);
    await handler.writeBack(refused);
    const rejections = (await answers('crm.rejected')).filter(
      (e) => e.payload.commandIdempotencyKey === `${refused.idempotencyKey}-account`,
    );
    expect(rejections.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        command: 'crm.write-back',
        objectType: 'Account',
        recordId: catalogue.accountId,
        message: expect.stringContaining('No ERP ids on accounts.'),
      }),
    ]);
    const orderAnswer = (await confirmations()).find(
      (c) => c.commandIdempotencyKey === refused.idempotencyKey,
    );
    expect(orderAnswer).toMatchObject({ recordId: other, written: 1 });
    expect(orderAnswer?.account).toBeUndefined();
    expect(
      (await answers('crm.rejected')).some((e) => e.payload.commandIdempotencyKey === refused.idempotencyKey),
    ).toBe(false);
    const order = (await sales.sobject('Order').retrieve(other)) as { Revline_Billing_Id__c?: string };
    expect(order.Revline_Billing_Id__c).toBe(`sub_${refused.idempotencyKey}`);
  });

  it('jobs taken from crm.commands together join one batch: one read and one sObject Collections update for all', async () => {
    const ids = await orders(30);
    await request(sandbox.url).post('/sandbox/stats/reset').expect(200);
    const before = await writtenBack();
    await system.app.get(Queues).publish(
      ids.map((id) =>
        createEnvelope(
          'crm.write-back',
          {
            objectType: 'Order',
            recordId: id,
            fields: { status: 'in_progress', correlationId: `c-${id}` },
          },
          { idempotencyKey: `wb-queued-${id}` },
        ),
      ),
    );
    await eventually(async () => (await confirmations()).length - before.flat().length === 30, 20_000);
    // Each call's 30 or fewer confirmations answered as one message, not one message per job.
    const messages = (await writtenBack()).length - before.length;
    expect(messages).toBeGreaterThanOrEqual(1);
    expect(messages).toBeLessThanOrEqual(4);
    const requests = await stats();
    // The 30 jobs joined at most two batches (the window may close between two of them): never a call per job.
    expect(Object.keys(requests)).toEqual(['composite/sobjects']);
    expect(requests['composite/sobjects']).toBeLessThanOrEqual(4);
    const records = await sales.sobject('Order').retrieve(ids);
    expect(
      records.every(
        (r) =>
          (r as { Revline_Integration_Status__c?: string }).Revline_Integration_Status__c === 'In Progress',
      ),
    ).toBe(true);
  });

  it('a failed call (REQUEST_LIMIT_EXCEEDED) fails every job of its batch as retryable, never as a refusal', async () => {
    const [id] = await orders(1);
    if (!id) throw new Error('no order');
    const faults = (body: object) => request(sandbox.url).post('/sandbox/faults').send(body).expect(200);
    const usage = (
      (await request(sandbox.url).get('/sandbox/faults').expect(200)).body as { apiUsage: number }
    ).apiUsage;
    await faults({ apiLimit: usage });
    const rejectedBefore = (await answers('crm.rejected')).length;
    try {
      const handler = system.app.get(WriteBackHandler);
      const envelope = createEnvelope(
        'crm.write-back',
        { objectType: 'Order', recordId: id, fields: { status: 'synced' } },
        { idempotencyKey: `wb-limit-${id}` },
      );
      await expect(handler.writeBack(envelope)).rejects.toMatchObject({
        message: expect.stringMatching(/Limit/),
      });
      expect((await answers('crm.rejected')).length).toBe(rejectedBefore);
    } finally {
      await faults({ apiLimit: 1_000_000 });
    }
  });
});
