import { describe, expect, it } from 'vitest';
import { baseKey, retryKey } from './saga-retries';

describe('keys of retried saga commands', () => {
  it('the first send keeps the step key; each retry after a refusal gets a new one', () => {
    expect(retryKey('saga:e1:billing', 0)).toBe('saga:e1:billing');
    expect(retryKey('saga:e1:billing', 1)).toBe('saga:e1:billing~r1');
    expect(retryKey('saga:e1:billing', 2)).not.toBe(retryKey('saga:e1:billing', 1));
  });

  it('every retry leads back to the first key, which the exception of the command is filed under', () => {
    expect(baseKey('saga:e1:billing~r12')).toBe('saga:e1:billing');
    expect(baseKey('saga:e1:billing')).toBe('saga:e1:billing');
  });
});
