/**
 * Check: relationships (targets are keys, arity and types match, cardinality, ON DELETE).
 *
 * Unknown targets and columns were reported by resolve and never reach the IR; everything here
 * is about relationships whose names all resolved.
 */

import type { Diagnostics } from '../diagnostics/diagnostic.js';
import { findColumn, findModel, nameKey, type ColumnType, type Model, type Relationship, type Schema } from '../ir.js';
import { fastPathKeywords } from '../syntax/scan.js';

export function checkRelationships(schema: Schema, model: Model, diagnostics: Diagnostics): void {
  for (const rel of model.relationships) {
    const target = findModel(schema, rel.target);
    // What a partial target seems to lack (a key, a UNIQUE) may be lost to a reported error.
    if (!target || target.partial) continue;
    checkCardinality(schema, model, target, rel, diagnostics);
    if (!checkTargetIsKey(target, rel, diagnostics)) continue;
    checkTypes(model, target, rel, diagnostics);
    checkOnDelete(model, rel, diagnostics);
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a.map(nameKey));
  return b.every((x) => s.has(nameKey(x)));
}

function keysOf(model: Model): (readonly string[])[] {
  return [...(model.primaryKey ? [model.primaryKey.columns] : []), ...model.uniqueKeys.map((k) => k.columns)];
}

function checkTargetIsKey(target: Model, rel: Relationship, diagnostics: Diagnostics): boolean {
  const keys = keysOf(target);
  if (keys.some((k) => sameSet(k, rel.targetColumns))) {
    if (rel.columns.length !== rel.targetColumns.length) {
      diagnostics.report('referenceArity', rel.span, {
        source: rel.columns.length,
        target: rel.targetColumns.length,
        targetModel: target.name,
      });
      return false;
    }
    // A UNIQUE key may hold a DOUBLE or a JSON column (a primary key may not: MDL3004).
    for (const c of rel.targetColumns) {
      const col = findColumn(target, c);
      if (col && (col.type.kind === 'double' || col.type.kind === 'json')) {
        diagnostics.report('referenceTargetType', rel.targetSpan, { target: target.name, column: col.name, type: col.type.spelled });
        return false;
      }
    }
    return true;
  }
  diagnostics.report('referenceNotKey', rel.targetSpan, { target: target.name, columns: rel.targetColumns.join(', ') }, {
    hint: keys.length > 0 ? `the keys of ${target.name} are ${keys.map((k) => `(${k.join(', ')})`).join(' and ')}` : undefined,
  });
  return false;
}

function family(t: ColumnType): string {
  switch (t.kind) {
    case 'decimal':
      return `decimal/${t.scale}`;
    default:
      return t.kind;
  }
}

function checkTypes(model: Model, target: Model, rel: Relationship, diagnostics: Diagnostics): void {
  rel.columns.forEach((colName, i) => {
    const col = findColumn(model, colName)!;
    const tcol = findColumn(target, rel.targetColumns[i]!)!;
    if (col.type.kind === 'unknown' || tcol.type.kind === 'unknown') return;
    if (family(col.type) !== family(tcol.type)) {
      diagnostics.report('referenceTypeMismatch', rel.span, {
        column: `${model.name}.${col.name}`,
        type: col.type.spelled,
        target: `${target.name}.${tcol.name}`,
        targetType: tcol.type.spelled,
      });
    }
  });
}

function checkCardinality(schema: Schema, model: Model, target: Model, rel: Relationship, diagnostics: Diagnostics): void {
  switch (rel.cardinality) {
    case 'many-to-one':
      return;
    case 'one-to-one':
      if (!keysOf(model).some((k) => sameSet(k, rel.columns))) {
        diagnostics.report('oneToOneNotUnique', rel.span, { model: model.name, columns: rel.columns.join(', ') }, {
          hint: `add UNIQUE (${rel.columns.join(', ')}) to ${model.name}, or write MANY TO ONE`,
        });
      }
      return;
    case 'one-to-many':
      diagnostics.report('oneToMany', rel.span, { model: model.name, target: target.name });
      return;
    case 'many-to-many':
      diagnostics.report('manyToMany', rel.span, { model: model.name, target: target.name }, {
        hint: `write a link model instead, for example:\n\n${linkModel(schema, model, target)}`,
      });
      return;
  }
}

/** The link model a MANY TO MANY should have been: both keys, each a MANY TO ONE reference. */
function linkModel(schema: Schema, a: Model, b: Model): string {
  const side = (m: Model, prefix: string) =>
    (m.primaryKey?.columns ?? []).map((k) => {
      const col = findColumn(m, k);
      return { name: `${prefix}_${k}`, type: col?.type.spelled ?? 'STRING', target: k };
    });
  const left = side(a, a.name);
  const right = side(b, nameKey(a.name) === nameKey(b.name) ? `related_${b.name}` : b.name);
  // user + group_id and user_group + id would both be user_group_id: number the later one.
  const used = new Set<string>();
  for (const c of [...left, ...right]) {
    let name = c.name;
    for (let n = 2; used.has(nameKey(name)); n++) name = `${c.name}_${n}`;
    used.add(nameKey(name));
    c.name = name;
  }
  let linkName = `${a.name}_${b.name}`;
  if (findModel(schema, linkName)) linkName = `${linkName}_link`;
  // Names as they must be written to be read back: quoted unless a plain word that is not reserved.
  const cols = [...left, ...right].map((c) => ({ ...c, name: written(c.name), target: written(c.target) }));
  const [l, r] = [cols.slice(0, left.length), cols.slice(left.length)];
  const width = Math.max(...cols.map((c) => c.name.length), 'updated_at'.length);
  const lines = [
    `CREATE MODEL ${written(linkName)} (`,
    ...cols.map((c) => `  ${c.name.padEnd(width)} ${c.type} NOT NULL,`),
    `  ${'updated_at'.padEnd(width)} TIMESTAMP NOT NULL,`,
    `  PRIMARY KEY (${cols.map((c) => c.name).join(', ')}),`,
    `  VERSION (updated_at),`,
    `  FOREIGN KEY (${l.map((c) => c.name).join(', ')}) REFERENCES ${written(a.name)} (${l.map((c) => c.target).join(', ')}) MANY TO ONE ON DELETE CASCADE,`,
    `  FOREIGN KEY (${r.map((c) => c.name).join(', ')}) REFERENCES ${written(b.name)} (${r.map((c) => c.target).join(', ')}) MANY TO ONE ON DELETE CASCADE`,
    ');',
  ];
  return lines.join('\n');
}

const RESERVED = new Set(fastPathKeywords.reserved.map((w) => w.toUpperCase()));

/** A name as an .mdl file writes it: as it is when a plain word that is not reserved, else in double quotes. */
function written(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toUpperCase()) ? name : `"${name.replace(/"/g, '""')}"`;
}

function checkOnDelete(model: Model, rel: Relationship, diagnostics: Diagnostics): void {
  if (rel.onDelete !== 'set-null') return;
  for (const colName of rel.columns) {
    const col = findColumn(model, colName)!;
    if (model.primaryKey?.columns.some((k) => nameKey(k) === nameKey(colName))) {
      diagnostics.report('setNullPrimaryKey', rel.span, { model: model.name, column: col.name });
    } else if (col.notNull) {
      diagnostics.report('setNullNotNull', rel.span, { model: model.name, column: col.name });
    }
  }
}
