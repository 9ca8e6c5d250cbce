import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BillingRowsRepository } from '../persistence/billing-rows.repository';
import { RequestLedger } from './request-ledger';

/** A ledger over rows kept in memory, recording each statement it is asked for; plan number `failing` fails. */
function ledger(failing = 0) {
  const stored = new Map<string, { params: object; response: object | null }>();
  const statements: Array<{ kind: 'plan' | 'complete'; key?: string; answered: string[] }> = [];
  let plans = 0;
  const answer = (completions: ReadonlyArray<readonly [string, object]>) => {
    for (const [k, response] of completions) {
      const row = stored.get(k);
      if (row) row.response = response;
    }
  };
  const rows = {
    insertPlan: (key: string, _operation: string, params: object, completions: Array<[string, object]>) => {
      plans += 1;
      if (plans === failing) return Promise.reject(new Error('connection lost'));
      statements.push({ kind: 'plan', key, answered: completions.map(([k]) => k) });
      answer(completions);
      if (stored.has(key)) return Promise.resolve(null);
      stored.set(key, { params, response: null });
      return Promise.resolve(params);
    },
    plan: (key: string) => Promise.resolve(stored.get(key) ?? null),
    complete: (completions: Array<[string, object]>) => {
      statements.push({ kind: 'complete', answered: completions.map(([k]) => k) });
      answer(completions);
      return Promise.resolve();
    },
  } as unknown as BillingRowsRepository;
  return { ledger: new RequestLedger(rows), stored, statements };
}

const send = (id: string) => () => Promise.resolve({ id });

describe('RequestLedger', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes a request's answer with the next plan, in one statement", async () => {
    const { ledger: l, stored, statements } = ledger();
    await l.once('k1', 'customers.create', () => Promise.resolve({ name: 'Acme' }), send('cus_1'));
    await l.once('k2', 'subscriptions.create', () => Promise.resolve({ customer: 'cus_1' }), send('sub_1'));
    expect(statements).toEqual([
      { kind: 'plan', key: 'k1', answered: [] },
      { kind: 'plan', key: 'k2', answered: ['k1'] },
    ]);
    expect(stored.get('k1')?.response).toEqual({ id: 'cus_1' });
    // A rerun of the answered step is not sent again.
    const again = vi.fn(send('cus_2'));
    expect(await l.once('k1', 'customers.create', () => Promise.resolve({ name: 'Acme' }), again)).toEqual({
      id: 'cus_1',
    });
    expect(again).not.toHaveBeenCalled();
  });

  it('writes an answer on its own when no plan follows within the window, and at shutdown', async () => {
    vi.useFakeTimers();
    const { ledger: l, stored, statements } = ledger();
    await l.once('k3', 'invoices.finalize', () => Promise.resolve({}), send('in_1'));
    expect(stored.get('k3')?.response).toBeNull();
    await vi.advanceTimersByTimeAsync(20);
    expect(statements.at(-1)).toEqual({ kind: 'complete', answered: ['k3'] });
    expect(stored.get('k3')?.response).toEqual({ id: 'in_1' });
    await l.once('k4', 'invoices.finalize', () => Promise.resolve({}), send('in_2'));
    await l.beforeApplicationShutdown();
    expect(stored.get('k4')?.response).toEqual({ id: 'in_2' });
  });

  it('keeps the answers a failed plan was to carry, for the next statement', async () => {
    const failing = ledger(2);
    await failing.ledger.once('k6', 'customers.create', () => Promise.resolve({}), send('cus_6'));
    await expect(
      failing.ledger.once('k7', 'subscriptions.create', () => Promise.resolve({}), send('sub_7')),
    ).rejects.toThrow('connection lost');
    await failing.ledger.once('k8', 'subscriptions.create', () => Promise.resolve({}), send('sub_8'));
    expect(failing.stored.get('k6')?.response).toEqual({ id: 'cus_6' });
    expect(failing.statements.at(-1)).toEqual({ kind: 'plan', key: 'k8', answered: ['k6'] });
  });
});
