import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { uuidV7 } from './ids';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  it('makes distinct version 7 ids across pool refills', () => {
    const ids = Array.from({ length: 2_000 }, () => uuidV7());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(V7);
  });

  it('orders ids made in different milliseconds by time', async () => {
    const earlier = uuidV7();
    await sleep(3);
    const later = uuidV7();
    expect(earlier < later).toBe(true);
  });
});
