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
 *   8. history          WITH HISTORY only: every staged change is kept as a version of its key;
 *   9. count            the number of changes with each outcome, for the batch ledger;
 *  10. clear            empty the stage for the next batch.
 *
 * Steps 1 and 2 settle a key's changes within the batch, and matter only for a key staged more
 * than once. A runtime that settles those keys itself stages one change per key (and, for a model
 * WITH HISTORY, the key's losers marked OP_LOST), and can then stage and classify in one
 * statement (insertClassifiedRows) and run only steps 4 to 8: the
 * stage is then written once, never updated, which is most of the cost of a large batch.
 *
 * The canonical content of a row is SQLite's json_array() of its stored values in declaration
 * order: the same function encodes staged rows and mirror rows, so they always compare alike.
 */

import type { Model } from '../ir.js';
import { equalities, ident, rowValue } from './sql-text.js';
import { storageClass } from './storage.js';

export const STAGE_ROW = '_mdl_row';
export const STAGE_OP = '_mdl_op';
export const STAGE_OUTCOME = '_mdl_outcome';

/** Values of the stage's _mdl_op column. */
export const OP_UPSERT = 0;
export const OP_DELETE = 1;
/**
 * Added to the op of a change that lost to another of its key within the batch, settled as such
 * before staging: it is stale for the table, and staged only because a model WITH HISTORY keeps
 * every version (2 a lost upsert, 3 a lost delete).
 */
export const OP_LOST = 2;

export type Outcome = 'inserted' | 'updated' | 'deleted' | 'tombstoned' | 'stale' | 'duplicate';

/** Every outcome, in the order reports give them. */
export const OUTCOMES: readonly Outcome[] = ['inserted', 'updated', 'deleted', 'tombstoned', 'stale', 'duplicate'];

export interface ApplyStatements {
  /** CREATE TEMP TABLE for the stage; run once per connection. */
  readonly createStage: string;
  /**
   * The stage's (key, version) index, which mark-duplicates and mark-stale probe. A runtime that
   * stages one row per key can skip those two steps, and then the index (creating it only for a
   * batch that needs it, and dropping it after).
   */
  readonly createStageIndex: string;
  readonly dropStageIndex: string;
  /** Parameter order of `insertStage`, per row: _mdl_row, _mdl_op, then these columns. */
  readonly stageColumns: readonly string[];
  readonly insertStage: string;
  /** `insertStage` for `rows` rows in one statement (their parameters one row after another). */
  readonly insertStageRows: (rows: number) => string;
  /**
   * Stage and classify in one statement, `rows` rows at a time, for a batch that holds one change
   * per key (the runtime settles the rest of a key's changes before staging). After it, only the
   * steps of the `write` phase run. Parameters as for `insertStageRows`.
   */
  readonly insertClassifiedRows: (rows: number) => string;
  /**
   * Run in this order inside the batch's transaction, after `insertStage`. A batch staged with
   * `insertClassifiedRows` runs only the `write` phase.
   */
  readonly steps: readonly ApplyStep[];
  /**
   * After the steps: one row, the number of the batch's staged changes with each outcome, a
   * column per outcome (OUTCOMES' names). One pass over the stage; a GROUP BY would sort it.
   */
  readonly count: string;
  readonly clear: string;
}

/** settle: decide within the batch; classify: against the mirror; write: change the mirror. */
export type ApplyPhase = 'settle' | 'classify' | 'write' | 'history';

export interface ApplyStep {
  readonly name: string;
  readonly phase: ApplyPhase;
  readonly sql: string;
}

export interface TableNames {
  readonly table: string;
  readonly tombstones: string;
  readonly stage: string;
  /**
   * WITH HISTORY: every version received of each key, the winner at each version (a delete over
   * an upsert, then the greater content), deletes marked in `_mdl_deleted`. Rows are only ever
   * added or replaced at their own version: a late change never rewrites another row.
   */
  readonly versions: string;
  /** WITH HISTORY: a view of `versions`, each upsert with the interval in which it was current. */
  readonly history: string;
  /** WITH HISTORY: keys erased by a precision delete, up to a version: history takes nothing at or below it. */
  readonly historyErased: string;
}

export function tableNames(model: Model): TableNames {
  const n = model.name;
  return {
    table: n,
    tombstones: `${n}__tombstones`,
    stage: `${n}__stage`,
    versions: `${n}__versions`,
    history: `${n}__history`,
    historyErased: `${n}__history_erased`,
  };
}

/** The history view's interval columns. */
export const VALID_FROM = 'valid_from';
export const VALID_TO = 'valid_to';
/** The versions table's mark of a delete. */
export const VERSION_DELETED = '_mdl_deleted';

export function compileApply(model: Model): ApplyStatements {
  // The compiler's hottest function: a schema of thousands of models compiles to tens of
  // megabytes, most of it these statements. So every piece that depends on the columns is built
  // in one pass over them and quoted once, and each statement is one template literal over those
  // pieces: the content expression alone appears nine times per model.
  const names = tableNames(model);
  const table = ident(names.table);
  const tomb = ident(names.tombstones);
  const stage = ident(names.stage);
  const key = model.primaryKey!.columns;
  const version = model.version!.column;
  const v = ident(version);
  const row = `"${STAGE_ROW}"`;
  const op = `"${STAGE_OP}"`;
  const outcome = `"${STAGE_OUTCOME}"`;

  const columns: string[] = [];
  const quoted: string[] = [];
  let stageColumns = '';
  const storages: string[] = [];
  let set = '';
  for (const c of model.columns) {
    const q = ident(c.name);
    const storage = storageClass(c.type);
    const first = columns.length === 0;
    columns.push(c.name);
    quoted.push(q);
    stageColumns += `${first ? '' : ',\n'}  ${q} ${storage}`;
    storages.push(storage);
    if (!key.includes(c.name)) set += `${set === '' ? '' : ',\n  '}${q} = excluded.${q}`;
  }
  // Lists that the statements repeat are made with join(), which gives one flat string: a string
  // made with + is a tree that is walked again wherever it is used, and written out.
  const joined = quoted.join(', ');
  // The content of a row (module comment) under each alias the statements use.
  const contentS = `json_array(s.${quoted.join(', s.')})`;
  const contentO = `json_array(o.${quoted.join(', o.')})`;
  const contentM = `json_array(m.${quoted.join(', m.')})`;
  const contentX = `json_array(excluded.${quoted.join(', excluded.')})`;
  const keyQuoted = key.map(ident);
  const keyList = keyQuoted.join(', ');
  const keyAndVersion = `${keyList}, ${v}`;

  const createStage = `CREATE TEMP TABLE IF NOT EXISTS ${stage} (\n  ${row} INTEGER PRIMARY KEY,\n  ${op} INTEGER NOT NULL,\n  ${outcome} TEXT,\n${stageColumns}\n)`;
  const stageIndex = ident(`${names.stage}_key`);
  const createStageIndex = `CREATE INDEX IF NOT EXISTS "temp".${stageIndex} ON ${stage} (${keyAndVersion})`;
  const dropStageIndex = `DROP INDEX IF EXISTS "temp".${stageIndex}`;

  const rowParams = `(?, ?${', ?'.repeat(columns.length)})`;
  const insertHead = `INSERT INTO ${stage} (${row}, ${op}, ${joined}) VALUES `;
  const insertStage = insertHead + rowParams;
  // Staging many rows per statement saves a statement execution per row, most of a row's cost.
  const insertStageRows = (rows: number) => insertHead + Array(rows).fill(rowParams).join(', ');

  const markDuplicates =
    `UPDATE ${stage} AS s SET ${outcome} = 'duplicate'\n` +
    `WHERE EXISTS (\n` +
    `  SELECT 1 FROM ${stage} AS o\n` +
    `  WHERE ${equalities('o', 's', keyQuoted)} AND o.${v} = s.${v}\n` +
    `    AND o.${op} = s.${op} AND o.${row} < s.${row}\n` +
    `    AND (s.${op} = ${OP_DELETE} OR ${contentO} = ${contentS})\n` +
    `)`;

  // Of the rows left, each loses to any other of its key that is greater by (version, delete over
  // upsert, content): after mark-duplicates no two are equal, so exactly the greatest survives.
  // Written as a probe per row, not a window over the stage: with the stage's (key, version)
  // index a key with one row costs one lookup, and only a key with several compares content.
  const markStale =
    `UPDATE ${stage} AS s SET ${outcome} = 'stale'\n` +
    `WHERE s.${outcome} IS NULL AND EXISTS (\n` +
    `  SELECT 1 FROM ${stage} AS o\n` +
    `  WHERE ${equalities('o', 's', keyQuoted)} AND o.${outcome} IS NULL AND o.${row} <> s.${row}\n` +
    `    AND (o.${v} > s.${v} OR (o.${v} = s.${v} AND (o.${op} > s.${op}\n` +
    `      OR (o.${op} = s.${op} AND ${contentO} > ${contentS}))))\n` +
    `)`;

  const classify =
    `UPDATE ${stage} AS s SET ${outcome} = ${outcomeCase('s', contentS, 'x."current_version"', 'x."tomb_version"', 'x."current_content"', v)}\n` +
    `FROM (\n` +
    `  SELECT st.${row} AS "row", m.${v} AS "current_version", t.${v} AS "tomb_version",\n` +
    `    CASE WHEN m.${v} = st.${v} THEN ${contentM} END AS "current_content"\n` +
    `  FROM ${stage} AS st\n` +
    `  LEFT JOIN ${table} AS m ON ${equalities('m', 'st', keyQuoted)}\n` +
    `  LEFT JOIN ${tomb} AS t ON ${equalities('t', 'st', keyQuoted)}\n` +
    `  WHERE st.${outcome} IS NULL\n` +
    `) AS x\n` +
    `WHERE s.${row} = x."row"`;

  // Staging and classifying in one statement, for a batch with one change per key: each row is
  // classified as it is staged, so the stage is written once and never updated. The mirror is
  // read before any of the batch is written, exactly as classify reads it.
  // A bound number is a REAL to SQLite: a table column's affinity would make an integral one an
  // INTEGER, and so must the incoming rows, whose content is compared with the mirror's.
  const incoming = `"_mdl_incoming"`;
  // Built on first use: the runtime prepares it once per model, and a compiled script has no use for it.
  let classifiedTail: string | undefined;
  let typedParams = '';
  const insertClassifiedRows = (rows: number) => {
    if (classifiedTail === undefined) {
      const i = `i.${quoted.join(', i.')}`;
      typedParams = `(?, ?${storages.map((s) => (s === 'TEXT' ? ', ?' : `, CAST(? AS ${s})`)).join('')})`;
      classifiedTail =
      `)\n` +
      `INSERT INTO ${stage} (${row}, ${op}, ${outcome}, ${joined})\n` +
      `SELECT i.${row}, i.${op}, ${outcomeCase('i', `json_array(${i})`, `m.${v}`, `t.${v}`, contentM, v)},\n` +
      `  ${i}\n` +
      `FROM ${incoming} AS i\n` +
      `LEFT JOIN ${table} AS m ON ${equalities('m', 'i', keyQuoted)}\n` +
      `LEFT JOIN ${tomb} AS t ON ${equalities('t', 'i', keyQuoted)}`;
    }
    return `WITH ${incoming} (${row}, ${op}, ${joined}) AS (VALUES ${Array(rows).fill(typedParams).join(', ')}` + classifiedTail;
  };

  // The target is aliased: a model may be named "excluded", which would otherwise make the guard
  // compare the incoming row with itself.
  const upsert =
    `INSERT INTO ${table} AS m (${joined})\n` +
    `SELECT ${joined} FROM ${stage}\n` +
    `WHERE ${outcome} IN ('inserted', 'updated')\n` +
    `ON CONFLICT (${keyList}) DO UPDATE SET\n` +
    `  ${set}\n` +
    `WHERE excluded.${v} > m.${v}\n` +
    `   OR (excluded.${v} = m.${v} AND ${contentX} > ${contentM})`;

  const keyRow = rowValue(keyQuoted);
  const revive = `DELETE FROM ${tomb}\nWHERE ${keyRow} IN (SELECT ${keyList} FROM ${stage} WHERE ${outcome} = 'inserted')`;
  const del = `DELETE FROM ${table}\nWHERE ${keyRow} IN (SELECT ${keyList} FROM ${stage} WHERE ${outcome} = 'deleted')`;
  const tombstone =
    `INSERT INTO ${tomb} AS t (${keyAndVersion})\n` +
    `SELECT ${keyAndVersion} FROM ${stage}\n` +
    `WHERE ${outcome} IN ('deleted', 'tombstoned')\n` +
    `ON CONFLICT (${keyList}) DO UPDATE SET ${v} = excluded.${v}\n` +
    `WHERE excluded.${v} > t.${v}`;

  // Changes settled as lost before staging are stale, and take no part in the settle phase.
  const markLost = `UPDATE ${stage} SET ${outcome} = 'stale' WHERE ${op} >= ${OP_LOST}`;

  const steps: ApplyStep[] = [
    { name: 'mark-lost', phase: 'settle', sql: markLost },
    { name: 'mark-duplicates', phase: 'settle', sql: markDuplicates },
    { name: 'mark-stale', phase: 'settle', sql: markStale },
    { name: 'classify', phase: 'classify', sql: classify },
    { name: 'upsert', phase: 'write', sql: upsert },
    { name: 'revive', phase: 'write', sql: revive },
    { name: 'delete', phase: 'write', sql: del },
    { name: 'tombstone', phase: 'write', sql: tombstone },
  ];
  if (model.history) steps.push(historyStep(model, stage, quoted, keyQuoted, v, op, contentX));

  return {
    createStage,
    createStageIndex,
    dropStageIndex,
    stageColumns: columns,
    insertStage,
    insertStageRows,
    insertClassifiedRows,
    steps,
    count: COUNT_HEAD + stage,
    clear: `DELETE FROM ${stage}`,
  };
}

const COUNT_HEAD = `SELECT ${OUTCOMES.map((o) => `count(*) FILTER (WHERE "${STAGE_OUTCOME}" = '${o}') AS "${o}"`).join(', ')} FROM `;

/**
 * The outcome of a batch's one change of a key against the mirror: `inc` is the incoming row and
 * `incContent` its content, `cur` and `tombV` the mirror's version and tombstone version of its
 * key (NULL when absent), `curContent` the mirror row's content (read only when the versions are
 * equal).
 */
function outcomeCase(inc: string, incContent: string, cur: string, tombV: string, curContent: string, v: string): string {
  const iv = `${inc}.${v}`;
  return (
    `CASE\n` +
    `  WHEN ${inc}."${STAGE_OP}" >= ${OP_LOST} THEN 'stale'\n` +
    `  WHEN ${inc}."${STAGE_OP}" = ${OP_UPSERT} THEN CASE\n` +
    `    WHEN ${tombV} >= ${iv} THEN 'stale'\n` +
    `    WHEN ${cur} IS NULL THEN 'inserted'\n` +
    `    WHEN ${iv} > ${cur} THEN 'updated'\n` +
    `    WHEN ${iv} < ${cur} THEN 'stale'\n` +
    `    WHEN ${incContent} = ${curContent} THEN 'duplicate'\n` +
    `    WHEN ${incContent} > ${curContent} THEN 'updated'\n` +
    `    ELSE 'stale'\n` +
    `  END\n` +
    `  ELSE CASE\n` +
    `    WHEN ${tombV} > ${iv} THEN 'stale'\n` +
    `    WHEN ${tombV} = ${iv} THEN 'duplicate'\n` +
    `    WHEN ${cur} IS NULL THEN 'tombstoned'\n` +
    `    WHEN ${iv} >= ${cur} THEN 'deleted'\n` +
    `    ELSE 'stale'\n` +
    `  END\n` +
    `END`
  );
}

/**
 * WITH HISTORY: every staged change (the batch's losers and the changes stale against the mirror
 * included) is a version of its key, kept in the versions table unless the key was erased at or
 * above it by a precision delete. At one (key, version) the winner stays: a delete over an
 * upsert, then the greater content, the order of section 4 applied to one version. A delete's
 * other columns are not kept. The history view derives each upsert's interval from the next
 * version, so a change that arrives late or out of order only adds its own row, and the result
 * depends on the set of changes alone.
 */
function historyStep(
  model: Model,
  stage: string,
  quoted: readonly string[],
  keyQuoted: readonly string[],
  v: string,
  op: string,
  contentExcluded: string,
): ApplyStep {
  const names = tableNames(model);
  const versions = ident(names.versions);
  const erased = ident(names.historyErased);
  const deleted = ident(VERSION_DELETED);
  const isDelete = `(s.${op} & 1)`;
  let values = '';
  let set = '';
  let h = '';
  for (const q of quoted) {
    const kept = keyQuoted.includes(q) || q === v;
    values += `${values === '' ? '' : ', '}${kept ? `s.${q}` : `CASE WHEN ${isDelete} = ${OP_DELETE} THEN NULL ELSE s.${q} END`}`;
    if (!kept) set += `${q} = excluded.${q}, `;
    h += `${h === '' ? '' : ', '}h.${q}`;
  }
  const keep =
    `INSERT INTO ${versions} AS h (${quoted.join(', ')}, ${deleted})\n` +
    `SELECT ${values}, ${isDelete} FROM ${stage} AS s\n` +
    `WHERE NOT EXISTS (SELECT 1 FROM ${erased} AS e WHERE ${equalities('e', 's', keyQuoted)} AND s.${v} <= e.${v})\n` +
    `ON CONFLICT (${keyQuoted.join(', ')}, ${v}) DO UPDATE SET ${set}${deleted} = excluded.${deleted}\n` +
    `WHERE excluded.${deleted} > h.${deleted}\n` +
    `   OR (excluded.${deleted} = 0 AND h.${deleted} = 0 AND ${contentExcluded} > json_array(${h}))`;
  return { name: 'history', phase: 'history', sql: keep };
}
