import { describe, expect, it } from 'vitest';
import { commitTime } from './commit-time';

describe('commitTime', () => {
  it("takes the change event's commit time when it is the commit the SystemModstamp (to the second) is from", () => {
    expect(commitTime('2026-12-06T22:28:10.000Z', '2026-12-06T22:28:10.336Z')).toBe(
      '2026-12-06T22:28:10.336Z',
    );
  });

  it('keeps the SystemModstamp when the order changed again after the event', () => {
    expect(commitTime('2026-12-06T22:28:11.000Z', '2026-12-06T22:28:10.336Z')).toBe(
      '2026-12-06T22:28:11.000Z',
    );
  });

  it('keeps the SystemModstamp when the path saw no change event (the poll, a backfill)', () => {
    expect(commitTime('2026-12-06T22:28:10.000Z', undefined)).toBe('2026-12-06T22:28:10.000Z');
  });
});
