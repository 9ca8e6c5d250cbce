import { describe, expect, it } from 'vitest';
import { changedOrdersSoql, quote } from './soql';

describe('SOQL builders', () => {
  it('escapes quotes and backslashes so a value cannot break out of its literal', () => {
    expect(quote("O'Brien \\ x")).toBe("'O\\'Brien \\\\ x'");
  });

  it('builds the compound cursor so records sharing a SystemModstamp are not skipped, deleted orders included', () => {
    expect(changedOrdersSoql('2026-03-15T10:00:00.000+0000', '801000000000001AAA', 200)).toBe(
      "SELECT Id, SystemModstamp, IsDeleted FROM Order WHERE (Status = 'Activated' OR IsDeleted = true) AND (SystemModstamp > 2026-03-15T10:00:00.000Z OR (SystemModstamp = 2026-03-15T10:00:00.000Z AND Id > '801000000000001AAA')) ORDER BY SystemModstamp, Id LIMIT 200",
    );
  });
});
