import { describe, expect, it } from 'vitest';
import { previousPeriod } from './periods';

describe('previous period', () => {
  it('is the month before the run, across a year end', () => {
    expect(previousPeriod(new Date('2026-04-01T03:00:00Z'))).toBe('2026-03');
    expect(previousPeriod(new Date('2027-01-01T03:00:00Z'))).toBe('2026-12');
    expect(previousPeriod(new Date('2026-03-31T23:59:59Z'))).toBe('2026-02');
  });
});
