/**
 * Ingest, field to stored value: what a change row's text means for each column type.
 *
 * Input is what the readers yield: a CSV field (text, or null for an empty unquoted field) or a
 * JSON Lines field (a decoded string, null, or a JsonLiteral that keeps a number's every digit).
 * Output is the value bound into the stage table, in the canonical stored form of values.ts, or a
 * Rejection that says why the value does not fit. Nothing here throws for bad input. An integer
 * of up to 15 digits is a JS number (exact; SQLite stores it as INTEGER in an INTEGER column),
 * a longer one a bigint, so that the common case allocates nothing.
 *
 * | type                  | accepted                                               | stored       |
 * | STRING, TEXT, VARCHAR | any text but a lone surrogate; JSON scalars as written | text         |
 * | integer types         | an optional sign and digits, within the type's bits    | integer      |
 * | DOUBLE, FLOAT, NUMBER | a decimal or exponent number, finite, not rounded to 0 | number (-0: 0)|
 * | DECIMAL(p, s)         | a decimal that fits p and s without rounding           | integer/text |
 * | BOOLEAN               | true/false, t/f, yes/no, y/n, 1/0 in any case           | 0n or 1n     |
 * | DATE                  | YYYY-MM-DD                                             | text         |
 * | TIMESTAMP, DATETIME   | ISO 8601, an offset to ±23:59 or Z (none: UTC), to µs  | UTC text     |
 * | JSON                  | a JSON document (in JSONL: a value, or a string of one) | its text     |
 */

import { assertNever, type ColumnType } from '../ir.js';
import { canonicalDate, canonicalDecimal, canonicalTimestamp, finerThanMicrosecond, underflowsToZero } from '../values.js';
import { storageClass } from '../compile/storage.js';
import { JsonLiteral, type JsonField } from './jsonl.js';

export type StoredValue = string | number | bigint | null;
export type RawField = JsonField;

/** Why a value cannot be stored; returned, never thrown (rejections are ordinary input). */
export class Rejection {
  constructor(readonly reason: string) {}
}

const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** A fraction of a second with a digit other than 0 after the sixth. */
const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0']);
const LIMITS: Record<16 | 32 | 64, readonly [bigint, bigint]> = {
  16: [-(2n ** 15n), 2n ** 15n - 1n],
  32: [-(2n ** 31n), 2n ** 31n - 1n],
  64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * An optional sign and digits (spaces around allowed) as an integer: a number when it has at
 * most 15 digits (always exact), a bigint beyond; undefined for anything else.
 */
function parseInteger(text: string): number | bigint | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 32) start++;
  while (end > start && text.charCodeAt(end - 1) <= 32) end--;
  let i = start;
  const sign = text.charCodeAt(i);
  if (sign === 43 || sign === 45) i++;
  if (i === end) return undefined;
  let n = 0;
  for (let j = i; j < end; j++) {
    const d = text.charCodeAt(j) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  if (end - i <= 15) return sign === 45 && n !== 0 ? -n : n;
  return BigInt(text.slice(start, end));
}

/** Whether a timestamp's fraction of a second has a seventh digit (cheap: most have six or none). */
function seventhFractionDigit(text: string): boolean {
  const dot = text.indexOf('.', 19);
  if (dot < 0) return false;
  const c = text.charCodeAt(dot + 7);
  return c >= 48 && c <= 57;
}

/** The reason for text that holds half of a surrogate pair. */
function loneSurrogate(raw: RawField, text: string): string {
  const at = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.exec(text)!;
  const unit = at[0].charCodeAt(0).toString(16).toUpperCase();
  return `${describe(raw)} holds a lone surrogate (U+${unit} at character ${at.index + 1}), which is not Unicode text and cannot be stored`;
}

function describe(raw: RawField): string {
  const text = raw instanceof JsonLiteral ? raw.text : String(raw);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

/** The stored value of one field for a column of type `t`; null stays null (nullability is the caller's). */
export function convertField(t: ColumnType, raw: RawField): StoredValue | Rejection {
  if (raw === null) return null;
  if (raw instanceof JsonLiteral && (raw.type === 'object' || raw.type === 'array') && t.kind !== 'json') {
    return new Rejection(`expected ${t.spelled}, found a JSON ${raw.type}`);
  }
  const text = raw instanceof JsonLiteral ? raw.text : raw;
  switch (t.kind) {
    case 'string': {
      // Text read from a file is always well formed; text from a program or a SQL expression may
      // hold half of a surrogate pair, which UTF-8 cannot store: SQLite would keep bytes that
      // read back as something else.
      if (!text.isWellFormed()) return new Rejection(loneSurrogate(raw, text));
      if (t.maxLength !== null && text.length > t.maxLength) {
        // Lengths count characters (code points), as databases do, not UTF-16 units.
        const length = [...text].length;
        if (length > t.maxLength) return new Rejection(`${describe(raw)} is ${length} characters, longer than ${t.spelled} allows`);
      }
      return text;
    }
    case 'integer': {
      const n = parseInteger(text);
      if (n === undefined) return new Rejection(`${describe(raw)} is not an integer (${t.spelled})`);
      const [lo, hi] = LIMITS[t.bits];
      if (n < lo || n > hi) return new Rejection(`${describe(raw)} is out of range for ${t.spelled} (${lo} to ${hi})`);
      return n;
    }
    case 'double': {
      const s = text.trim();
      if (!FLOAT.test(s)) return new Rejection(`${describe(raw)} is not a number (${t.spelled})`);
      const n = Number(s);
      if (!Number.isFinite(n)) return new Rejection(`${describe(raw)} is out of range for ${t.spelled}`);
      if (n === 0) {
        // A number too small for a double is not zero; -0 is stored as 0 (SQLite keeps no -0.0).
        if (underflowsToZero(s)) return new Rejection(`${describe(raw)} is too small for ${t.spelled}: it would be stored as 0`);
        return 0;
      }
      return n;
    }
    case 'decimal': {
      const canonical = canonicalDecimal(text, t.precision, t.scale);
      if (canonical === undefined) return new Rejection(`${describe(raw)} is not a decimal that fits ${t.spelled}`);
      if (storageClass(t) !== 'INTEGER') return canonical;
      return canonical.length <= 15 ? Number(canonical) : BigInt(canonical);
    }
    case 'boolean': {
      // The usual spellings first, without allocating a lower-cased copy.
      if (text === 'true' || text === '1') return 1n;
      if (text === 'false' || text === '0') return 0n;
      const b = text.trim().toLowerCase();
      if (TRUE_WORDS.has(b)) return 1n;
      if (FALSE_WORDS.has(b)) return 0n;
      return new Rejection(`${describe(raw)} is not a boolean (true or false)`);
    }
    case 'date':
      return canonicalDate(text) ?? new Rejection(`${describe(raw)} is not a date (YYYY-MM-DD)`);
    case 'timestamp': {
      const ts = canonicalTimestamp(text);
      if (ts === undefined) return new Rejection(`${describe(raw)} is not a timestamp (ISO 8601, as in 2024-03-01T12:00:00Z)`);
      // Stored to the microsecond: a finer digit that is not 0 would be cut off, and two versions
      // a nanosecond apart would become one.
      if (seventhFractionDigit(text) && finerThanMicrosecond(text)) return new Rejection(`${describe(raw)} is finer than a microsecond, which ${t.spelled} stores`);
      return ts;
    }
    case 'json': {
      if (!text.isWellFormed()) return new Rejection(loneSurrogate(raw, text));
      const s = text.trim();
      try {
        JSON.parse(s);
      } catch {
        return new Rejection(`${describe(raw)} is not a JSON document`);
      }
      return s;
    }
    case 'unknown':
      throw new Error('ingest was given a model with an unknown type; check must run first');
    default:
      return assertNever(t);
  }
}

/** `_change_request_type`: u or d in any case, spaces ignored; absent, NULL or empty is u. */
export function changeType(raw: RawField | undefined): 'u' | 'd' | Rejection {
  if (raw === undefined || raw === null) return 'u';
  const s = (raw instanceof JsonLiteral ? raw.text : raw).trim().toLowerCase();
  if (s === '' || s === 'u') return 'u';
  if (s === 'd') return 'd';
  return new Rejection(`unknown _change_request_type ${describe(raw)}: expected u (upsert) or d (delete)`);
}
