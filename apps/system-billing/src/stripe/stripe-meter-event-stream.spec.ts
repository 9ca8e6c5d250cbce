import { describe, expect, it } from 'vitest';
import type { UsageReport } from '@revline/billing-port';
import {
  MeterEventSessions,
  SESSION_MARGIN_MS,
  streamBatches,
  streamEvent,
} from './stripe-meter-event-stream';

const report = (count: number): UsageReport => ({
  meterEventName: 'api_calls',
  events: Array.from({ length: count }, (_, i) => ({
    identifier: `rvl_usage_${String(i)}`,
    customerId: 'cus_1',
    value: String(i + 0.5),
    timestamp: '2026-03-10T12:00:00Z',
  })),
});

describe('usage events on the meter event stream', () => {
  it('are v2 stream events: the meter default payload keys, the time in RFC 3339, the identifier kept', () => {
    expect(streamEvent('api_calls', report(1).events[0] ?? ({} as never))).toEqual({
      event_name: 'api_calls',
      identifier: 'rvl_usage_0',
      timestamp: '2026-03-10T12:00:00.000Z',
      payload: { stripe_customer_id: 'cus_1', value: '0.5' },
    });
  });

  it('go in requests of at most 100, every event once, in order', () => {
    const batches = streamBatches(report(250));
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat().map((e) => e.identifier)).toEqual(report(250).events.map((e) => e.identifier));
    expect(streamBatches(report(100)).map((b) => b.length)).toEqual([100]);
    expect(streamBatches(report(0))).toEqual([]);
  });

  it('are batched the same way each time, so a resent report sends the same requests', () => {
    expect(streamBatches(report(130))).toEqual(streamBatches(report(130)));
  });
});

describe('meter event session tokens', () => {
  const clock = { now: Date.parse('2026-03-10T12:00:00Z') };
  const sessionsWith = () => {
    const created: string[] = [];
    const sessions = new MeterEventSessions(
      async (key) => {
        await Promise.resolve();
        const token = `tok_${key}_${String(created.length + 1)}`;
        created.push(token);
        return {
          authentication_token: token,
          expires_at: new Date(clock.now + 15 * 60_000).toISOString(),
        };
      },
      () => clock.now,
    );
    return { sessions, created };
  };

  it('are created once for callers asking together, and reused until shortly before they expire', async () => {
    clock.now = Date.parse('2026-03-10T12:00:00Z');
    const { sessions, created } = sessionsWith();
    const tokens = await Promise.all([
      sessions.token('sk_a'),
      sessions.token('sk_a'),
      sessions.token('sk_a'),
    ]);
    expect(tokens).toEqual(['tok_sk_a_1', 'tok_sk_a_1', 'tok_sk_a_1']);
    clock.now += 15 * 60_000 - SESSION_MARGIN_MS - 1;
    expect(await sessions.token('sk_a')).toBe('tok_sk_a_1');
    clock.now += 1;
    expect(await sessions.token('sk_a')).toBe('tok_sk_a_2');
    expect(created).toEqual(['tok_sk_a_1', 'tok_sk_a_2']);
  });

  it('are kept per API key', async () => {
    clock.now = Date.parse('2026-03-10T12:00:00Z');
    const { sessions, created } = sessionsWith();
    expect(await sessions.token('sk_a')).toBe('tok_sk_a_1');
    expect(await sessions.token('sk_b')).toBe('tok_sk_b_2');
    expect(await sessions.token('sk_a')).toBe('tok_sk_a_1');
    expect(created).toHaveLength(2);
  });

  it('are replaced when Stripe calls one expired, unless another caller replaced it already', async () => {
    clock.now = Date.parse('2026-03-10T12:00:00Z');
    const { sessions } = sessionsWith();
    const first = await sessions.token('sk_a');
    sessions.expired('sk_a', first);
    const second = await sessions.token('sk_a');
    expect(second).not.toBe(first);
    // A late report of the first token's expiry does not throw the second away.
    sessions.expired('sk_a', first);
    expect(await sessions.token('sk_a')).toBe(second);
  });

  it('are not cached when the session cannot be created', async () => {
    let calls = 0;
    const sessions = new MeterEventSessions(() => {
      calls += 1;
      return calls === 1
        ? Promise.reject(new Error('Stripe unavailable'))
        : Promise.resolve({ authentication_token: 'tok_ok', expires_at: '2099-01-01T00:00:00Z' });
    });
    await expect(sessions.token('sk_a')).rejects.toThrow('Stripe unavailable');
    expect(await sessions.token('sk_a')).toBe('tok_ok');
  });
});
