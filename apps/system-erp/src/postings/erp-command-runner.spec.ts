import { ErpRejectedError, ErpUnavailableError } from '@revline/erp-port';
import type { Inbox, Outbox } from '@revline/messaging';
import { ConnectionError, createEnvelope, TransientError } from '@revline/messaging';
import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
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
  return { sent, runner: new ErpCommandRunner(dataSource, {} as Inbox, outbox) };
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
