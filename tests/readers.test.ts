/**
 * The change-file readers (src/ingest/csv.ts, src/ingest/jsonl.ts): every format rule, the same
 * result whatever the read chunk size (files read 1, 2, 3 and 7 bytes at a time against the
 * in-memory parser), flat memory on a large file, and properties: random tables written as CSV
 * read back equal, and the JSON parser agrees with JSON.parse on valid and mutated lines.
 * Fixed seed, so CI is repeatable.
 */

import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUtf8 } from 'node:buffer';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsvText, readCsv, type CsvFile, type CsvRecord } from '../src/ingest/csv.js';
import { JsonLiteral, parseJsonlText, readJsonl, type JsonField, type JsonlRecord } from '../src/ingest/jsonl.js';
import { decodeLossy, hasNotUtf8, readTextChunks, shownText, type Decoding } from '../src/ingest/text.js';

const SEED = 20261124;
const CHUNK_SIZES = [1, 2, 3, 7, undefined];

const dir = mkdtempSync(join(tmpdir(), 'mdl-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function tempFile(content: string | Uint8Array): string {
  const path = join(dir, `f${files++}`);
  writeFileSync(path, content);
  return path;
}

function csv(file: CsvFile): { header: readonly string[]; records: CsvRecord[] } {
  return { header: file.header, records: [...file.records] };
}

function csvRecords(text: string): CsvRecord[] {
  return [...parseCsvText(text).records];
}

function jsonl(text: string): JsonlRecord[] {
  return [...parseJsonlText(text)];
}

/** The only record of a one-line JSONL text. */
function one(line: string): JsonlRecord {
  const records = jsonl(line);
  expect(records).toHaveLength(1);
  return records[0]!;
}

const num = (text: string) => new JsonLiteral('number', text);

describe('CSV', () => {
  it('reads a header and records with line numbers, record numbers and raw text', () => {
    const f = csv(parseCsvText('id,name\n1,Ann\n2,Bob\n'));
    expect(f.header).toEqual(['id', 'name']);
    expect(f.records).toEqual([
      { line: 2, record: 1, fields: ['1', 'Ann'], raw: '1,Ann' },
      { line: 3, record: 2, fields: ['2', 'Bob'], raw: '2,Bob' },
    ]);
    expect(f.records[0]).not.toHaveProperty('error');
  });

  it('unquotes fields: doubled quotes, commas, CR, LF and CRLF inside quotes', () => {
    const [r] = csvRecords('a,b,c,d,e\n"say ""hi""","x,y","1\r2","3\n4","5\r\n6"\n');
    expect(r!.fields).toEqual(['say "hi"', 'x,y', '1\r2', '3\n4', '5\r\n6']);
    expect(r!.raw).toBe('"say ""hi""","x,y","1\r2","3\n4","5\r\n6"');
  });

  it('ends records at LF, CRLF or a lone CR, and counts each as one line, inside quotes too', () => {
    const records = csvRecords('h\r\n1\r2\n3\r\n"a\r\nb\rc\nd"\r\n5');
    expect(records.map((r) => [r.line, r.fields[0]])).toEqual([
      [2, '1'],
      [3, '2'],
      [4, '3'],
      [5, 'a\r\nb\rc\nd'],
      [9, '5'],
    ]);
  });

  it('makes the final line terminator optional', () => {
    for (const text of ['a,b\n1,2', 'a,b\n1,2\n', 'a,b\r\n1,2\r\n', 'a,b\r1,2\r']) {
      expect(csv(parseCsvText(text))).toEqual({ header: ['a', 'b'], records: [{ line: 2, record: 1, fields: ['1', '2'], raw: '1,2' }] });
    }
  });

  it('skips a UTF-8 BOM at the start only', () => {
    expect(parseCsvText('\uFEFFid,x\n1,\uFEFF\n').header).toEqual(['id', 'x']);
    expect(csvRecords('\uFEFFid,x\n1,\uFEFF\n')[0]!.fields).toEqual(['1', '\uFEFF']);
    const fromFile = readCsv(tempFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id\n1\n')])));
    expect(fromFile.header).toEqual(['id']);
  });

  it('reads an empty unquoted field as null and a quoted empty field as the empty string', () => {
    expect(csvRecords('a,b,c,d\n,"",x,\n')[0]!.fields).toEqual([null, '', 'x', null]);
    expect(csvRecords('a,b\n,\n')[0]!.fields).toEqual([null, null]);
    expect(csvRecords('a\n""\n')[0]!.fields).toEqual(['']);
  });

  it('skips blank lines, which still count as lines; a line of spaces is a record', () => {
    const records = csvRecords('a,b\n\n1,2\n\r\n\r3,4\n\n\n  \n');
    expect(records.map((r) => [r.line, r.record, r.fields])).toEqual([
      [3, 1, ['1', '2']],
      [6, 2, ['3', '4']],
      [9, 3, ['  ']],
    ]);
    expect(records[2]!.error).toBe('has 1 field, the header has 2');
  });

  it('skips blank lines before the header', () => {
    const f = csv(parseCsvText('\n\r\nid\n1\n'));
    expect(f.header).toEqual(['id']);
    expect(f.records).toEqual([{ line: 4, record: 1, fields: ['1'], raw: '1' }]);
  });

  it('yields a record whose field count differs from the header with an error', () => {
    const records = csvRecords('a,b,c,d\n1,2,3\n1,2,3,4,5\n1,2,3,4\n');
    expect(records.map((r) => r.error)).toEqual(['has 3 fields, the header has 4', 'has 5 fields, the header has 4', undefined]);
    expect(records[0]!.fields).toEqual(['1', '2', '3']);
  });

  it('keeps a quote inside an unquoted field literally', () => {
    const [r] = csvRecords('a,b,c\nab"c,5" tall, "x"\n');
    expect(r).toEqual({ line: 2, record: 1, fields: ['ab"c', '5" tall', ' "x"'], raw: 'ab"c,5" tall, "x"' });
  });

  it('flags text after a closing quote, keeping it as best effort', () => {
    const [r, next] = csvRecords('a,b\n"a\\"b",x\n1,2\n');
    expect(r!.fields).toEqual(['a\\b"', 'x']);
    expect(r!.error).toBe('unexpected text after the closing quote of field 1');
    expect(next).toEqual({ line: 3, record: 2, fields: ['1', '2'], raw: '1,2' });
  });

  it('yields an unterminated quoted field at end of file with an error, each line it swallowed a record of its own', () => {
    const records = csvRecords('a,b\n1,2\n3,"open\r\nstill open\n');
    expect(records.slice(1)).toEqual([
      { line: 3, record: 2, fields: [], raw: '3,"open', error: 'unterminated quoted field' },
      { line: 4, record: 3, fields: [], raw: 'still open', error: 'inside a quoted field of the record that starts on line 3, whose quotes do not pair up' },
    ]);
    expect(csvRecords('a\n"')[0]).toEqual({ line: 2, record: 1, fields: [''], raw: '"', error: 'unterminated quoted field' });
  });

  it('trims unquoted header names of surrounding spaces, and keeps quoted ones as written', () => {
    expect(parseCsvText(' id ," name ",,"",x y\n').header).toEqual(['id', ' name ', '', '', 'x y']);
  });

  it('keeps spaces around unquoted data fields (typing them is the converter’s business)', () => {
    expect(csvRecords('a,b\n 1 ,\t2\n')[0]!.fields).toEqual([' 1 ', '\t2']);
  });

  it('throws clear errors for an empty file, a missing path, a directory and a broken header', () => {
    expect(() => readCsv(tempFile(''))).toThrow(/is empty: a CSV change file starts with a header row/);
    expect(() => readCsv(tempFile('\uFEFF\n\r\n'))).toThrow(/is empty/);
    expect(() => parseCsvText('')).toThrow('the text is empty');
    const missing = join(dir, 'no-such-file.csv');
    expect(() => readCsv(missing)).toThrow(`cannot read ${missing}: ENOENT`);
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    expect(() => readCsv(folder)).toThrow(`cannot read ${folder}: EISDIR`);
    expect(() => parseCsvText('a,"b\n1,2\n')).toThrow('the text: the header row has an unterminated quoted field');
  });

  it('rejects a record holding bytes that are not UTF-8, with its line, and reads the records around it', () => {
    const bytes = Buffer.concat([
      Buffer.from('id,v\n1,fine\n2,"bad'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\nstill the same field",\n3,ok\n5,"x\ny'),
      Buffer.from([0xc0]),
      Buffer.from('"\n4,cut '),
      Buffer.from('中').subarray(0, 2),
    ]);
    for (const chunkSize of CHUNK_SIZES) {
      const f = csv(readCsv(tempFile(bytes), { chunkSize }));
      expect(f.records, `chunks of ${chunkSize}`).toEqual([
        { line: 2, record: 1, fields: ['1', 'fine'], raw: '1,fine' },
        {
          line: 3,
          record: 2,
          fields: [],
          raw: '2,"bad\uFFFD\uFFFD\nstill the same field",',
          error: 'bytes that are not UTF-8 at column 7 (each such sequence shows as U+FFFD in the raw text)',
        },
        { line: 5, record: 3, fields: ['3', 'ok'], raw: '3,ok' },
        // Where in a record over several lines: the line and the column there.
        { line: 6, record: 4, fields: [], raw: '5,"x\ny\uFFFD"', error: expect.stringMatching(/^bytes that are not UTF-8 at line 7, column 2 /) },
        { line: 8, record: 5, fields: [], raw: '4,cut \uFFFD', error: expect.stringMatching(/^bytes that are not UTF-8 at column 7 /) },
      ]);
    }
  });

  it('throws for a header that is not UTF-8, naming the file', () => {
    const bad = tempFile(Buffer.from([0x61, 0xc3, 0x28, 0x0a, 0x31, 0x0a]));
    expect(() => readCsv(bad)).toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the header row has bytes that are not UTF-8 at column 2$`));
  });

  it('rejects a chunk size that is not a positive integer', () => {
    expect(() => readCsv(tempFile('a\n'), { chunkSize: 0 })).toThrow(RangeError);
  });

  it('reads the file again when records are iterated again', () => {
    const f = readCsv(tempFile('a\n1\n2\n'), { chunkSize: 2 });
    const first = [...f.records];
    expect(first).toHaveLength(2);
    expect([...f.records]).toEqual(first);
  });

  const CSV_CORPUS = [
    'a,b,c\n1,2,3\n4,5,6',
    '\uFEFFa,b\r\n"x\r\ny","p""q"\r\n,\r\n""," "\r\n\r\n',
    'é,中\r😀,"😀,é"\r\r\nz,\n',
    'h\n\n\n1\n\r\n2\r\r3',
    'a,b\n"x"y,z\n"unterminated,\r\n😀',
    'h1,h2\nab"c,d"\n1,2,3\n"",\n',
    ' é , "😀" \r\n"a""😀""b",\r\n',
  ];

  it('gives the same result whatever the chunk size, as the in-memory parser does', () => {
    for (const text of CSV_CORPUS) {
      const expected = csv(parseCsvText(text));
      const path = tempFile(text);
      for (const chunkSize of CHUNK_SIZES) expect(csv(readCsv(path, { chunkSize })), `${JSON.stringify(text)} by ${chunkSize}`).toEqual(expected);
    }
  });

  it('decodes multibyte characters split across chunks', () => {
    const path = tempFile('é,中,😀\n"😀",é中,x😀y\n');
    for (const chunkSize of [1, 2, 3, 4, 5, 6]) {
      const f = csv(readCsv(path, { chunkSize }));
      expect(f.header).toEqual(['é', '中', '😀']);
      expect(f.records[0]!.fields).toEqual(['😀', 'é中', 'x😀y']);
    }
  });

  it('treats a CRLF split across chunks as one terminator', () => {
    // Every chunk size from 1 to 8 puts some CR at the end of a chunk and its LF in the next.
    const path = tempFile('h\r\n1\r\n22\r\n"3\r\n3"\r\n4');
    for (let chunkSize = 1; chunkSize <= 8; chunkSize++) {
      const lines = [...readCsv(path, { chunkSize }).records].map((r) => [r.line, r.fields[0], r.raw]);
      expect(lines).toEqual([
        [2, '1', '1'],
        [3, '22', '22'],
        [4, '3\r\n3', '"3\r\n3"'],
        [6, '4', '4'],
      ]);
    }
  });

  it('round-trips random tables written as CSV, in memory and from files in random chunks', () => {
    const unit = fc.oneof(fc.constantFrom(',', '"', '\r', '\n', '\r\n', ' ', 'é', '😀', '\uFEFF'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }));
    const field = fc.string({ unit, maxLength: 8 });
    const table = fc.integer({ min: 1, max: 5 }).chain((width) =>
      fc.record({
        header: fc.array(field, { minLength: width, maxLength: width }),
        // A lone null in a one-column file is a blank line, which is skipped; it cannot be written.
        rows: fc.array(fc.array(fc.option(field, { nil: null }), { minLength: width, maxLength: width }).filter((r) => width > 1 || r[0] !== null), { maxLength: 8 }),
        eol: fc.constantFrom('\n', '\r\n', '\r'),
        finalEol: fc.boolean(),
        bom: fc.boolean(),
        quoteAll: fc.boolean(),
        chunkSize: fc.integer({ min: 1, max: 9 }),
      }),
    );
    fc.assert(
      fc.property(table, (t) => {
        const written = writeCsv(t.header, t.rows, t);
        const expected = {
          header: t.header,
          records: t.rows.map((fields, i) => ({ line: written.lines[i]!, record: i + 1, fields, raw: written.raws[i]! })),
        };
        expect(csv(parseCsvText(written.text))).toEqual(expected);
        expect(csv(readCsv(tempFile(written.text), { chunkSize: t.chunkSize }))).toEqual(expected);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

/** A minimal CSV writer: quotes what must be quoted, and everything if `quoteAll`. */
function writeCsv(header: readonly string[], rows: readonly (readonly (string | null)[])[], o: { eol: string; finalEol: boolean; bom: boolean; quoteAll: boolean }) {
  const quote = (f: string) => `"${f.replaceAll('"', '""')}"`;
  // Header names are trimmed unless quoted, and a leading BOM would be skipped, so quote those.
  const name = (f: string) => (f === '' || /^[ \uFEFF]|[",\r\n]| $/.test(f) ? quote(f) : f);
  const cell = (f: string | null) => (f === null ? '' : o.quoteAll || f === '' || /[",\r\n]/.test(f) ? quote(f) : f);
  let text = (o.bom ? '\uFEFF' : '') + header.map(name).join(',');
  const lines: number[] = [];
  const raws: string[] = [];
  rows.forEach((row, i) => {
    text += o.eol;
    const raw = row.map(cell).join(',');
    lines.push(text.replace(/\r\n/g, '\n').split(/[\r\n]/).length);
    raws.push(raw);
    text += raw;
    if (i === rows.length - 1 && o.finalEol) text += o.eol;
  });
  return { text, lines, raws };
}

describe('JSON Lines', () => {
  it('reads one object per line: strings, null, numbers, booleans, nested values', () => {
    const r = one('{"s": "text", "n": null, "i": -12, "f": 1.50e+3, "t": true, "b": false, "o": {"a": [1, {}] }, "a": [ ], "e": {}}');
    expect(r.line).toBe(1);
    expect(r.record).toBe(1);
    expect(r.error).toBeUndefined();
    expect([...r.fields]).toEqual([
      ['s', 'text'],
      ['n', null],
      ['i', num('-12')],
      ['f', num('1.50e+3')],
      ['t', new JsonLiteral('boolean', 'true')],
      ['b', new JsonLiteral('boolean', 'false')],
      ['o', new JsonLiteral('object', '{"a": [1, {}] }')],
      ['a', new JsonLiteral('array', '[ ]')],
      ['e', new JsonLiteral('object', '{}')],
    ]);
    expect(r.fields.get('i')).toBeInstanceOf(JsonLiteral);
    expect(one('{}').fields.size).toBe(0);
    expect(one(' \t{ } ').error).toBeUndefined();
  });

  it('keeps every digit of big and precise numbers', () => {
    const texts = ['9223372036854775807', '-9223372036854775808', '18446744073709551616', '123456789012345678901234567890', '0.1000000000000000055511151231257827', '1e400', '-0.0', '1E-7', '0'];
    const r = one(`{${texts.map((t, i) => `"k${i}":${t}`).join(',')}}`);
    expect([...r.fields.values()]).toEqual(texts.map(num));
  });

  it('decodes every string escape, including surrogate pairs, in values and keys', () => {
    const r = one(String.raw`{"e": "\" \\ \/ \b \f \n \r \t", "u": "\u00e9\u4E2D\u0000\ud83d\ude00", "raw": "é中😀", "k\u00e9y": 1}`);
    expect(r.fields.get('e')).toBe('" \\ / \b \f \n \r \t');
    expect(r.fields.get('u')).toBe('é中\u0000😀');
    expect(r.fields.get('raw')).toBe('é中😀');
    expect(r.fields.get('kéy')).toEqual(num('1'));
  });

  it('rejects a lone surrogate in a decoded string, but keeps one inside a nested value as text', () => {
    expect(one(String.raw`{"a": "\ud800"}`).error).toBe('invalid JSON at column 8: lone surrogate in a \\u escape');
    expect(one(String.raw`{"a": "\udc00\ud800"}`).error).toMatch(/lone surrogate/);
    expect(one(String.raw`{"a": "\ud800x"}`).error).toMatch(/lone surrogate/);
    expect(one(String.raw`{"a": ["\ud800"]}`).fields.get('a')).toEqual(new JsonLiteral('array', String.raw`["\ud800"]`));
  });

  it('rejects a line that gives one key twice, or two keys that name one column: which value was meant cannot be told', () => {
    const twice = one('{"a": 1, "b": 2, "a": "x"}');
    expect(twice.error).toBe('key "a" appears twice (at column 18): which value was meant cannot be told');
    expect([...twice.fields]).toEqual([]);
    expect(one('{"a": 1, "A": 2}').error).toMatch(/^keys "a" and "A" name the same column/);
    expect([...one('{"a": 1, "b": 2}').fields]).toEqual([
      ['a', num('1')],
      ['b', num('2')],
    ]);
  });

  it('skips blank and whitespace-only lines, which count as lines but not as records', () => {
    const records = jsonl('\n{"a":1}\n   \n\t\r\n{"a":2}\n\n');
    expect(records.map((r) => [r.line, r.record, r.raw])).toEqual([
      [2, 1, '{"a":1}'],
      [5, 2, '{"a":2}'],
    ]);
  });

  it('accepts LF and CRLF, a BOM, and no final terminator', () => {
    const records = jsonl('\uFEFF{"a":1}\r\n{"a":2}\n{"a":3}');
    expect(records.map((r) => [r.line, r.raw, r.fields.get('a')])).toEqual([
      [1, '{"a":1}', num('1')],
      [2, '{"a":2}', num('2')],
      [3, '{"a":3}', num('3')],
    ]);
    expect(one('{"a":"\uFEFF"}').fields.get('a')).toBe('\uFEFF');
  });

  it('yields an invalid line with an error and no fields, and goes on', () => {
    const cases: [string, string][] = [
      ['{"a": 1, "b": 2 "c": 3}', "invalid JSON at column 17: expected ',' or '}'"],
      ['{"a":1,}', 'invalid JSON at column 8: expected a string key'],
      ['{"a":1', "invalid JSON at column 7: expected ',' or '}'"],
      ["{'a':1}", 'invalid JSON at column 2: expected a string key'],
      ['{"a" 1}', "invalid JSON at column 6: expected ':'"],
      ['{"a":}', 'invalid JSON at column 6: expected a value'],
      ['{"a":01}', "invalid JSON at column 7: expected ',' or '}'"],
      ['{"a":.5}', 'invalid JSON at column 6: expected a value'],
      ['{"a":1.}', 'invalid JSON at column 8: expected a digit after the decimal point'],
      ['{"a":+1}', 'invalid JSON at column 6: expected a value'],
      ['{"a":-}', "invalid JSON at column 7: expected a digit after '-'"],
      ['{"a":1e}', 'invalid JSON at column 8: expected a digit in the exponent'],
      ['{"a":NaN}', 'invalid JSON at column 6: expected a value'],
      ['{"a":tru}', 'invalid JSON at column 6: expected a value'],
      ['{"a":True}', 'invalid JSON at column 6: expected a value'],
      ['{"a":"x\\q"}', 'invalid JSON at column 8: invalid escape'],
      ['{"a":"\\u12"}', 'invalid JSON at column 9: expected four hex digits after \\u'],
      ['{"a":"tab\there"}', 'invalid JSON at column 10: control character U+0009 in a string must be escaped'],
      ['{"a":"open}', 'invalid JSON at column 12: unterminated string'],
      ['{"a":[1,]}', 'invalid JSON at column 9: expected a value'],
      ['{"a":[1 2]}', "invalid JSON at column 9: expected ',' or ']'"],
      ['{"a":{"b"}}', "invalid JSON at column 10: expected ':'"],
      ['{"a":{1:2}}', 'invalid JSON at column 7: expected a string key'],
      ['{"a":[}', 'invalid JSON at column 7: expected a value'],
      ['{"a":1} x', 'invalid JSON at column 9: expected the end of the line after the object'],
      ['{"a":1}{}', 'invalid JSON at column 8: expected the end of the line after the object'],
      ['{"😀":1 x}', "invalid JSON at column 8: expected ',' or '}'"],
      ['garbage', 'invalid JSON at column 1: expected a value'],
      ['[1, 2', "invalid JSON at column 6: expected ',' or ']'"],
      ['[1, 2]', 'not a JSON object: found an array'],
      ['"s"', 'not a JSON object: found a string'],
      [' -4.5 ', 'not a JSON object: found a number'],
      ['null', 'not a JSON object: found null'],
      ['true', 'not a JSON object: found true'],
      ['1 2', 'invalid JSON at column 3: expected the end of the line'],
    ];
    const records = jsonl(cases.map(([line]) => `${line}\n{"ok":1}`).join('\n'));
    expect(records).toHaveLength(cases.length * 2);
    cases.forEach(([line, error], i) => {
      expect(records[2 * i], line).toEqual({ line: 2 * i + 1, record: 2 * i + 1, fields: new Map(), raw: line, error });
      expect(records[2 * i + 1]!.fields.get('ok')).toEqual(num('1'));
    });
  });

  it('rejects a line holding bytes that are not UTF-8, with its line, and reads the lines around it', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":1}\n{"a":"x'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}\r\n{"a":2}\n')]);
    for (const chunkSize of CHUNK_SIZES) {
      expect([...readJsonl(tempFile(bytes), { chunkSize })], `chunks of ${chunkSize}`).toEqual([
        { line: 1, record: 1, fields: new Map([['a', num('1')]]), raw: '{"a":1}' },
        // An encoded surrogate (ED A0 80) is three invalid sequences, not one character.
        { line: 2, record: 2, fields: new Map(), raw: '{"a":"x\uFFFD\uFFFD\uFFFD"}', error: expect.stringMatching(/^bytes that are not UTF-8 at column 8 /) },
        { line: 3, record: 3, fields: new Map([['a', num('2')]]), raw: '{"a":2}' },
      ]);
    }
  });

  it('validates deeply nested values without overflowing the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(one(`{"d":${deep}}`).fields.get('d')).toEqual(new JsonLiteral('array', deep));
    expect(one(`{"d":${deep.slice(0, -1)}}`).error).toBe(`invalid JSON at column ${5 + deep.length}: expected ',' or ']'`);
  });

  it('throws a clear error for a missing path or a directory, at once', () => {
    const missing = join(dir, 'missing.jsonl');
    expect(() => readJsonl(missing)).toThrow(`cannot read ${missing}: ENOENT`);
    expect(() => readJsonl(dir)).toThrow(`cannot read ${dir}: not a file`);
    expect([...readJsonl(tempFile(''))]).toEqual([]);
  });

  it('reads the file again when iterated again', () => {
    const records = readJsonl(tempFile('{"a":1}\n{"a":2}\n'));
    expect([...records]).toHaveLength(2);
    expect([...records]).toEqual(jsonl('{"a":1}\n{"a":2}\n'));
  });

  const JSONL_CORPUS = [
    '{"a":1}\n{"a":2}',
    '\uFEFF{"é":"中😀"}\r\n\r\n  \n{"n":18446744073709551616,"x":[1,{"y":"😀"}]}\r\n',
    '{"s":"\\ud83d\\ude00 é"}\nnot json\n{"a":\n\n{"b":true}\n',
    '\n\n{"😀😀😀":"😀😀"}\r\n[1]\r\n{}',
  ];

  it('gives the same result whatever the chunk size, as the in-memory parser does', () => {
    for (const text of JSONL_CORPUS) {
      const expected = jsonl(text);
      const path = tempFile(text);
      for (const chunkSize of CHUNK_SIZES) expect([...readJsonl(path, { chunkSize })], `${JSON.stringify(text)} by ${chunkSize}`).toEqual(expected);
    }
  });

  it('decodes multibyte characters and CRLF split across chunks', () => {
    const path = tempFile('{"k":"é中😀"}\r\n{"k":"😀"}\r\n\r\n{"k":"x"}');
    for (let chunkSize = 1; chunkSize <= 8; chunkSize++) {
      const records = [...readJsonl(path, { chunkSize })];
      expect(records.map((r) => [r.line, r.record, r.raw, r.fields.get('k')])).toEqual([
        [1, 1, '{"k":"é中😀"}', 'é中😀'],
        [2, 2, '{"k":"😀"}', '😀'],
        [4, 3, '{"k":"x"}', 'x'],
      ]);
    }
  });

  it('agrees with JSON.parse on random objects', () => {
    const object = fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' }), { maxKeys: 6 });
    fc.assert(
      fc.property(object, fc.constantFrom(0, 2), (value, indent) => {
        // JSON.stringify escapes line breaks in strings, so even indent 0 keeps one line; indent 2
        // would not, so its line breaks become spaces, which JSON allows between tokens.
        const line = JSON.stringify(value, null, indent).replace(/\n/g, ' ');
        const r = one(line);
        expect(r.error).toBeUndefined();
        const parsed = JSON.parse(line) as Record<string, unknown>;
        expect([...r.fields.keys()].sort()).toEqual(Object.keys(parsed).sort());
        for (const [k, v] of r.fields) expect(fromField(v)).toEqual(parsed[k]);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('accepts exactly the lines JSON.parse accepts as objects, on mutated JSON', () => {
    const line = fc.dictionary(fc.string({ unit: 'grapheme-ascii', maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((o) => JSON.stringify(o));
    const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 2 }), insert: fc.constantFrom('', '{', '}', '[', ']', '"', ',', ':', '0', '-', '.', 'e', '+', '\\', 'u', ' ', 'true', 'null', '\t', '1') });
    fc.assert(
      fc.property(line, fc.array(edit, { minLength: 1, maxLength: 3 }), (text, edits) => {
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
        }
        let valid: boolean;
        try {
          const v: unknown = JSON.parse(text);
          valid = typeof v === 'object' && v !== null && !Array.isArray(v);
        } catch {
          valid = false;
        }
        const records = jsonl(text);
        if (text.trim() === '') {
          expect(records).toEqual([]);
        } else {
          expect(records).toHaveLength(1);
          expect(records[0]!.error === undefined, text).toBe(valid);
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

/** A field as JSON.parse would give it, to compare with. */
function fromField(v: JsonField): unknown {
  if (v === null || typeof v === 'string') return v;
  return JSON.parse(v.text);
}

describe('decoding (src/ingest/text.ts)', () => {
  // Bytes near the edges of UTF-8: ASCII, continuation bytes, every kind of lead, the overlong,
  // surrogate and past-U+10FFFF ranges, and bytes that are never UTF-8.
  const edgeByte = fc.constantFrom(0x41, 0x0a, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xfe, 0xff);
  const bytes = fc.oneof(
    fc.array(edgeByte, { maxLength: 40 }),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }).map((t) => [...Buffer.from(t, 'utf8')]),
  );
  const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

  it('gives what a lenient decoder gives, with a NOT_UTF8 where it puts U+FFFD for an invalid sequence', () => {
    fc.assert(
      fc.property(bytes, (list) => {
        const b = Buffer.from(list);
        const text = decodeLossy(b, 0, b.length);
        // A U+FFFD the bytes really hold (EF BF BD) stays U+FFFD.
        expect(shownText(text)).toBe(lenient.decode(b));
        expect(hasNotUtf8(text)).toBe(!isUtf8(b));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('reads a file to the same text whatever the chunk size, and says whether it was lossy', () => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: 1, max: 9 }), (list, chunkSize) => {
        const b = Buffer.from(list);
        const decoding: Decoding = { lossy: false };
        const text = [...readTextChunks(tempFile(b), chunkSize, undefined, decoding)].join('');
        expect(text).toBe(decodeLossy(b, 0, b.length));
        expect(decoding.lossy).toBe(!isUtf8(b));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('streaming', () => {
  /** Writes `count` lines made by `line` in batches, so the test itself never holds the file. */
  function bigFile(count: number, line: (i: number) => string): string {
    const path = join(dir, `big${files++}`);
    const fd = openSync(path, 'w');
    for (let start = 0; start < count; start += 10_000) {
      let batch = '';
      for (let i = start; i < Math.min(count, start + 10_000); i++) batch += line(i);
      writeSync(fd, batch);
    }
    closeSync(fd);
    return path;
  }

  /**
   * Iterates, keeping nothing, and returns how far memory rose above where it started. A full
   * GC before each sample makes this measure what the reader retains, not garbage that has not
   * been collected yet, so the bound holds on any machine.
   */
  function heapGrowth<T>(items: Iterable<T>, check: (item: T, i: number) => void): number {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Large decoded strings may live outside the V8 heap, as external strings, so count both.
    const used = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const start = used();
    let peak = start;
    let i = 0;
    for (const item of items) {
      check(item, i);
      if (++i % 20_000 === 0) peak = Math.max(peak, used());
    }
    return peak - start;
  }

  it('reads 200,000 CSV records (about 60 MB) with flat memory', () => {
    const padding = 'x'.repeat(250);
    const path = bigFile(200_001, (i) => (i === 0 ? 'id,name,padding,amount,note\n' : `${i},"name ${i}, with a comma",${padding},${i % 7 === 0 ? '' : i * 3},"two\r\nlines ""${i}"""\r\n`));
    const f = readCsv(path);
    expect(f.header).toEqual(['id', 'name', 'padding', 'amount', 'note']);
    let count = 0;
    const growth = heapGrowth(f.records, (r, i) => {
      count++;
      // Checking every field would dominate the run time; a sample proves the parse is right.
      if (i % 9_973 === 0 || r.error !== undefined) {
        const n = i + 1;
        expect(r).toEqual({ line: 2 * n, record: n, fields: [String(n), `name ${n}, with a comma`, padding, n % 7 === 0 ? null : String(n * 3), `two\r\nlines "${n}"`], raw: expect.any(String) });
      }
    });
    expect(count).toBe(200_000);
    expect(growth).toBeLessThan(50 * 1024 * 1024);
  });

  it('reads 200,000 JSON lines (about 60 MB) with flat memory', () => {
    const padding = 'x'.repeat(250);
    const path = bigFile(200_000, (i) => `{"id":${i + 1},"big":9223372036854775807,"padding":"${padding}","nested":{"a":[1,2,3]}}\n`);
    let count = 0;
    const growth = heapGrowth(readJsonl(path), (r, i) => {
      count++;
      if (i % 9_973 === 0 || r.error !== undefined) {
        expect(r.error).toBeUndefined();
        expect(r.fields.get('id')).toEqual(num(String(i + 1)));
        expect(r.fields.get('big')).toEqual(num('9223372036854775807'));
      }
    });
    expect(count).toBe(200_000);
    expect(growth).toBeLessThan(50 * 1024 * 1024);
  });
});
