/**
 * A change row, from input fields to the row staged for the apply statements (SPEC section 4).
 *
 * In: one input row's fields, already matched to the model's columns by name. Out: the
 * operation and the stored value of every column, in declaration order, or a reject with its
 * code and reason. A delete needs only the primary key and the version: its other fields are
 * neither read nor checked. An upsert replaces the whole row, so a column absent from the input
 * is NULL, and a NOT NULL column that ends up NULL rejects the row.
 */

import type { Model } from '../ir.js';
import { changeType, convertField, Rejection, type RawField, type StoredValue } from '../ingest/convert.js';
import { OP_DELETE, OP_UPSERT } from '../compile/apply.js';
import { BatchBuilder } from './within-batch.js';

/** Why a row was rejected, as recorded in _mdl_rejects.code. */
export type RejectCode = 'malformed-row' | 'unknown-change-type' | 'missing-key' | 'missing-version' | 'bad-value' | 'missing-value' | 'below-watermark';

export interface ChangeInput {
  /** By model column index; undefined when the input has no such column (NULL). */
  readonly fields: readonly (RawField | undefined)[];
  /** The `_change_request_type` field, when the input has one. */
  readonly changeType?: RawField | undefined;
  /** A problem the reader found with the row itself (a malformed CSV record, invalid JSON). */
  readonly error?: string | undefined;
}

export interface RejectedChange {
  readonly code: RejectCode;
  readonly reason: string;
}

/** Per model, computed once: which columns a delete reads, and which may not be NULL. */
export interface RowShape {
  readonly model: Model;
  readonly keyIndexes: readonly number[];
  readonly versionIndex: number;
  /** The model's tombstone watermark (mdl vacuum), if it has one: older changes are rejected. */
  readonly watermark: Watermark | undefined;
}

/** Tombstones below `below` (a stored version) were removed on `at`. */
export interface Watermark {
  readonly below: StoredValue;
  readonly at: string;
}

export function rowShape(model: Model, watermark?: Watermark): RowShape {
  const index = (name: string) => model.columns.findIndex((c) => c.name === name);
  return {
    model,
    keyIndexes: model.primaryKey!.columns.map(index),
    versionIndex: index(model.version!.column),
    watermark,
  };
}

/**
 * Converts one change into `values` (the model's width, every slot written): returns its
 * operation (OP_UPSERT or OP_DELETE), or the reject when it cannot be applied. `values` is the
 * caller's to reuse from change to change: converting a file allocates no array per row.
 */
export function convertChange(shape: RowShape, input: ChangeInput, values: StoredValue[]): number | RejectedChange {
  if (input.error !== undefined) return { code: 'malformed-row', reason: input.error };
  const kind = changeType(input.changeType);
  if (kind instanceof Rejection) return { code: 'unknown-change-type', reason: kind.reason };
  const columns = shape.model.columns;
  values.fill(null, 0, columns.length);

  for (const i of shape.keyIndexes) {
    const r = required(columns[i]!, input.fields[i], 'missing-key', values, i);
    if (r) return r;
  }
  const r = required(columns[shape.versionIndex]!, input.fields[shape.versionIndex], 'missing-version', values, shape.versionIndex);
  if (r) return r;
  const w = shape.watermark;
  // Versions are integers or ASCII text (timestamps, dates): JavaScript orders them as SQLite does.
  if (w && values[shape.versionIndex]! < w.below!) {
    return {
      code: 'below-watermark',
      reason:
        `version ${String(values[shape.versionIndex])} is below the watermark ${String(w.below)} set by mdl vacuum at ${w.at}: ` +
        `the tombstones it would be checked against were removed, so it can be neither applied nor ignored safely`,
    };
  }
  if (kind === 'd') return OP_DELETE;

  for (let i = 0; i < columns.length; i++) {
    if (values[i] !== null) continue;
    const column = columns[i]!;
    const raw = input.fields[i];
    if (raw === undefined || raw === null) {
      if (column.notNull) {
        return { code: 'missing-value', reason: `column ${column.name} is NOT NULL but the row has ${raw === undefined ? 'no such field' : 'NULL'}` };
      }
      continue;
    }
    const v = convertField(column.type, raw);
    if (v instanceof Rejection) return { code: 'bad-value', reason: `column ${column.name}: ${v.reason}` };
    values[i] = v;
  }
  return OP_UPSERT;
}

/** A key or version column's value into `values[i]`, or why the row is rejected. */
function required(
  column: Model['columns'][number],
  raw: RawField | undefined,
  code: 'missing-key' | 'missing-version',
  values: StoredValue[],
  i: number,
): RejectedChange | undefined {
  const what = code === 'missing-key' ? 'the primary key column' : 'the version column';
  if (raw === undefined || raw === null) return { code, reason: `${what} ${column.name} is NULL` };
  const v = convertField(column.type, raw);
  if (v instanceof Rejection) return { code, reason: `${what} ${column.name}: ${v.reason}` };
  if (v === null) return { code, reason: `${what} ${column.name} is NULL` };
  values[i] = v;
  return undefined;
}

export function isRejected(c: number | RejectedChange): c is RejectedChange {
  return typeof c !== 'number';
}

/** A batch builder for the model: its width, key and version (mirror/within-batch.ts). */
export function batchBuilder(shape: RowShape): BatchBuilder {
  return new BatchBuilder(shape.model.columns.length, shape.keyIndexes, shape.versionIndex, shape.model.history);
}
