import { describe, expect, it } from 'vitest';
import { parseCsvRows } from './csv';
import { csvCell, csvDialectOf, csvWriter, rfc4180Cell } from './csv-export';

describe('Excel-safe CSV cells (OWASP CSV injection)', () => {
  it.each([
    ['=HYPERLINK("https://evil.example","x")', `"'=HYPERLINK(""https://evil.example"",""x"")"`],
    ['+1+cmd|" /C calc"!A0', `"'+1+cmd|"" /C calc""!A0"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1:A9)', `"'@SUM(A1:A9)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
  ])('makes %j inert with a leading quote', (value, written) => {
    expect(csvCell(value)).toBe(written);
    expect(parseCsvRows(`${csvCell(value)}\n`)[0][0]).toBe(`'${value}`);
  });

  it('leaves plain numbers, negative ones included, and ordinary text as they are', () => {
    expect(csvCell('-1250')).toBe('-1250');
    expect(csvCell('-12.50')).toBe('-12.50');
    expect(csvCell(-7)).toBe('-7');
    expect(csvCell('Pro plan, seats')).toBe('"Pro plan, seats"');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(null)).toBe('');
  });

  it('keeps a month text for Excel and leaves days and fiscal periods alone', () => {
    expect(csvCell('2026-03')).toBe('"=""2026-03"""');
    expect(parseCsvRows(`${csvCell('2026-03')}\n`)[0][0]).toBe('="2026-03"');
    expect(csvCell('2026-03-01')).toBe('2026-03-01');
    expect(csvCell('FY2026-P03')).toBe('FY2026-P03');
  });

  it('writes RFC 4180 cells untouched in the plain dialect', () => {
    expect(rfc4180Cell('=1+1')).toBe('=1+1');
    expect(rfc4180Cell('2026-03')).toBe('2026-03');
    expect(rfc4180Cell('a"b')).toBe('"a""b"');
  });
});

describe('CSV writers', () => {
  it('excel: a byte order mark, CRLF line ends, neutralised cells', () => {
    const csv = csvWriter('excel');
    const text =
      csv.header(['period', 'note']) + csv.row(['period', 'note'], { period: '2026-03', note: '=1' });
    expect(text).toBe('\uFEFFperiod,note\r\n"=""2026-03""","\'=1"\r\n');
  });

  it('rfc4180: no byte order mark, LF line ends, the values as they are', () => {
    const csv = csvWriter('rfc4180');
    expect(csv.header(['period', 'note']) + csv.line(['2026-03', '=1'])).toBe('period,note\n2026-03,=1\n');
  });

  it('is asked for the plain dialect with CSV-Dialect: rfc4180 only', () => {
    expect(csvDialectOf({ 'csv-dialect': 'RFC4180' })).toBe('rfc4180');
    expect(csvDialectOf({ 'csv-dialect': 'excel' })).toBe('excel');
    expect(csvDialectOf({})).toBe('excel');
  });
});
