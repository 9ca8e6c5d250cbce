import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts members by UTF-16 code units at every depth, whatever order they were written in', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[true,null]},"b":1}',
    );
    // RFC 8785 §3.2.3: "\u20ac" (€) sorts after "\r" and "1" by code unit, and the emoji's high surrogate before "ö".
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3, '\ud83d\ude00': 4, '\u00f6': 5 })).toBe(
      '{"\\r":2,"1":3,"ö":5,"€":1,"😀":4}',
    );
  });

  it('writes numbers and strings the way the RFC examples do', () => {
    expect(canonicalJson([Number('333333333.33333329'), 1e30, 4.5, 2e-3, 0.000001, 1e-7, -0])).toBe(
      '[333333333.3333333,1e+30,4.5,0.002,0.000001,1e-7,0]',
    );
    expect(canonicalJson('\u20ac$\u000f\nA\'B"\\\\"/')).toBe('"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"');
  });

  it('drops undefined members and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/no representation/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/no representation/);
  });
});
