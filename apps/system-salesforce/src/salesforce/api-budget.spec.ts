import { describe, expect, it } from 'vitest';
import { budgetDelayMs } from './api-budget';

describe('budgetDelayMs', () => {
  it('lets calls through under the budget', () => {
    expect(budgetDelayMs(100, 15_000, 0.9)).toBe(0);
  });

  it('backs off more the closer usage gets to the limit, before reaching it', () => {
    const near = budgetDelayMs(13_600, 15_000, 0.9);
    const nearer = budgetDelayMs(14_900, 15_000, 0.9);
    expect(near).toBeGreaterThan(0);
    expect(nearer).toBeGreaterThan(near);
    expect(budgetDelayMs(15_000, 15_000, 0.9)).toBe(60_000);
  });
});
