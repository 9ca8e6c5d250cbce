import { ErpRejectedError, ErpUnavailableError } from '@revline/erp-port';
import type { Inbox, Outbox } from '@revline/messaging';
import { ConnectionError, createEnvelope, TransientError } from '@revline/messaging';
import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import type { ErpConfig } from '../erp.config';
import { ErpCommandRunner } from './erp-command-runner';

function runner() {
  const sent: Array<{ job: string; payload: unknown; key: string }> = [];
  const outbox = {
    add: (_m: unknown, job: string, payload: unknown, options: { idempotencyKey: string }) => {
      sent.push({ job, payload, key: options.idempotencyKey });
      return Promise.resolve();
    },
  } as unknown as Outbox;
  const dataSource = {
    transaction: (fn: (manager: unknown) => Promise<unknown>) => fn({}),
  } as unknown as DataSource;
  return {
    sent,
    runner: new ErpCommandRunner(dataSource, {} as Inbox, outbox, { ERP_ANSWER_BATCH_MS: 0 } as ErpConfig),
  };
}

const envelope = createEnvelope(
  'erp.post-invoice',
  {
    externalId: 'INV-in_1',
    customerExternalId: 'CUST-1',
    currency: 'USD',
    tranDate: '2026-03-05',
    lines: [],
  },
  { idempotencyKey: 'saga:e1:erp-invoice', correlationId: 'c1' },
);
const spec = { recordType: 'invoice', externalId: 'INV-in_1' };

describe('classifying the ERP failures of a command', () => {
  it("a refusal (closed period) is answered with erp.rejected carrying NetSuite's code: nothing left to throw", async () => {
    const { runner: r, sent } = runner();
    const error = new ErpRejectedError(
      'closed_period',
      'USER_ERROR',
      'The period is closed',
      'postingPeriod',
    );
    expect(await r.classify(envelope, spec, error)).toBeNull();
    expect(sent).toEqual([
      {
        job: 'erp.rejected',
        key: expect.stringMatching(/^saga:e1:erp-invoice:rejected:/) as unknown,
        payload: {
          commandIdempotencyKey: 'saga:e1:erp-invoice',
          recordType: 'invoice',
          externalId: 'INV-in_1',
          errorCode: 'USER_ERROR',
          message: 'The period is closed',
          category: 'closed_period',
          field: 'postingPeriod',
        },
      },
    ]);
  });

  it('each refusal is its own answer, so a retry refused again is heard again', async () => {
    const { runner: r, sent } = runner();
    const error = new ErpRejectedError('validation', 'INVALID_KEY_OR_REF', 'Invalid item reference');
    await r.classify(envelope, spec, error);
    await r.classify(envelope, spec, error);
    expect(new Set(sent.map((s) => s.key)).size).toBe(2);
  });

  it('a refused login is the connection, not the command: no erp.rejected', async () => {
    const { runner: r, sent } = runner();
    const failure = await r.classify(
      envelope,
      spec,
      new ErpRejectedError('authentication', 'INVALID_LOGIN_ATTEMPT', 'Invalid login attempt.'),
    );
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).connection).toBe('netsuite');
    expect(sent).toEqual([]);
  });

  it('an unreachable ERP (429, 5xx, timeout) is transient', async () => {
    const { runner: r, sent } = runner();
    const failure = await r.classify(
      envelope,
      spec,
      new ErpUnavailableError('Too many requests', 'CONCURRENCY_LIMIT_EXCEEDED'),
    );
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).not.toBeInstanceOf(ConnectionError);
    expect(sent).toEqual([]);
  });
});

describe('answering the commands the ERP posted', () => {
  /** A runner whose inbox applies every message once, and fails any batch holding `poison`. */
  function answering(poison?: string) {
    const sent: Array<{ job: string; payload: unknown; key: string }> = [];
    const applied = new Set<string>();
    const transactions: string[][] = [];
    const inbox = {
      runOnceEach: async (
        _consumer: string,
        envelopes: ReadonlyArray<{ idempotencyKey: string }>,
        effect: (manager: unknown, fresh: readonly unknown[]) => Promise<void>,
      ) => {
        const keys = envelopes.map((e) => e.idempotencyKey);
        if (poison && keys.includes(poison)) throw new Error(`${poison} cannot be recorded`);
        const fresh = envelopes.filter((e) => !applied.has(e.idempotencyKey));
        const staged: Array<{ job: string; payload: unknown; key: string }> = [];
        const outbox = (job: string, payload: unknown, key: string) => staged.push({ job, payload, key });
        await effect({ outbox }, fresh);
        transactions.push(keys);
        for (const e of fresh) applied.add(e.idempotencyKey);
        sent.push(...staged);
        return envelopes.map((e) => fresh.includes(e));
      },
    } as unknown as Inbox;
    const outbox = {
      add: (
        manager: { outbox: (j: string, p: unknown, k: string) => void },
        job: string,
        payload: unknown,
        o: { idempotencyKey: string },
      ) => {
        manager.outbox(job, payload, o.idempotencyKey);
        return Promise.resolve();
      },
    } as unknown as Outbox;
    const r = new ErpCommandRunner({} as DataSource, inbox, outbox, { ERP_ANSWER_BATCH_MS: 20 } as ErpConfig);
    return { r, sent, transactions };
  }
  const command = (n: number) =>
    createEnvelope(
      'erp.post-invoice',
      { ...envelope.payload, externalId: `INV-${String(n)}` },
      {
        idempotencyKey: `cmd-${String(n)}`,
      },
    );
  const posted = (n: number) => ({
    kind: 'invoice' as const,
    externalId: `INV-${String(n)}`,
    erpId: String(100 + n),
  });

  it('answers commands ending together in one transaction and one erp.posted-many; a lone one as erp.posted', async () => {
    const { r, sent, transactions } = answering();
    const applied = await Promise.all([1, 2, 3].map((n) => r.answer(command(n), 'invoice', posted(n))));
    expect(applied).toEqual([true, true, true]);
    expect(transactions).toEqual([['cmd-1', 'cmd-2', 'cmd-3']]);
    expect(sent).toEqual([
      {
        job: 'erp.posted-many',
        key: 'posted-many:cmd-1',
        payload: {
          confirmations: [1, 2, 3].map((n) => ({
            commandIdempotencyKey: `cmd-${String(n)}`,
            recordType: 'invoice',
            externalId: `INV-${String(n)}`,
            erpId: String(100 + n),
            outcome: 'posted',
          })),
        },
      },
    ]);
    expect(await r.answer(command(4), 'invoice', posted(4))).toBe(true);
    expect(sent.at(-1)).toMatchObject({ job: 'erp.posted', key: 'cmd-4:posted' });
    // Answered before: nothing is sent again.
    expect(await r.answer(command(1), 'invoice', posted(1))).toBe(false);
    expect(sent).toHaveLength(2);
  });

  it("a batch that cannot be written is written again one by one: only the failing command's job fails", async () => {
    const { r, sent } = answering('cmd-6');
    const outcomes = await Promise.allSettled(
      [5, 6, 7].map((n) => r.answer(command(n), 'invoice', posted(n))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sent.map((s) => s.key)).toEqual(['cmd-5:posted', 'cmd-7:posted']);
  });
});
