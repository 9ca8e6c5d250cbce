import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { StripeGateway } from './stripe-gateway';
import { stripeList, stripePages } from './stripe-paging';

/** A gateway that counts its calls and hands the SDK stand-in through, as the real one does. */
function gateway(): { gateway: StripeGateway; operations: string[] } {
  const operations: string[] = [];
  const fake = {
    call: <T>(operation: string, fn: (stripe: Stripe) => Promise<T>) => {
      operations.push(operation);
      return fn({} as Stripe);
    },
  };
  return { gateway: fake as unknown as StripeGateway, operations };
}

/** A list of `count` objects answered `size` at a time after `starting_after`, as Stripe pages it. */
function lister(count: number, size: number) {
  const ids = Array.from({ length: count }, (_, i) => ({ id: `obj_${i}` }));
  const asked: Array<{ limit: number; starting_after?: string }> = [];
  const list = (_: Stripe, page: { limit: number; starting_after?: string }) => {
    asked.push(page);
    const from = page.starting_after ? ids.findIndex((o) => o.id === page.starting_after) + 1 : 0;
    const data = ids.slice(from, from + size);
    return Promise.resolve({
      object: 'list',
      data,
      has_more: from + size < count,
      url: '/x',
    } as Stripe.ApiList<{
      id: string;
    }>);
  };
  return { list, asked };
}

describe('stripePages', () => {
  it('walks every page through the gateway with the last id as the cursor, and stops when Stripe says no more', async () => {
    const { gateway: g, operations } = gateway();
    const { list, asked } = lister(5, 2);
    const pages: string[][] = [];
    for await (const page of stripePages(g, 'things.list', list)) pages.push(page.map((o) => o.id));
    expect(pages).toEqual([['obj_0', 'obj_1'], ['obj_2', 'obj_3'], ['obj_4']]);
    expect(asked).toEqual([
      { limit: 100 },
      { limit: 100, starting_after: 'obj_1' },
      { limit: 100, starting_after: 'obj_3' },
    ]);
    expect(operations).toEqual(['things.list', 'things.list', 'things.list']);
  });

  it('resumes after a given object (the embedded first page of a list already read)', async () => {
    const { gateway: g } = gateway();
    const { list, asked } = lister(4, 3);
    const ids: string[] = [];
    for await (const page of stripePages(g, 'things.list', list, 'obj_0')) ids.push(...page.map((o) => o.id));
    expect(ids).toEqual(['obj_1', 'obj_2', 'obj_3']);
    expect(asked).toEqual([{ limit: 100, starting_after: 'obj_0' }]);
  });

  it('answers an empty list with no page, and lists objects one by one', async () => {
    const { gateway: g } = gateway();
    const pages: unknown[] = [];
    for await (const page of stripePages(g, 'things.list', lister(0, 2).list)) pages.push(page);
    expect(pages).toEqual([]);
    const ids: string[] = [];
    for await (const o of stripeList(g, 'things.list', lister(3, 2).list)) ids.push(o.id);
    expect(ids).toEqual(['obj_0', 'obj_1', 'obj_2']);
  });
});
