/**
 * The statements of a precision delete (SPEC section 5), per model and per relationship.
 *
 * A hygiene delete works on TEMP tables named `<model>__doomed` (the keys and versions of the
 * rows it will delete) and `<model>__cleared` (the keys of the rows whose references it will set
 * to NULL): it captures the statement's own rows first, then follows the relationships until
 * nothing more is added, checks RESTRICT, and only then writes. Model names cannot contain `__`,
 * so these names never meet a model's. Mirror tables are named with "main" throughout, because
 * the capture shadows a model's table with a TEMP view of the same name.
 */

import { nameKey, type Model, type Relationship } from '../ir.js';
import { tableNames, VERSION_DELETED } from './apply.js';
import { ident, rowValue } from './sql-text.js';

/** The ledger of hygiene deletes: one row per statement applied. */
export const HYGIENE_LEDGER_DDL = [
  `CREATE TABLE IF NOT EXISTS "_mdl_hygiene" (`,
  `  "id" INTEGER PRIMARY KEY,`,
  `  "at" TEXT NOT NULL,`,
  `  "statement" TEXT NOT NULL,`,
  `  "model" TEXT NOT NULL,`,
  `  "deleted" INTEGER NOT NULL,`,
  `  "cleared" INTEGER NOT NULL,`,
  `  "detail" TEXT NOT NULL`,
  `) STRICT`,
].join('\n');

/** (at, statement, model, deleted, cleared, detail) */
export const INSERT_HYGIENE_LEDGER = `INSERT INTO "_mdl_hygiene" ("at", "statement", "model", "deleted", "cleared", "detail") VALUES (?, ?, ?, ?, ?, ?)`;

/** Holds a row while a DELETE statement is being captured (see the guards in modelHygieneSql). */
const CAPTURING = '"_mdl_capturing"';
/** A name that needs no quoting in SQL. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const doomedName = (model: Model) => `"temp".${ident(`${model.name}__doomed`)}`;
const clearedName = (model: Model) => `"temp".${ident(`${model.name}__cleared`)}`;
const main = (name: string) => `"main".${ident(name)}`;

export interface ModelHygieneSql {
  /** Creates the model's doomed and cleared tables (empty). */
  readonly setup: readonly string[];
  readonly teardown: readonly string[];
  /**
   * A TEMP view with the model's name and an INSTEAD OF DELETE trigger: the user's DELETE
   * statement, run as it is, then puts the rows it would delete into the doomed table (SQLite
   * evaluates its WHERE clause, subqueries included).
   */
  readonly captureSetup: readonly string[];
  readonly captureTeardown: readonly string[];
  /**
   * WITH HISTORY, run after the capture: a doomed key the source had deleted already (no row,
   * only versions, which the capture view shows as the key last stood) is doomed at its greatest
   * version, its delete's, so that the erasure covers the whole of its history.
   */
  readonly settleErased: readonly string[];
  /** Rows in the doomed table; rows in the cleared table that are not doomed. */
  readonly countDoomed: string;
  readonly countCleared: string;
  /** Sample keys of doomed rows, as JSON arrays. */
  readonly sampleDoomed: string;
  /** The doomed rows leave tombstones at their versions (a tombstone only moves forward) ... */
  readonly tombstone: string;
  /** ... and leave the table. */
  readonly delete: string;
  /**
   * WITH HISTORY: the doomed keys' history goes too (a precision delete is an erasure), and the
   * key is marked erased up to the deleted version, so that a replay does not write it again.
   */
  readonly eraseHistory: readonly string[];
}

export function modelHygieneSql(model: Model): ModelHygieneSql {
  const names = tableNames(model);
  const key = model.primaryKey!.columns.map(ident);
  const keyList = key.join(', ');
  const v = ident(model.version!.column);
  const doomed = doomedName(model);
  const cleared = clearedName(model);
  const view = ident(names.table);
  const trigger = ident(`${model.name}__capture_delete`);
  const all = model.columns.map((c) => ident(c.name)).join(', ');
  // While a statement is captured, no model's tables may lose a row: the statement is meant to
  // reach only the TEMP view, and one that reaches a table anyway (a name SQLite reads otherwise
  // than the statement's parser did: node-sql-parser reads "a""b" as a, aliased b) would delete
  // without tombstones or a ledger. A model's setup guards its own tables, and the guards act
  // while CAPTURING holds a row. A plain name is read alike by every parser, so only a model
  // whose name needs quoting is guarded: a schema of plain names pays nothing.
  const guarded: [string, string][] = PLAIN_NAME.test(model.name)
    ? []
    : [
        ['table', names.table],
        ['tombstones', names.tombstones],
        ...(model.history ? ([['versions', names.versions], ['history_erased', names.historyErased]] as [string, string][]) : []),
      ];
  const guards = guarded.map(([what, table]) => ({ trigger: ident(`${model.name}__guard_${what}`), table: main(table) }));
  return {
    setup: [
      `CREATE TEMP TABLE IF NOT EXISTS ${ident(`${model.name}__doomed`)} (${keyList}, ${v}, PRIMARY KEY (${keyList}))`,
      `CREATE TEMP TABLE IF NOT EXISTS ${ident(`${model.name}__cleared`)} (${keyList}, PRIMARY KEY (${keyList}))`,
      `CREATE TEMP TABLE IF NOT EXISTS ${CAPTURING} ("on" INTEGER)`,
      ...guards.map(
        (g) =>
          `CREATE TEMP TRIGGER IF NOT EXISTS ${g.trigger} BEFORE DELETE ON ${g.table} WHEN EXISTS (SELECT 1 FROM "temp".${CAPTURING}) BEGIN ` +
          `SELECT RAISE(ABORT, 'a precision delete reaches only the model it names, through its DELETE FROM model WHERE ...'); END`,
      ),
    ],
    teardown: [
      ...guards.map((g) => `DROP TRIGGER IF EXISTS "temp".${g.trigger}`),
      `DROP TABLE IF EXISTS ${doomed}`,
      `DROP TABLE IF EXISTS ${cleared}`,
      `DROP TABLE IF EXISTS "temp".${CAPTURING}`,
    ],
    captureSetup: [
      // WITH HISTORY, a key the source has deleted is still in the versions: the view shows it as
      // it last stood, so that a precision delete can erase its history too.
      model.history
        ? `CREATE TEMP VIEW ${view} AS SELECT ${all} FROM ${main(names.table)}\n` +
          `UNION ALL\n` +
          `SELECT ${model.columns.map((c) => `h.${ident(c.name)}`).join(', ')} FROM ${main(names.versions)} AS h\n` +
          `WHERE h.${ident(VERSION_DELETED)} = 0\n` +
          `  AND NOT EXISTS (SELECT 1 FROM ${main(names.table)} AS t WHERE ${key.map((k) => `t.${k} = h.${k}`).join(' AND ')})\n` +
          `  AND h.${v} = (SELECT max(l.${v}) FROM ${main(names.versions)} AS l WHERE ${key.map((k) => `l.${k} = h.${k}`).join(' AND ')} AND l.${ident(VERSION_DELETED)} = 0)`
        : `CREATE TEMP VIEW ${view} AS SELECT ${all} FROM ${main(names.table)}`,
      `CREATE TEMP TRIGGER ${trigger} INSTEAD OF DELETE ON ${view} BEGIN ` +
        `INSERT OR IGNORE INTO ${doomed} (${keyList}, ${v}) VALUES (${key.map((k) => `OLD.${k}`).join(', ')}, OLD.${v}); END`,
      `INSERT INTO "temp".${CAPTURING} ("on") VALUES (1)`,
    ],
    captureTeardown: [`DELETE FROM "temp".${CAPTURING}`, `DROP TRIGGER IF EXISTS "temp".${trigger}`, `DROP VIEW IF EXISTS "temp".${view}`],
    settleErased: model.history
      ? [
          `UPDATE ${doomed} AS d SET ${v} = (SELECT max(h.${v}) FROM ${main(names.versions)} AS h WHERE ${key.map((k) => `h.${k} = d.${k}`).join(' AND ')})\n` +
            `WHERE NOT EXISTS (SELECT 1 FROM ${main(names.table)} AS t WHERE ${key.map((k) => `t.${k} = d.${k}`).join(' AND ')})`,
        ]
      : [],
    countDoomed: `SELECT count(*) AS "n" FROM ${doomed}`,
    countCleared: `SELECT count(*) AS "n" FROM ${cleared} WHERE ${rowValue(key)} NOT IN (SELECT ${keyList} FROM ${doomed})`,
    sampleDoomed: `SELECT json_array(${keyList}) AS "key" FROM ${doomed} ORDER BY ${keyList} LIMIT ?`,
    tombstone:
      `INSERT INTO ${main(names.tombstones)} AS t (${keyList}, ${v})\n` +
      `SELECT ${keyList}, ${v} FROM ${doomed} WHERE true\n` +
      `ON CONFLICT (${keyList}) DO UPDATE SET ${v} = excluded.${v} WHERE excluded.${v} > t.${v}`,
    delete: `DELETE FROM ${main(names.table)} WHERE ${rowValue(key)} IN (SELECT ${keyList} FROM ${doomed})`,
    eraseHistory: model.history
      ? [
          `DELETE FROM ${main(names.versions)} WHERE ${rowValue(key)} IN (SELECT ${keyList} FROM ${doomed})`,
          `INSERT INTO ${main(names.historyErased)} AS e (${keyList}, ${v})\n` +
            `SELECT ${keyList}, ${v} FROM ${doomed} WHERE true\n` +
            `ON CONFLICT (${keyList}) DO UPDATE SET ${v} = excluded.${v} WHERE excluded.${v} > e.${v}`,
        ]
      : [],
  };
}

export interface RelationshipHygieneSql {
  /** CASCADE: the children of doomed parents join the doomed (run until it adds nothing). */
  readonly cascade: string;
  /** SET NULL: the children of doomed parents are noted for clearing. */
  readonly noteCleared: string;
  /** SET NULL: the noted children's references become NULL (doomed children are left to be deleted). */
  readonly clear: string;
  /** SET NULL on a child WITH HISTORY: the same in its current version (run before `clear`). */
  readonly clearHistory: string | undefined;
  /** RESTRICT: children of doomed parents that are not doomed themselves; count, and sample keys. */
  readonly countBlocking: string;
  readonly sampleBlocking: string;
}

/** The statements for relationship `rel` of `child`, whose target is `parent`. */
export function relationshipHygieneSql(child: Model, rel: Relationship, parent: Model): RelationshipHygieneSql {
  const childKey = child.primaryKey!.columns.map(ident);
  const childKeyList = childKey.join(', ');
  const parentKey = parent.primaryKey!.columns.map(ident);
  const cv = ident(child.version!.column);
  const toPrimaryKey = rel.targetColumns.map(nameKey).sort().join() === parent.primaryKey!.columns.map(nameKey).sort().join();
  // The doomed parents as `p`, with the values their children reference: a reference to the
  // primary key reads them from the doomed keys themselves (so it reaches the children of a key
  // WITH HISTORY that has no row, only versions), one to a UNIQUE key from the parent's row.
  const parents = toPrimaryKey
    ? `FROM ${doomedName(parent)} AS p`
    : `FROM ${doomedName(parent)} AS d JOIN ${main(tableNames(parent).table)} AS p ON ${parentKey.map((k) => `p.${k} = d.${k}`).join(' AND ')}`;
  const on = rel.columns.map((c, i) => `c.${ident(c)} = p.${ident(rel.targetColumns[i]!)}`).join(' AND ');
  const children = `${parents}\nJOIN ${main(tableNames(child).table)} AS c ON ${on}`;
  const notDoomed = `NOT EXISTS (SELECT 1 FROM ${doomedName(child)} AS x WHERE ${childKey.map((k) => `x.${k} = c.${k}`).join(' AND ')})`;
  // A reference to a UNIQUE key, not the primary key: while a mirror holds two parents with the
  // same value (a change that moves it has reached one and not yet the other), a child whose
  // value a parent that stays still holds has not lost its parent, and is left alone.
  const orphaned = (columns: readonly string[]) =>
    toPrimaryKey
      ? []
      : [
          `NOT EXISTS (SELECT 1 FROM ${main(tableNames(parent).table)} AS q WHERE ${rel.targetColumns.map((t, i) => `q.${ident(t)} = ${columns[i]}`).join(' AND ')}\n` +
            `    AND NOT EXISTS (SELECT 1 FROM ${doomedName(parent)} AS e WHERE ${parentKey.map((k) => `e.${k} = q.${k}`).join(' AND ')}))`,
        ];
  const where = (conditions: readonly string[]) => (conditions.length > 0 ? `\nWHERE ${conditions.join('\n  AND ')}` : '');
  const fromChild = rel.columns.map((col) => `c.${ident(col)}`);
  // Each referencing column that is not part of the child's key is cleared (check refuses SET
  // NULL on key columns and NOT NULL ones).
  const set = rel.columns.map((c) => `${ident(c)} = NULL`).join(', ');
  const childTable = main(tableNames(child).table);
  // RESTRICT: the children that hold a delete back, each once, though one may reference two
  // doomed parents (through a UNIQUE key).
  const blocking = `SELECT DISTINCT ${childKey.map((k) => `c.${k}`).join(', ')}\n${children}${where([notDoomed, ...orphaned(fromChild)])}`;
  return {
    cascade: `INSERT OR IGNORE INTO ${doomedName(child)} (${childKeyList}, ${cv})\nSELECT ${childKey.map((k) => `c.${k}`).join(', ')}, c.${cv}\n${children}${where(orphaned(fromChild))}`,
    noteCleared: `INSERT OR IGNORE INTO ${clearedName(child)} (${childKeyList})\nSELECT ${childKey.map((k) => `c.${k}`).join(', ')}\n${children}${where(orphaned(fromChild))}`,
    clear:
      `UPDATE ${childTable} SET ${set}\n` +
      `WHERE ${rowValue(childKey)} IN (SELECT ${childKeyList} FROM ${clearedName(child)})\n` +
      `  AND ${rowValue(childKey)} NOT IN (SELECT ${childKeyList} FROM ${doomedName(child)})\n` +
      `  AND ${rowValue(rel.columns.map(ident))} IN (SELECT ${rel.targetColumns.map((c) => `p.${ident(c)}`).join(', ')} ${parents})` +
      orphaned(rel.columns.map((col) => `${childTable}.${ident(col)}`)).map((o) => `\n  AND ${o}`).join(''),
    clearHistory: child.history
      ? `UPDATE ${main(tableNames(child).versions)} AS h SET ${set}\n` +
        `FROM ${childTable} AS c\n` +
        `WHERE ${childKey.map((k) => `h.${k} = c.${k}`).join(' AND ')} AND h.${cv} = c.${cv}\n` +
        `  AND ${rowValue(childKey.map((k) => `c.${k}`))} IN (SELECT ${childKeyList} FROM ${clearedName(child)})\n` +
        `  AND ${rowValue(childKey.map((k) => `c.${k}`))} NOT IN (SELECT ${childKeyList} FROM ${doomedName(child)})\n` +
        `  AND ${rowValue(fromChild)} IN (SELECT ${rel.targetColumns.map((col) => `p.${ident(col)}`).join(', ')} ${parents})` +
        orphaned(fromChild).map((o) => `\n  AND ${o}`).join('')
      : undefined,
    countBlocking: `SELECT count(*) AS "n" FROM (${blocking})`,
    sampleBlocking: `SELECT json_array(${childKeyList}) AS "key" FROM (${blocking})\nORDER BY ${childKeyList} LIMIT ?`,
  };
}
