/**
 * Check: limits of the SQLite target (the default one, so `mdl check` reports them too).
 */

import type { Diagnostics } from '../diagnostics/diagnostic.js';
import { findColumn, type Model } from '../ir.js';

/** Digits that always fit a signed 64-bit integer. */
const INT64_DIGITS = 18;

export function checkSqliteLimits(model: Model, diagnostics: Diagnostics): void {
  if (model.name.toLowerCase().startsWith('sqlite_')) diagnostics.report('sqliteReservedName', model.nameSpan, { name: model.name });
  if (!model.version) return;
  const col = findColumn(model, model.version.column);
  if (col && col.type.kind === 'decimal' && col.type.scale === 0 && col.type.precision > INT64_DIGITS) {
    diagnostics.report('sqliteWideDecimalVersion', col.typeSpan, { model: model.name, column: col.name, precision: col.type.precision });
  }
}
