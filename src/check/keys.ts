/**
 * Check: primary keys, version columns and the event timestamp of time-series models.
 *
 * Reads the IR only. A key or version that resolve already reported (unknown column, declared
 * twice) reaches here as what could be resolved, and is not reported again.
 */

import type { Diagnostics } from '../diagnostics/diagnostic.js';
import { findColumn, nameKey, type Model } from '../ir.js';

export function checkKeys(model: Model, diagnostics: Diagnostics): void {
  const name = model.name;
  // What a partial model seems to lack may have been lost to an error reported already.
  const partial = model.partial;
  if (!model.primaryKey) {
    if (!partial) diagnostics.report('missingPrimaryKey', model.nameSpan, { name });
  } else {
    for (const colName of model.primaryKey.columns) {
      const col = findColumn(model, colName)!;
      if (!col.notNull) diagnostics.report('nullablePrimaryKey', col.nameSpan, { model: name, column: col.name }, {
        hint: `declare it as ${col.name} ${col.type.spelled} NOT NULL`,
      });
      if (col.type.kind === 'double' || col.type.kind === 'json') {
        diagnostics.report('primaryKeyType', col.typeSpan, { model: name, column: col.name, type: col.type.spelled });
      }
    }
  }

  if (!model.version) {
    if (!partial) diagnostics.report('missingVersion', model.nameSpan, { name }, { hint: versionHint(model) });
  } else {
    const col = findColumn(model, model.version.column)!;
    if (!col.notNull) diagnostics.report('nullableVersion', col.nameSpan, { model: name, column: col.name }, {
      hint: `declare it as ${col.name} ${col.type.spelled} NOT NULL`,
    });
    const t = col.type;
    const ordered = t.kind === 'integer' || t.kind === 'timestamp' || t.kind === 'date' || (t.kind === 'decimal' && t.scale === 0);
    if (!ordered && t.kind !== 'unknown') {
      diagnostics.report('versionType', col.typeSpan, { model: name, column: col.name, type: t.spelled });
    }
    if (model.primaryKey?.columns.some((c) => nameKey(c) === nameKey(col.name))) {
      diagnostics.report('versionInPrimaryKey', model.version.span, { model: name, column: col.name });
    }
  }

  const ts = model.timestamp;
  if (ts) {
    const col = findColumn(model, ts.column)!;
    if (col.type.kind !== 'timestamp' && col.type.kind !== 'date' && col.type.kind !== 'unknown') {
      diagnostics.report('timestampType', ts.span, { model: name, column: col.name, type: col.type.spelled });
    }
  }
  if (partial) return;
  if (model.behavior === 'time-series') {
    if (!ts) {
      diagnostics.report('timeSeriesWithoutTimestamp', model.nameSpan, { name });
    } else if (model.primaryKey && !model.primaryKey.columns.some((c) => nameKey(c) === nameKey(ts.column))) {
      diagnostics.report('timeSeriesKeyWithoutTimestamp', model.primaryKey.span, { name, column: ts.column }, {
        hint: `PRIMARY KEY (${[...model.primaryKey.columns, ts.column].join(', ')})`,
      });
    }
  } else if (ts) {
    diagnostics.report('recordWithTimestamp', ts.span, { name }, { hint: 'add BEHAVIOR TIME SERIES after the closing parenthesis' });
  }
}

/** Point at a likely version column when there is one, so the fix is one line. */
function versionHint(model: Model): string {
  const likely = model.columns.find((c) =>
    /^(version|seq|sequence|updated_at|modified_at|last_modified|lsn|revision)$/i.test(c.name) &&
    model.primaryKey?.columns.every((k) => nameKey(k) !== nameKey(c.name)) !== false);
  return likely ? `add VERSION (${likely.name})` : 'add a column such as seq BIGINT NOT NULL and VERSION (seq)';
}
