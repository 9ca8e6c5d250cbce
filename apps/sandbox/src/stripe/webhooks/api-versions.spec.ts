import { describe, expect, it } from 'vitest';
import { renderAnswer, renderEvent, renderObject, SANDBOX_API_VERSION } from './api-versions';
import type { StripeEvent } from '../state/types';

const ACACIA = '2024-12-18.acacia';

const subscription = {
  id: 'sub_1',
  object: 'subscription',
  items: {
    object: 'list',
    data: [{ id: 'si_1', object: 'subscription_item', current_period_start: 100, current_period_end: 200 }],
  },
};

const creditNote = {
  id: 'cn_1',
  object: 'credit_note',
  total_taxes: [{ amount: 5 }],
  lines: { object: 'list', data: [{ id: 'cnli_1', taxes: [{ amount: 5 }] }], has_more: false },
};

describe('objects rendered in an API version', () => {
  it('leaves an object of the kept version (or a later one) as it is', () => {
    expect(renderObject(subscription, SANDBOX_API_VERSION)).toBe(subscription);
    expect(renderObject(subscription, '2030-01-01.zucchini')).toBe(subscription);
    expect(renderObject(subscription, '2025-03-31.basil')).toBe(subscription);
  });

  it("gives a subscription its items' periods before basil, and its items none", () => {
    expect(renderObject(subscription, ACACIA)).toEqual({
      ...subscription,
      current_period_start: 100,
      current_period_end: 200,
      items: { object: 'list', data: [{ id: 'si_1', object: 'subscription_item' }] },
    });
  });

  it('names a credit note’s taxes tax_amounts before basil, and its lines’ too', () => {
    expect(renderObject(creditNote, ACACIA)).toEqual({
      id: 'cn_1',
      object: 'credit_note',
      tax_amounts: [{ amount: 5 }],
      lines: { object: 'list', data: [{ id: 'cnli_1', tax_amounts: [{ amount: 5 }] }], has_more: false },
    });
  });

  it('renders each object of a list answer, and an event in its own version unless told another', () => {
    const list = renderAnswer({ object: 'list', data: [creditNote] }, ACACIA) as { data: object[] };
    expect(list.data[0]).not.toHaveProperty('total_taxes');
    const event = {
      id: 'evt_1',
      object: 'event',
      type: 'credit_note.created',
      api_version: ACACIA,
      created: 1,
      livemode: false,
      data: { object: creditNote },
      pending_webhooks: 0,
      request: { id: null, idempotency_key: null },
    } as StripeEvent;
    expect(renderEvent(event).data.object).not.toHaveProperty('total_taxes');
    const pinned = renderEvent(event, SANDBOX_API_VERSION);
    expect(pinned.api_version).toBe(SANDBOX_API_VERSION);
    expect(pinned.data.object).toBe(creditNote);
  });
});
