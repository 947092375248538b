/**
 * The apply statements: SPEC section 4 for one staged batch of one model, as SQLite SQL.
 *
 * The runtime stages a batch's valid rows in a TEMP table, runs these in order inside one
 * transaction, and reads the counts from the last. SQLite has no MERGE; "MERGE" here is:
 *
 *   1. mark-duplicates  a row identical to an earlier row of the batch (same key, version and
 *                       kind; for upserts also the same content) is a duplicate;
 *   2. mark-stale       of the rest, every row but the winner of its key is stale; the winner is
 *                       the greatest by (version, delete over upsert, canonical content);
 *   3. classify         each winner against the mirror and its tombstones: inserted, updated,
 *                       deleted, tombstoned (delete of an absent key), stale or duplicate;
 *   4. upsert           INSERT ... SELECT ... ON CONFLICT DO UPDATE with a version guard;
 *   5. revive           an insert clears the key's older tombstone;
 *   6. delete           deleted keys leave the table ...
 *   7. tombstone        ... and leave a tombstone at the delete's version (kept at the greatest);
 *   8. count            outcome -> rows, for the batch ledger;
 *   9. clear            empty the stage for the next batch.
 *
 * The canonical content of a row is SQLite's json_array() of its stored values in declaration
 * order: the same function encodes staged rows and mirror rows, so they always compare alike.
 */

import type { Model } from '../ir.js';
import { equalities, ident, list, rowValue } from './sql-text.js';
import { storageClass } from './storage.js';

export const STAGE_ROW = '_mdl_row';
export const STAGE_OP = '_mdl_op';
export const STAGE_OUTCOME = '_mdl_outcome';

/** Values of the stage's _mdl_op column. */
export const OP_UPSERT = 0;
export const OP_DELETE = 1;

export type Outcome = 'inserted' | 'updated' | 'deleted' | 'tombstoned' | 'stale' | 'duplicate';

export interface ApplyStatements {
  /** CREATE TEMP TABLE for the stage and its index; run once per connection. */
  readonly createStage: readonly string[];
  /** Parameter order of `insertStage`: _mdl_row, _mdl_op, then these columns. */
  readonly stageColumns: readonly string[];
  readonly insertStage: string;
  /** Run in this order inside the batch's transaction. */
  readonly steps: readonly { readonly name: string; readonly sql: string }[];
  /** Rows (outcome, rows) for the batch, after the steps. */
  readonly count: string;
  readonly clear: string;
}

export function tableNames(model: Model): { table: string; tombstones: string; stage: string } {
  return { table: model.name, tombstones: `${model.name}__tombstones`, stage: `${model.name}__stage` };
}

export function compileApply(model: Model): ApplyStatements {
  const names = tableNames(model);
  const table = ident(names.table);
  const tomb = ident(names.tombstones);
  const stage = ident(names.stage);
  const key = model.primaryKey!.columns;
  const version = model.version!.column;
  const v = ident(version);
  const columns = model.columns.map((c) => c.name);
  const nonKey = columns.filter((c) => !key.includes(c));
  const row = ident(STAGE_ROW);
  const op = ident(STAGE_OP);
  const outcome = ident(STAGE_OUTCOME);
  // Quoted once: the content expression appears in most statements, for several aliases.
  const quotedColumns = columns.map(ident);
  const content = (alias: string) => `json_array(${alias}.${quotedColumns.join(`, ${alias}.`)})`;
  const keyList = list(key.map(ident));

  const createStage = [
    [
      `CREATE TEMP TABLE IF NOT EXISTS ${stage} (`,
      `  ${row} INTEGER PRIMARY KEY,`,
      `  ${op} INTEGER NOT NULL,`,
      `  ${outcome} TEXT,`,
      model.columns.map((c) => `  ${ident(c.name)} ${storageClass(c.type)}`).join(',\n'),
      `)`,
    ].join('\n'),
    `CREATE INDEX IF NOT EXISTS "temp".${ident(`${names.stage}_key`)} ON ${ident(names.stage)} (${list([...key, version].map(ident))})`,
  ];

  const insertStage = `INSERT INTO ${stage} (${list([row, op, ...quotedColumns])}) VALUES (${list(
    Array.from({ length: columns.length + 2 }, () => '?'),
  )})`;

  const markDuplicates = [
    `UPDATE ${stage} AS s SET ${outcome} = 'duplicate'`,
    `WHERE EXISTS (`,
    `  SELECT 1 FROM ${stage} AS o`,
    `  WHERE ${equalities('o', 's', [...key, version])}`,
    `    AND o.${op} = s.${op} AND o.${row} < s.${row}`,
    `    AND (s.${op} = ${OP_DELETE} OR ${content('o')} = ${content('s')})`,
    `)`,
  ].join('\n');

  const markStale = [
    `UPDATE ${stage} SET ${outcome} = 'stale'`,
    `WHERE ${outcome} IS NULL AND ${row} NOT IN (`,
    `  SELECT ${row} FROM (`,
    `    SELECT ${row}, row_number() OVER (`,
    `      PARTITION BY ${keyList}`,
    `      ORDER BY ${v} DESC, ${op} DESC, json_array(${list(columns.map(ident))}) DESC`,
    `    ) AS "_mdl_rank"`,
    `    FROM ${stage} WHERE ${outcome} IS NULL`,
    `  ) WHERE "_mdl_rank" = 1`,
    `)`,
  ].join('\n');

  const classify = [
    `UPDATE ${stage} AS s SET ${outcome} = CASE`,
    `  WHEN s.${op} = ${OP_UPSERT} THEN CASE`,
    `    WHEN x."tomb_version" >= s.${v} THEN 'stale'`,
    `    WHEN x."current_version" IS NULL THEN 'inserted'`,
    `    WHEN s.${v} > x."current_version" THEN 'updated'`,
    `    WHEN s.${v} < x."current_version" THEN 'stale'`,
    `    WHEN ${content('s')} = x."current_content" THEN 'duplicate'`,
    `    WHEN ${content('s')} > x."current_content" THEN 'updated'`,
    `    ELSE 'stale'`,
    `  END`,
    `  ELSE CASE`,
    `    WHEN x."tomb_version" > s.${v} THEN 'stale'`,
    `    WHEN x."tomb_version" = s.${v} THEN 'duplicate'`,
    `    WHEN x."current_version" IS NULL THEN 'tombstoned'`,
    `    WHEN s.${v} >= x."current_version" THEN 'deleted'`,
    `    ELSE 'stale'`,
    `  END`,
    `END`,
    `FROM (`,
    `  SELECT st.${row} AS "row", m.${v} AS "current_version", t.${v} AS "tomb_version",`,
    `    CASE WHEN m.${v} = st.${v} THEN ${content('m')} END AS "current_content"`,
    `  FROM ${stage} AS st`,
    `  LEFT JOIN ${table} AS m ON ${equalities('m', 'st', key)}`,
    `  LEFT JOIN ${tomb} AS t ON ${equalities('t', 'st', key)}`,
    `  WHERE st.${outcome} IS NULL`,
    `) AS x`,
    `WHERE s.${row} = x."row"`,
  ].join('\n');

  const set = [...nonKey].map((c) => `${ident(c)} = excluded.${ident(c)}`);
  // The target is aliased: a model may be named "excluded", which would otherwise make the guard
  // compare the incoming row with itself.
  const upsert = [
    `INSERT INTO ${table} AS m (${list(quotedColumns)})`,
    `SELECT ${list(quotedColumns)} FROM ${stage}`,
    `WHERE ${outcome} IN ('inserted', 'updated')`,
    `ON CONFLICT (${keyList}) DO UPDATE SET`,
    `  ${set.join(',\n  ')}`,
    `WHERE excluded.${v} > m.${v}`,
    `   OR (excluded.${v} = m.${v} AND ${content('excluded')} > ${content('m')})`,
  ].join('\n');

  const keyRow = rowValue(key.map(ident));
  const revive = [
    `DELETE FROM ${tomb}`,
    `WHERE ${keyRow} IN (SELECT ${keyList} FROM ${stage} WHERE ${outcome} = 'inserted')`,
  ].join('\n');

  const del = [
    `DELETE FROM ${table}`,
    `WHERE ${keyRow} IN (SELECT ${keyList} FROM ${stage} WHERE ${outcome} = 'deleted')`,
  ].join('\n');

  const tombstone = [
    `INSERT INTO ${tomb} AS t (${list([...key, version].map(ident))})`,
    `SELECT ${list([...key, version].map(ident))} FROM ${stage}`,
    `WHERE ${outcome} IN ('deleted', 'tombstoned')`,
    `ON CONFLICT (${keyList}) DO UPDATE SET ${v} = excluded.${v}`,
    `WHERE excluded.${v} > t.${v}`,
  ].join('\n');

  const count = `SELECT ${outcome} AS "outcome", count(*) AS "rows" FROM ${stage} GROUP BY ${outcome} ORDER BY ${outcome}`;
  const clear = `DELETE FROM ${stage}`;

  return {
    createStage,
    stageColumns: columns,
    insertStage,
    steps: [
      { name: 'mark-duplicates', sql: markDuplicates },
      { name: 'mark-stale', sql: markStale },
      { name: 'classify', sql: classify },
      { name: 'upsert', sql: upsert },
      { name: 'revive', sql: revive },
      { name: 'delete', sql: del },
      { name: 'tombstone', sql: tombstone },
    ],
    count,
    clear,
  };
}
