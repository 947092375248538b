/**
 * Ingest, JSON Lines change file to records: one JSON object per line.
 *
 * Input is a file path (or a string). Output is one record per non-blank line: the object's
 * top-level keys mapped to a decoded string, null, or a JsonLiteral that keeps the value's exact
 * source text. Typing each field is convert.ts's job.
 *
 * Invariants:
 * - Numbers never pass through Number: 9223372036854775807 arrives with every digit, and 1.10
 *   keeps its trailing zero, so the column type (not this reader) decides what a number means.
 * - Each line is checked as strict JSON (RFC 8259) by the parser below, not JSON.parse, because
 *   JSON.parse cannot give back numbers' text. Nested objects and arrays are validated without
 *   recursion, so a deeply nested line cannot overflow the stack.
 * - An invalid line (one holding bytes that are not UTF-8 included, see text.ts) is yielded with
 *   `error` set and no fields, and reading goes on: a bad row is ordinary input, rejected
 *   downstream with its line number and raw text.
 * - Memory stays flat: the file is read in chunks (text.ts) and only
 *   the current line is held; a line longer than MAX_RECORD_CHARS throws. Iterating again reads
 *   the file again.
 */

import { statSync } from 'node:fs';
import { DEFAULT_CHUNK_SIZE, MAX_RECORD_CHARS, RecordTooLong, type ReadOptions } from './csv.js';
import { hasNotUtf8, notUtf8Row, readTextChunks, type Decoding } from './text.js';

/** A JSON value that is not a string or null, kept as its exact source text (numbers keep every digit, e.g. 2^63-1). */
export class JsonLiteral {
  constructor(
    readonly type: 'number' | 'boolean' | 'object' | 'array',
    readonly text: string,
  ) {}
}

export type JsonField = string | null | JsonLiteral;

export interface JsonlRecord {
  /** 1-based line number. */
  readonly line: number;
  /** 1-based, blank lines not counted. */
  readonly record: number;
  /**
   * Top-level keys in order. A key that appears twice, or two keys that differ only in case (a
   * key names a column, and names compare case-insensitively), make the line an error: which
   * value was meant cannot be told.
   */
  readonly fields: ReadonlyMap<string, JsonField>;
  /** The line without its terminator. */
  readonly raw: string;
  /** Set for a line that is not a JSON object; `fields` is then empty. */
  readonly error?: string;
}

/** Reads a JSON Lines file lazily; a missing or unreadable path throws here, not on first use. */
export function readJsonl(path: string, options: ReadOptions = {}): Iterable<JsonlRecord> {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (!isFile) throw new Error(`cannot read ${path}: not a file`);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  return {
    [Symbol.iterator]: () => {
      const decoding: Decoding = { lossy: false };
      return records(readTextChunks(path, chunkSize, options.onRead, decoding), path, options.maxRecordChars, decoding);
    },
  };
}

/** The same reader over an in-memory string. */
export function parseJsonlText(text: string): Iterable<JsonlRecord> {
  return { [Symbol.iterator]: () => records([text], 'the text') };
}

/** `decoding` is marked lossy once the pieces hold NOT_UTF8 (see text.ts). */
function* records(pieces: Iterable<string>, name: string, maxLine = MAX_RECORD_CHARS, decoding?: Decoding): Generator<JsonlRecord> {
  let line = 0;
  let record = 0;
  for (const raw of lines(pieces, name, maxLine)) {
    line++;
    if (ws(raw, 0) === raw.length) continue;
    record++;
    if (decoding?.lossy && hasNotUtf8(raw)) {
      yield { line, record, fields: new Map(), ...notUtf8Row(raw, line) };
      continue;
    }
    try {
      yield { line, record, fields: parseObject(raw), raw };
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      yield { line, record, fields: new Map(), raw, error: e.message(raw) };
    }
  }
}

/** Lines without their LF or CRLF; a BOM at the start of the text is dropped. */
function* lines(pieces: Iterable<string>, name: string, maxLine: number): Generator<string> {
  let pending: string[] = [];
  let pendingLength = 0;
  let done = 0;
  let started = false;
  for (let piece of pieces) {
    if (!started && piece.length > 0) {
      started = true;
      if (piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1);
    }
    let start = 0;
    for (let nl = piece.indexOf('\n'); nl !== -1; nl = piece.indexOf('\n', start)) {
      let line = piece.slice(start, nl);
      if (pending.length > 0) {
        // Joined once per line, not concatenated per piece, so tiny chunks stay linear.
        pending.push(line);
        line = pending.join('');
        pending = [];
        pendingLength = 0;
      }
      done++;
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
      start = nl + 1;
    }
    if (start < piece.length) {
      pending.push(piece.slice(start));
      pendingLength += piece.length - start;
      if (pendingLength > maxLine) throw new RecordTooLong(`${name}: line ${done + 1} runs past ${maxLine} characters without a line break`);
    }
  }
  if (pending.length > 0) yield pending.join('');
}

/** Thrown inside the parser, caught per line; `at` is an index into the line. */
class Invalid {
  constructor(
    readonly at: number,
    readonly expected: string,
    readonly kind: 'syntax' | 'not-object' | 'repeated-key' = 'syntax',
  ) {}

  message(line: string): string {
    if (this.kind === 'not-object') return `not a JSON object: found ${this.expected}`;
    // Columns count characters as an editor shows them, not UTF-16 units.
    const column = Array.from(line.slice(0, this.at)).length + 1;
    if (this.kind === 'repeated-key') return `${this.expected} (at column ${column}): which value was meant cannot be told`;
    return `invalid JSON at column ${column}: ${this.expected}`;
  }
}

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

function ws(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== LF && c !== CR) return i;
    i++;
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function parseObject(s: string): Map<string, JsonField> {
  let i = ws(s, 0);
  if (s.charCodeAt(i) !== LBRACE) {
    // Validate first, so that a broken line says where it breaks rather than "not an object".
    const c = s.charCodeAt(i);
    const end = ws(s, skipValue(s, i));
    if (end !== s.length) throw new Invalid(end, 'expected the end of the line');
    throw new Invalid(i, c === LBRACKET ? 'an array' : c === QUOTE ? 'a string' : c === MINUS || isDigit(c) ? 'a number' : s.slice(i, end).trim(), 'not-object');
  }
  const fields = new Map<string, JsonField>();
  i = ws(s, i + 1);
  if (s.charCodeAt(i) === RBRACE) {
    i++;
  } else {
    // Each key's case-folded form and position, to find a key given twice. A map, not a list:
    // a line of many thousands of keys would otherwise take quadratic time.
    const folded = new Map<string, number>();
    for (;;) {
      const keyAt = i;
      i = key(s, i, true);
      const fold = decodedKey.toLowerCase();
      const earlier = folded.get(fold);
      if (earlier !== undefined) {
        const first = [...fields.keys()][earlier]!;
        throw new Invalid(
          keyAt,
          first === decodedKey
            ? `key ${JSON.stringify(decodedKey)} appears twice`
            : `keys ${JSON.stringify(first)} and ${JSON.stringify(decodedKey)} name the same column (names compare case-insensitively)`,
          'repeated-key',
        );
      }
      folded.set(fold, folded.size);
      const start = i;
      const c = s.charCodeAt(i);
      let value: JsonField;
      if (c === QUOTE) {
        i = scanString(s, i, true);
        value = decoded;
      } else if (c === LBRACE || c === LBRACKET) {
        i = skipValue(s, i);
        value = new JsonLiteral(c === LBRACE ? 'object' : 'array', s.slice(start, i));
      } else {
        i = scanScalar(s, i);
        const text = s.slice(start, i);
        value = text === 'null' ? null : new JsonLiteral(text === 'true' || text === 'false' ? 'boolean' : 'number', text);
      }
      fields.set(decodedKey, value);
      i = ws(s, i);
      const next = s.charCodeAt(i);
      if (next === RBRACE) {
        i++;
        break;
      }
      if (next !== COMMA) throw new Invalid(i, "expected ',' or '}'");
      i = ws(s, i + 1);
    }
  }
  i = ws(s, i);
  if (i !== s.length) throw new Invalid(i, 'expected the end of the line after the object');
  return fields;
}

// scanString leaves a decoded string here rather than allocating a result object per string.
let decoded = '';
let decodedKey = '';

/** Reads `"key" :` at s[i]; returns the index of the value that follows. */
function key(s: string, i: number, decode: boolean): number {
  if (s.charCodeAt(i) !== QUOTE) throw new Invalid(i, 'expected a string key');
  i = ws(s, scanString(s, i, decode));
  if (decode) decodedKey = decoded;
  if (s.charCodeAt(i) !== COLON) throw new Invalid(i, "expected ':'");
  return ws(s, i + 1);
}

/** Any value at s[i]; returns the index after it. Containers are tracked on a stack, not by recursion. */
function skipValue(s: string, i: number): number {
  const open: number[] = [];
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === LBRACE || c === LBRACKET) {
      i = ws(s, i + 1);
      if (s.charCodeAt(i) === (c === LBRACE ? RBRACE : RBRACKET)) {
        i++;
      } else {
        open.push(c);
        if (c === LBRACE) i = key(s, i, false);
        continue;
      }
    } else if (c === QUOTE) {
      i = scanString(s, i, false);
    } else {
      i = scanScalar(s, i);
    }
    // A value is complete: close every container it completes, then find the next value.
    for (;;) {
      const top = open[open.length - 1];
      if (top === undefined) return i;
      i = ws(s, i);
      const next = s.charCodeAt(i);
      if (next === COMMA) {
        i = ws(s, i + 1);
        if (top === LBRACE) i = key(s, i, false);
        break;
      }
      if (next !== (top === LBRACE ? RBRACE : RBRACKET)) throw new Invalid(i, top === LBRACE ? "expected ',' or '}'" : "expected ',' or ']'");
      open.pop();
      i++;
    }
  }
}

/** A number, true, false or null at s[i]; returns the index after it. */
function scanScalar(s: string, i: number): number {
  for (const word of ['true', 'false', 'null']) if (s.startsWith(word, i)) return i + word.length;
  let c = s.charCodeAt(i);
  if (c !== MINUS && !isDigit(c)) throw new Invalid(i, 'expected a value');
  if (c === MINUS) c = s.charCodeAt(++i);
  if (c === ZERO) i++;
  else if (isDigit(c)) while (isDigit(s.charCodeAt(i))) i++;
  else throw new Invalid(i, "expected a digit after '-'");
  if (s.charCodeAt(i) === DOT) {
    if (!isDigit(s.charCodeAt(++i))) throw new Invalid(i, 'expected a digit after the decimal point');
    while (isDigit(s.charCodeAt(i))) i++;
  }
  // 'E' | 0x20 is 'e'.
  if ((s.charCodeAt(i) | 0x20) === 101) {
    c = s.charCodeAt(++i);
    if (c === PLUS || c === MINUS) i++;
    if (!isDigit(s.charCodeAt(i))) throw new Invalid(i, 'expected a digit in the exponent');
    while (isDigit(s.charCodeAt(i))) i++;
  }
  return i;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * The string whose opening quote is at s[i]; returns the index after the closing quote and, if
 * `decode`, leaves its value in `decoded`. A decoded string may not hold a lone surrogate
 * (RFC 8259 section 8.2 leaves it undefined, and it cannot be stored as UTF-8); a string kept as
 * source text inside a JsonLiteral may, since its text stays valid.
 */
function scanString(s: string, i: number, decode: boolean): number {
  let out = '';
  let run = i + 1;
  for (let j = i + 1; ; j++) {
    const c = s.charCodeAt(j);
    if (c === QUOTE) {
      if (decode) decoded = out + s.slice(run, j);
      return j + 1;
    }
    if (j >= s.length) throw new Invalid(j, 'unterminated string');
    if (c < 0x20) throw new Invalid(j, `control character U+${c.toString(16).padStart(4, '0').toUpperCase()} in a string must be escaped`);
    if (c !== BACKSLASH) continue;
    out += s.slice(run, j);
    const e = s.charAt(j + 1);
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      j++;
    } else if (e === 'u') {
      const unit = hex4(s, j + 2);
      j += 5;
      if (decode && unit >= 0xd800 && unit <= 0xdfff) {
        const low = unit <= 0xdbff && s.startsWith('\\u', j + 1) ? hex4(s, j + 3) : -1;
        if (low < 0xdc00 || low > 0xdfff) throw new Invalid(j - 5, 'lone surrogate in a \\u escape');
        out += String.fromCharCode(unit, low);
        j += 6;
      } else {
        out += String.fromCharCode(unit);
      }
    } else {
      throw new Invalid(j, 'invalid escape');
    }
    run = j + 1;
  }
}

function hex4(s: string, i: number): number {
  const digits = s.slice(i, i + 4);
  if (!HEX4.test(digits)) throw new Invalid(i, 'expected four hex digits after \\u');
  return parseInt(digits, 16);
}
