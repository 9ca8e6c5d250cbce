import { DomainError } from '@revline/http';
import { describe, expect, it } from 'vitest';
import { parseUsage } from './parse-usage';

const row = (identifier: string, extra: object = {}) => ({
  identifier,
  contractId: 'C-1',
  productCode: 'API-CALLS',
  quantity: 10,
  occurredAt: '2026-03-10T12:00:00+02:00',
  ...extra,
});

const fieldsOf = (body: unknown): string[] => {
  try {
    parseUsage(body);
  } catch (error) {
    if (error instanceof DomainError) return (error.errors ?? []).map((e) => e.field);
    throw error;
  }
  return [];
};

describe('parseUsage', () => {
  it('reads a JSON array and JSON lines alike, normalising quantities and instants', () => {
    const array = parseUsage([row('a'), row('b', { quantity: '2.5' })]);
    const lines = parseUsage(
      `${JSON.stringify(row('a'))}\n\n${JSON.stringify(row('b', { quantity: '2.5' }))}\n`,
    );
    expect(lines).toEqual(array);
    expect(array.rows.map((r) => [r.quantity, r.occurredAt])).toEqual([
      ['10', '2026-03-10T10:00:00.000Z'],
      ['2.5', '2026-03-10T10:00:00.000Z'],
    ]);
  });

  it('keeps the first of repeated identifiers, and refuses a repeat with other values', () => {
    expect(parseUsage([row('a'), row('a')])).toMatchObject({
      rows: [row('a', { quantity: '10' })].map((r) => ({ identifier: r.identifier })),
      repeated: 1,
    });
    expect(fieldsOf([row('a'), row('a', { quantity: 11 })])).toEqual(['rows[1].identifier']);
  });

  it('names every bad row and field', () => {
    expect(
      fieldsOf([
        row('a', { quantity: -1 }),
        row('b', { occurredAt: '2026-02-30T00:00:00Z' }),
        row('c', { extra: 1 }),
      ]),
    ).toEqual(['rows[0].quantity', 'rows[1].occurredAt', 'rows[2].extra']);
    expect(fieldsOf('{"identifier":\n')).toEqual(['rows[0]']);
    expect(fieldsOf(42)).toEqual(['body']);
    expect(fieldsOf([])).toEqual(['rows']);
  });
});
