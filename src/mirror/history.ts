/**
 * A model WITH HISTORY read back: one key's versions with the interval each was current, and the
 * state of every key as of a version. The values are given as text, as a person types them, and
 * read as ingest reads them (a timestamp in any offset finds its normalised self). Integers come
 * back exact: numbers, and bigints beyond 2^53.
 */

import type { Statement } from 'better-sqlite3';
import { findColumn, type Model } from '../ir.js';
import { historySql } from '../compile/mirror-sql.js';
import { tableNames } from '../compile/apply.js';
import { convertField, Rejection, type StoredValue } from '../ingest/convert.js';
import { MirrorError, type Mirror } from './mirror.js';

export type HistoryRow = Record<string, unknown> & { valid_from: unknown; valid_to: unknown };

/** Integers exactly: a number when it is one, a bigint beyond 2^53. */
function read(stmt: Statement, params: readonly unknown[]): HistoryRow[] {
  stmt.safeIntegers(true);
  const rows = stmt.all(...params) as Record<string, unknown>[];
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) if (typeof v === 'bigint' && Number.isSafeInteger(Number(v))) row[k] = Number(v);
  }
  return rows as HistoryRow[];
}

function historyModel(mirror: Mirror, name: string): Model {
  const model = mirror.model(name);
  if (!model) throw new MirrorError(`the mirror has no model ${name}`);
  if (!model.history) throw new MirrorError(`model ${model.name} keeps no history; declare it WITH HISTORY to keep every version`);
  return model;
}

function stored(model: Model, column: string, raw: string | number | bigint): StoredValue {
  const c = findColumn(model, column)!;
  const v = convertField(c.type, String(raw));
  if (v instanceof Rejection) throw new MirrorError(`${model.name}.${c.name}: ${v.reason}`);
  return v;
}

/**
 * Every version of one key of `modelName`, oldest first, each with valid_from and valid_to. The
 * key is its values in the primary key's order; a key of one column may be given as its value.
 */
export function keyHistory(mirror: Mirror, modelName: string, given: readonly (string | number | bigint)[] | string | number | bigint): HistoryRow[] {
  const model = historyModel(mirror, modelName);
  const columns = model.primaryKey!.columns;
  const key = Array.isArray(given) ? given : [given as string | number | bigint];
  if (key.length !== columns.length) {
    throw new MirrorError(`the key of ${model.name} is (${columns.join(', ')}): give ${columns.length} value${columns.length === 1 ? '' : 's'}, not ${key.length}`);
  }
  const sql = historySql(tableNames(model).history, columns);
  return read(mirror.db.prepare(sql.key), columns.map((c, i) => stored(model, c, key[i]!)));
}

/** Every key of `modelName` as it stood at `version`: the version current then, in key order. */
export function historyAsOf(mirror: Mirror, modelName: string, version: string | number | bigint): HistoryRow[] {
  const model = historyModel(mirror, modelName);
  const sql = historySql(tableNames(model).history, model.primaryKey!.columns);
  const v = stored(model, model.version!.column, version);
  return read(mirror.db.prepare(sql.asOf), [v, v]);
}
