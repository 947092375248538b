/**
 * Check: limits of the SQLite target (the default one, so `mdl check` reports them too).
 */

import type { Diagnostics } from '../diagnostics/diagnostic.js';
import { findColumn, type Model } from '../ir.js';

/** Columns a model may have: its canonical content is json_array() of them all, and SQLite's functions take at most 1,000 arguments. */
const MAX_COLUMNS = 1000;

/** Digits that always fit a signed 64-bit integer. */
const INT64_DIGITS = 18;

export function checkSqliteLimits(model: Model, diagnostics: Diagnostics): void {
  if (model.name.toLowerCase().startsWith('sqlite_')) diagnostics.report('sqliteReservedName', model.nameSpan, { name: model.name });
  if (model.columns.length > MAX_COLUMNS) {
    diagnostics.report('sqliteTooManyColumns', model.nameSpan, { model: model.name, columns: model.columns.length, limit: MAX_COLUMNS });
  }
  const shown = (name: string) => JSON.stringify(name);
  if (model.name.includes('\0')) diagnostics.report('sqliteNulInName', model.nameSpan, { what: 'model name', name: shown(model.name) });
  for (const c of model.columns) {
    if (c.name.includes('\0')) diagnostics.report('sqliteNulInName', c.nameSpan, { what: `column name in model ${shown(model.name)}:`, name: shown(c.name) });
  }
  for (const r of model.relationships) {
    if (r.name.includes('\0')) diagnostics.report('sqliteNulInName', r.span, { what: `relationship name in model ${shown(model.name)}:`, name: shown(r.name) });
  }
  if (!model.version) return;
  const col = findColumn(model, model.version.column);
  if (col && col.type.kind === 'decimal' && col.type.scale === 0 && col.type.precision > INT64_DIGITS) {
    diagnostics.report('sqliteWideDecimalVersion', col.typeSpan, { model: model.name, column: col.name, precision: col.type.precision });
  }
}
