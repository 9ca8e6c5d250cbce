import { describe, expect, it } from 'vitest';
import { parseCsvRecords, parseCsvRows, parseCsvStream } from './csv';

async function streamed(chunks: Array<string | Uint8Array>): Promise<string[][][]> {
  const batches: string[][][] = [];
  for await (const batch of parseCsvStream(
    (async function* () {
      await Promise.resolve();
      yield* chunks;
    })(),
  ))
    batches.push(batch);
  return batches;
}

describe('CSV (RFC 4180)', () => {
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

describe('CSV in chunks', () => {
  // Quotes, escaped quotes, commas, LF and CRLF inside quotes, CRLF and LF row ends, an empty cell at a row's end,
  // a blank line, multi-byte characters and a last row without a line break.
  const tricky =
    'id,note,amount\r\n' +
    '1,"a ""quoted"", comma",10\n' +
    '2,"line\r\nbreak\nagain",\n' +
    '\n' +
    '3,"",-5\r\n' +
    '4,café ✓ 🧾,"7"\n' +
    '"5","""",0';
  const whole = parseCsvRows(tricky);

  it('parses the tricky text as a whole', () => {
    expect(whole).toEqual([
      ['id', 'note', 'amount'],
      ['1', 'a "quoted", comma', '10'],
      ['2', 'line\r\nbreak\nagain', ''],
      [''],
      ['3', '', '-5'],
      ['4', 'café ✓ 🧾', '7'],
      ['5', '"', '0'],
    ]);
  });

  it('gives the same rows, each whole, for a string cut in two at every position', async () => {
    for (let cut = 0; cut <= tricky.length; cut++) {
      const batches = await streamed([tricky.slice(0, cut), tricky.slice(cut)]);
      expect(batches.flat(), `cut at ${String(cut)}`).toEqual(whole);
      expect(batches.every((b) => b.length > 0)).toBe(true);
    }
  });

  it('gives the same rows for its UTF-8 bytes cut at every position, also inside a character', async () => {
    const bytes = Buffer.from(tricky, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const batches = await streamed([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(batches.flat(), `cut at byte ${String(cut)}`).toEqual(whole);
    }
  });

  it('gives the same rows one byte, or one UTF-16 unit (halves of a surrogate pair apart), at a time', async () => {
    const bytes = Buffer.from(tricky, 'utf8');
    expect((await streamed([...bytes].map((b) => Uint8Array.of(b)))).flat()).toEqual(whole);
    const units = Array.from({ length: tricky.length }, (_, i) => tricky.charAt(i));
    expect((await streamed(units)).flat()).toEqual(whole);
  });

  it('yields the complete rows of each chunk as they come, and nothing for an empty stream', async () => {
    expect(await streamed(['a,b\nc,', 'd\ne', ',f\n'])).toEqual([[['a', 'b']], [['c', 'd']], [['e', 'f']]]);
    expect(await streamed([])).toEqual([]);
    expect(await streamed(['', ''])).toEqual([]);
  });

  it('rejects a quote left open at the end, and text after a closing quote', async () => {
    await expect(streamed(['a\n"b', ',c\n'])).rejects.toThrow(/unterminated/);
    await expect(streamed(['"a"', 'b\n'])).rejects.toThrow(/unexpected character/);
  });
});
