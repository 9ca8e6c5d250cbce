import { describe, expect, it } from 'vitest';
import { backoffWithJitter } from './backoff';

describe('backoffWithJitter', () => {
  it('grows exponentially up to the cap', () => {
    expect(backoffWithJitter(1, 500, 60_000, () => 1)).toBe(500);
    expect(backoffWithJitter(4, 500, 60_000, () => 1)).toBe(4000);
    expect(backoffWithJitter(20, 500, 60_000, () => 1)).toBe(60_000);
  });

  it('spreads retries over the upper half of the range, never under the base', () => {
    expect(backoffWithJitter(1, 500, 60_000, () => 0)).toBe(500);
    expect(backoffWithJitter(2, 500, 60_000, () => 0)).toBe(500);
    expect(backoffWithJitter(4, 500, 60_000, () => 0)).toBe(2000);
    expect(backoffWithJitter(4, 500, 60_000, () => 0.5)).toBe(3000);
    expect(backoffWithJitter(20, 500, 60_000, () => 0)).toBe(30_000);
    // A cap under the base: the cap.
    expect(backoffWithJitter(3, 500, 300, () => 0.5)).toBe(300);
  });

  it("keeps a job's eight attempts at least 64 bases apart however the dice fall", () => {
    const least = [1, 2, 3, 4, 5, 6, 7].reduce(
      (sum, attempt) => sum + backoffWithJitter(attempt, 500, 60_000, () => 0),
      0,
    );
    expect(least).toBe(32_000);
  });
});
