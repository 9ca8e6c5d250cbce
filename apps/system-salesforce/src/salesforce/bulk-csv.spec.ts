import { describe, expect, it } from 'vitest';
import { parseCsvRecords, parseCsvRows } from './bulk-csv';

describe('Bulk API 2.0 CSV', () => {
  it('reads quoted and bare fields, escaped quotes, commas and line breaks inside quotes, empty cells', () => {
    expect(parseCsvRows('"a","b c",d\n"x ""q""","1,2",\n"line\nbreak",,"z"\n')).toEqual([
      ['a', 'b c', 'd'],
      ['x "q"', '1,2', ''],
      ['line\nbreak', '', 'z'],
    ]);
  });

  it('accepts CRLF and a last row without a line ending; an empty text has no rows', () => {
    expect(parseCsvRows('"a","b"\r\n1,2\r\n3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parseCsvRows('')).toEqual([]);
  });

  it('rejects an unterminated quote and text after a closing quote', () => {
    expect(() => parseCsvRows('"a\n')).toThrow(/unterminated/);
    expect(() => parseCsvRows('"a"b\n')).toThrow(/unexpected character/);
  });

  it('keys rows by the header, a header alone being no records', () => {
    expect(parseCsvRecords('"Id","Order.Type"\n"802A","New"\n"802B",\n')).toEqual([
      { Id: '802A', 'Order.Type': 'New' },
      { Id: '802B', 'Order.Type': '' },
    ]);
    expect(parseCsvRecords('"Id"\n')).toEqual([]);
  });
});
