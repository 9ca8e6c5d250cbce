import { describe, expect, it } from 'vitest';
import { backoffWithJitter } from './backoff';

describe('backoffWithJitter', () => {
  it('grows exponentially up to the cap', () => {
    expect(backoffWithJitter(1, 500, 60_000, () => 1)).toBe(500);
    expect(backoffWithJitter(4, 500, 60_000, () => 1)).toBe(4000);
    expect(backoffWithJitter(20, 500, 60_000, () => 1)).toBe(60_000);
  });

  it('spreads retries between the base and the ceiling', () => {
    expect(backoffWithJitter(4, 500, 60_000, () => 0)).toBe(500);
    expect(backoffWithJitter(4, 500, 60_000, () => 0.5)).toBe(2250);
  });
});
