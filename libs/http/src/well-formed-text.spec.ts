import { describe, expect, it } from 'vitest';
import { malformedTarget, malformedValue } from './well-formed-text';

describe('malformedTarget', () => {
  it('accepts plain and properly encoded targets, UTF-8 included', () => {
    expect(malformedTarget('/v1/contracts/801A/lifecycle')).toBeNull();
    expect(malformedTarget('/v1/contracts?customer=M%C3%BCller+GmbH&status=parked')).toBeNull();
    expect(malformedTarget('/v1/contracts/%E2%82%AC')).toBeNull();
    expect(malformedTarget('/v1/x?flag&empty=')).toBeNull();
  });

  it('names the path when it holds a NUL or bytes that are not UTF-8', () => {
    expect(malformedTarget('/v1/contracts/801%00A/lifecycle')).toEqual([
      { field: '(path)', problem: 'contains a NUL byte' },
    ]);
    expect(malformedTarget('/v1/contracts/%C3%28/lifecycle')).toEqual([
      { field: '(path)', problem: 'is not valid UTF-8' },
    ]);
    expect(malformedTarget(Buffer.from([0x2f, 0x78, 0xff]).toString('latin1'))).toEqual([
      { field: '(path)', problem: 'is not valid UTF-8' },
    ]);
  });

  it('names the query parameter at fault', () => {
    expect(malformedTarget('/v1/contracts?status=parked&customer=001%00X')).toEqual([
      { field: 'customer', problem: 'contains a NUL byte' },
    ]);
    expect(malformedTarget('/v1/contracts?customer=%FF')).toEqual([
      { field: 'customer', problem: 'is not valid UTF-8' },
    ]);
    expect(malformedTarget('/v1/contracts?a%00b=1')).toEqual([
      { field: '(query)', problem: 'contains a NUL byte' },
    ]);
  });
});

describe('malformedValue', () => {
  it('accepts ordinary JSON values', () => {
    expect(malformedValue({ summary: 'Müller €', lines: [{ qty: 1 }, null, true] })).toBeNull();
    expect(malformedValue([])).toBeNull();
    expect(malformedValue(Buffer.from([0, 1, 2]))).toBeNull();
  });

  it('names the field holding a NUL or a lone surrogate, at any depth', () => {
    expect(malformedValue({ definition: { catalogue: [{ code: 'A\u0000' }] } })).toEqual({
      field: 'definition.catalogue[0].code',
      problem: 'contains a NUL byte',
    });
    expect(malformedValue({ reason: 'x\ud800y' })).toEqual({
      field: 'reason',
      problem: 'is not valid Unicode (a lone surrogate)',
    });
    expect(malformedValue({ 'bad\u0000key': 1 })).toEqual({
      field: 'bad\u0000key',
      problem: 'names a field that contains a NUL byte',
    });
    expect(malformedValue('\u0000')).toEqual({ field: '(body)', problem: 'contains a NUL byte' });
  });
});
