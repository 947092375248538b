/**
 * Check: column defaults fit their column's type; a model WITH HISTORY leaves the history
 * table's interval columns free.
 */

import type { Diagnostics } from '../diagnostics/diagnostic.js';
import { assertNever, nameKey, type Column, type DefaultValue, type Model } from '../ir.js';
import { canonicalDate, canonicalDecimal, canonicalTimestamp, finerThanMicrosecond, plainNumber, underflowsToZero } from '../values.js';

const HISTORY_COLUMNS = new Set(['valid_from', 'valid_to']);

export function checkColumns(model: Model, diagnostics: Diagnostics): void {
  if (model.history) {
    for (const col of model.columns) {
      if (HISTORY_COLUMNS.has(nameKey(col.name))) diagnostics.report('historyColumnName', col.span, { model: model.name, column: col.name });
    }
  }
  for (const col of model.columns) {
    if (!col.default) continue;
    // NOT NULL with DEFAULT NULL is reported by resolve as contradictory nullability.
    if (col.default.kind === 'null') continue;
    if (!defaultFits(col, col.default)) {
      // 1e6 or 2.0 for an integer, 1e2 for a DECIMAL: the value fits, written another way.
      const d = col.default;
      const plain = d.kind === 'number' ? plainNumber(d.text) : undefined;
      const fitsPlain = plain !== undefined && d.kind === 'number' && plain !== d.text && defaultFits(col, { kind: 'number', text: plain });
      diagnostics.report(
        'defaultTypeMismatch',
        col.defaultSpan ?? col.span,
        { column: col.name, type: col.type.spelled, value: showDefault(d) },
        fitsPlain ? { hint: `write it as ${plain}` } : {},
      );
    }
  }
}

export function showDefault(d: DefaultValue): string {
  switch (d.kind) {
    case 'string':
      return `'${d.value.replace(/'/g, "''")}'`;
    case 'number':
      return d.text;
    case 'boolean':
      return d.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    default:
      return assertNever(d);
  }
}

const INTEGER_LIMITS = { 16: 2n ** 15n, 32: 2n ** 31n, 64: 2n ** 63n } as const;

function defaultFits(col: Column, d: DefaultValue): boolean {
  if (d.kind === 'null') return !col.notNull;
  const t = col.type;
  switch (t.kind) {
    case 'unknown':
      return true;
    case 'string':
      return d.kind === 'string' && (t.maxLength === null || [...d.value].length <= t.maxLength);
    case 'integer': {
      if (d.kind !== 'number' || !/^-?\d+$/.test(d.text)) return false;
      const v = BigInt(d.text);
      const limit = INTEGER_LIMITS[t.bits];
      return v >= -limit && v < limit;
    }
    case 'double': {
      // As ingest reads a value: a number too small for a double is not 0 (1e-400 would be stored as 0).
      if (d.kind !== 'number') return false;
      const n = Number(d.text);
      return Number.isFinite(n) && !(n === 0 && underflowsToZero(d.text));
    }
    case 'decimal':
      return d.kind === 'number' && canonicalDecimal(d.text, t.precision, t.scale) !== undefined;
    case 'boolean':
      return d.kind === 'boolean';
    case 'date':
      return d.kind === 'string' && canonicalDate(d.value) !== undefined;
    case 'timestamp':
      // As ingest reads a value: stored to the microsecond, so a finer digit that is not 0 would be cut off.
      return d.kind === 'string' && canonicalTimestamp(d.value) !== undefined && !finerThanMicrosecond(d.value);
    case 'json':
      if (d.kind !== 'string') return false;
      try {
        JSON.parse(d.value);
        return true;
      } catch {
        return false;
      }
    default:
      return assertNever(t);
  }
}
