import { afterEach, describe, expect, it, vi } from 'vitest';
import { IssuingInvoices } from './issuing-invoices';

describe('IssuingInvoices', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Whether the promise has resolved once the pending callbacks have run. */
  const state = async (promise: Promise<void>): Promise<'settled' | 'waiting'> => {
    const seen = { settled: false };
    void promise.then(() => {
      seen.settled = true;
    });
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
    return seen.settled ? 'settled' : 'waiting';
  };

  it('holds a wait on an invoice being issued until its change settles', async () => {
    const issuing = new IssuingInvoices();
    issuing.begin('in_1');
    const wait = issuing.settled(['in_1', 'in_other']);
    expect(await state(wait)).toBe('waiting');
    issuing.settle([undefined, 'in_1']);
    expect(await state(wait)).toBe('settled');
    // Settled: a later notice of it does not wait.
    expect(await state(issuing.settled(['in_1']))).toBe('settled');
  });

  it('does not wait for invoices no change of this process is issuing', async () => {
    const issuing = new IssuingInvoices();
    expect(await state(issuing.settled(['in_unknown']))).toBe('settled');
    expect(await state(issuing.settled([]))).toBe('settled');
  });

  it('lets a wait go after five seconds when the change never says it ended', async () => {
    vi.useFakeTimers();
    const issuing = new IssuingInvoices();
    issuing.begin('in_2');
    const wait = issuing.settled(['in_2']);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(await state(wait)).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1);
    expect(await state(wait)).toBe('settled');
    expect(await state(issuing.settled(['in_2']))).toBe('settled');
  });
});
