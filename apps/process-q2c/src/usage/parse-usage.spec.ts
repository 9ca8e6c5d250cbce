import { describe, expect, it } from 'vitest';
import { checkUsage, rejectField } from './parse-usage';

const row = (identifier: string, extra: object = {}) => ({
  identifier,
  contractId: 'C-1',
  productCode: 'API-CALLS',
  quantity: 10,
  occurredAt: '2026-03-10T12:00:00+02:00',
  ...extra,
});

const fieldsOf = (raw: unknown): string[] => {
  const checked = checkUsage(raw);
  return 'problems' in checked ? checked.problems.map((p) => p.field) : [];
};

describe('checkUsage', () => {
  it('normalises quantities and instants', () => {
    expect(checkUsage(row('a'))).toEqual({
      row: { ...row('a'), quantity: '10', occurredAt: '2026-03-10T10:00:00.000Z' },
    });
    expect(checkUsage(row('b', { quantity: '2.5' }))).toMatchObject({ row: { quantity: '2.5' } });
  });

  it('names every field at fault', () => {
    expect(fieldsOf(row('a', { quantity: -1 }))).toEqual(['quantity']);
    expect(fieldsOf(row('b', { occurredAt: '2026-02-30T00:00:00Z' }))).toEqual(['occurredAt']);
    expect(fieldsOf(row('c', { extra: 1 }))).toEqual(['extra']);
    expect(fieldsOf(row('d e', { contractId: 'C 1' }))).toEqual(['identifier', 'contractId']);
    expect(fieldsOf(row('f', { productCode: 'A\u0000' }))).toEqual(['productCode']);
    expect(fieldsOf('oops')).toEqual(['(line)']);
    expect(fieldsOf([row('a')])).toEqual(['(line)']);
  });

  it('names a reject by its JSON array item or by its line', () => {
    const reject = { line: 3, field: 'quantity', problem: 'bad' };
    expect(rejectField(reject, true)).toBe('rows[2].quantity');
    expect(rejectField(reject, false)).toBe('lines[3].quantity');
    expect(rejectField({ ...reject, field: '(line)' }, false)).toBe('lines[3]');
  });
});
