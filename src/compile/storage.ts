/**
 * How each IR type is stored in SQLite (STRICT tables): the type mapping in one table.
 *
 * | mdl type                       | SQLite   | stored as                                        |
 * | STRING, TEXT, VARCHAR(n)       | TEXT     | the text                                         |
 * | INTEGER, INT, SMALLINT, BIGINT | INTEGER  | 64-bit integer                                   |
 * | DOUBLE, FLOAT, NUMBER          | REAL     | IEEE double                                      |
 * | DECIMAL(p, 0), p <= 18         | INTEGER  | exact, and compares as a number                  |
 * | DECIMAL(p, s) otherwise        | TEXT     | canonical decimal text, exactly s decimals       |
 * | BOOLEAN                        | INTEGER  | 0 or 1                                           |
 * | DATE                           | TEXT     | YYYY-MM-DD                                       |
 * | TIMESTAMP, DATETIME            | TEXT     | UTC, fixed width: 2024-03-01T12:00:00.000000Z    |
 * | JSON                           | TEXT     | the document, validated                          |
 */

import { assertNever, type Column, type ColumnType } from '../ir.js';
import { canonicalDate, canonicalDecimal, canonicalTimestamp } from '../values.js';
import { stringLiteral } from './sql-text.js';

export type StorageClass = 'TEXT' | 'INTEGER' | 'REAL';

const EXACT_INTEGER_DIGITS = 18;

export function storageClass(t: ColumnType): StorageClass {
  switch (t.kind) {
    case 'string':
    case 'date':
    case 'timestamp':
    case 'json':
      return 'TEXT';
    case 'integer':
    case 'boolean':
      return 'INTEGER';
    case 'double':
      return 'REAL';
    case 'decimal':
      return t.scale === 0 && t.precision <= EXACT_INTEGER_DIGITS ? 'INTEGER' : 'TEXT';
    case 'unknown':
      throw new Error('compile was given an IR with an unknown type; check must run first');
    default:
      return assertNever(t);
  }
}

/** The DEFAULT clause's literal, in the stored form; undefined when there is none. */
export function defaultLiteral(col: Column): string | undefined {
  const d = col.default;
  if (!d) return undefined;
  if (d.kind === 'null') return 'NULL';
  const t = col.type;
  switch (t.kind) {
    case 'boolean':
      return d.kind === 'boolean' && d.value ? '1' : '0';
    case 'integer':
    case 'double':
      return d.kind === 'number' ? d.text : undefined;
    case 'decimal': {
      const text = d.kind === 'number' ? canonicalDecimal(d.text, t.precision, t.scale) : undefined;
      if (text === undefined) return undefined;
      return storageClass(t) === 'INTEGER' ? text : stringLiteral(text);
    }
    case 'timestamp':
      return d.kind === 'string' ? stringLiteral(canonicalTimestamp(d.value) ?? d.value) : undefined;
    case 'date':
      return d.kind === 'string' ? stringLiteral(canonicalDate(d.value) ?? d.value) : undefined;
    case 'string':
      return d.kind === 'string' ? stringLiteral(d.value) : undefined;
    case 'json':
      // As written (check validated it): re-serialising would round large numbers in the document.
      return d.kind === 'string' ? stringLiteral(d.value) : undefined;
    case 'unknown':
      return undefined;
    default:
      return assertNever(t);
  }
}
