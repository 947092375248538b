/**
 * Changes given as JavaScript objects (the library's way in), as the input fields of rows.ts.
 *
 * Keys are matched to columns case-insensitively; `_change_request_type` says u or d. Values:
 * strings as they are; numbers, bigints and booleans as their text (a bigint keeps every digit);
 * Date as its ISO instant; objects and arrays as JSON documents; null and undefined as NULL.
 */

import { nameKey, type Model } from '../ir.js';
import { JsonLiteral } from '../ingest/jsonl.js';
import type { RawField } from '../ingest/convert.js';
import { MirrorError } from './mirror.js';
import type { ChangeInput } from './rows.js';

export type ChangeObject = Readonly<Record<string, unknown>>;

function field(v: unknown): RawField {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  // An integral number beyond 2^53 is written out whole (String() would give 1152921504606847000 for 2 ** 60).
  if (typeof v === 'number') return new JsonLiteral('number', Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v).toString() : String(v));
  if (typeof v === 'bigint') return new JsonLiteral('number', String(v));
  if (typeof v === 'boolean') return new JsonLiteral('boolean', String(v));
  // An invalid Date is text no type reads, so the change is rejected with a reason.
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  return new JsonLiteral(Array.isArray(v) ? 'array' : 'object', JSON.stringify(v));
}

export function objectChanges(model: Model, rows: readonly ChangeObject[]): ChangeInput[] {
  const index = new Map(model.columns.map((c, i) => [nameKey(c.name), i] as const));
  return rows.map((row, n) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new MirrorError(`change ${n + 1} is not an object of column values (it is ${row === null ? 'null' : Array.isArray(row) ? 'an array' : `a ${typeof row}`}); nothing was applied`);
    }
    const fields: (RawField | undefined)[] = new Array<RawField | undefined>(model.columns.length);
    let changeType: RawField | undefined;
    for (const [k, v] of Object.entries(row)) {
      const key = nameKey(k);
      if (key === '_change_request_type') {
        changeType = field(v);
        continue;
      }
      const i = index.get(key);
      if (i === undefined) throw new MirrorError(`model ${model.name} has no column ${JSON.stringify(k)}; nothing was applied`);
      fields[i] = field(v);
    }
    return { fields, changeType };
  });
}
