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
import { storageClass, type StorageClass } from './storage.js';
import { HOLE_CLOSE, HOLE_OPEN } from './template.js';

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

/**
 * Everything the apply statements say that depends on the model: names quoted and lists made,
 * once. The statements themselves (applyText) only place these: the content expression alone
 * appears nine times per model, and a schema of thousands of models compiles to tens of
 * megabytes, most of it these statements.
 */
export interface ApplyParts extends TextParts {
  /** Each column's name quoted, and its storage class, in declaration order. */
  readonly quoted: readonly string[];
  readonly storage: readonly StorageClass[];
  /** WITH HISTORY: the step that keeps every version; null for other models. */
  readonly history: ApplyStep | null;
}

/** The parts the statements place. */
interface TextParts {
  readonly table: string;
  readonly tomb: string;
  readonly stage: string;
  readonly stageIndex: string;
  /** The version column, quoted. */
  readonly v: string;
  /** The columns, quoted, in declaration order. */
  readonly joined: string;
  readonly stageColumns: string;
  /** One row's parameters: _mdl_row, _mdl_op, then a ? per column. */
  readonly rowParams: string;
  /** The upsert's SET list: every column outside the key. */
  readonly set: string;
  readonly keyList: string;
  readonly keyAndVersion: string;
  /** The key as a row value, to compare with IN. */
  readonly keyRow: string;
  /** The key's columns equal between two aliases: o and s, m and st, t and st. */
  readonly eqOS: string;
  readonly eqMSt: string;
  readonly eqTSt: string;
  /** The content of a row (module comment) under each alias the statements use. */
  readonly contentS: string;
  readonly contentO: string;
  readonly contentM: string;
  readonly contentX: string;
}

export function applyParts(model: Model): ApplyParts {
  const names = tableNames(model);
  const key = model.primaryKey!.columns;
  const quoted: string[] = [];
  const storage: StorageClass[] = [];
  // A list used once is made with + (a tree of its pieces, copied once when the script is written);
  // one the statements repeat is made with join(), one flat string, copied as a block each time.
  let stageColumns = '';
  let set = '';
  for (const c of model.columns) {
    const q = ident(c.name);
    const s = storageClass(c.type);
    stageColumns += `${quoted.length === 0 ? '' : ',\n'}  ${q} ${s}`;
    quoted.push(q);
    storage.push(s);
    if (!key.includes(c.name)) set += `${set === '' ? '' : ',\n  '}${q} = excluded.${q}`;
  }
  const keyQuoted = key.map(ident);
  const keyList = keyQuoted.join(', ');
  const v = ident(model.version!.column);
  const stage = ident(names.stage);
  const contentX = `json_array(excluded.${quoted.join(', excluded.')})`;
  return {
    quoted,
    storage,
    history: model.history ? historyStep(model, stage, quoted, keyQuoted, v, contentX) : null,
    table: ident(names.table),
    tomb: ident(names.tombstones),
    stage,
    stageIndex: ident(`${names.stage}_key`),
    v,
    joined: quoted.join(', '),
    stageColumns,
    rowParams: `(?, ?${', ?'.repeat(quoted.length)})`,
    set,
    keyList,
    keyAndVersion: `${keyList}, ${v}`,
    keyRow: rowValue(keyQuoted),
    eqOS: equalities('o', 's', keyQuoted),
    eqMSt: equalities('m', 'st', keyQuoted),
    eqTSt: equalities('t', 'st', keyQuoted),
    contentS: `json_array(s.${quoted.join(', s.')})`,
    contentO: `json_array(o.${quoted.join(', o.')})`,
    contentM: `json_array(m.${quoted.join(', m.')})`,
    contentX,
  };
}

/** The keys of TextParts: sqlite.ts's template has a hole for each. */
export const APPLY_KEYS = ['table', 'tomb', 'stage', 'stageIndex', 'v', 'joined', 'stageColumns', 'rowParams', 'set', 'keyList',
  'keyAndVersion', 'keyRow', 'eqOS', 'eqMSt', 'eqTSt', 'contentS', 'contentO', 'contentM', 'contentX'] as const satisfies readonly (keyof TextParts)[];

/** True only when APPLY_KEYS lists every part of TextParts: a part left out would have no hole. */
type ApplyKeysComplete = Exclude<keyof TextParts, (typeof APPLY_KEYS)[number]> extends never ? true : false;
const applyKeysComplete: ApplyKeysComplete = true;
void applyKeysComplete;

// Each module that makes a template writes its own `hole`, typed on its own keys: a key is then a
// literal, which tests/hostile.test.ts's taint analysis can tell is not user text.
const hole = (key: (typeof APPLY_KEYS)[number]) => `${HOLE_OPEN}${key}${HOLE_CLOSE}`;

/**
 * The statements every model has, from its parts. Only text here, no decision: it also runs once
 * with placeholders for the parts (APPLY_TEMPLATE), for the template a model's script is filled
 * from in sqlite.ts (template.ts).
 */
function applyText(p: TextParts): ApplyText {
  const { stage, v } = p;
  const row = `"${STAGE_ROW}"`;
  const op = `"${STAGE_OP}"`;
  const outcome = `"${STAGE_OUTCOME}"`;
  const insertHead = `INSERT INTO ${stage} (${row}, ${op}, ${p.joined}) VALUES `;
  return {
    createStage: `CREATE TEMP TABLE IF NOT EXISTS ${stage} (\n  ${row} INTEGER PRIMARY KEY,\n  ${op} INTEGER NOT NULL,\n  ${outcome} TEXT,\n${p.stageColumns}\n)`,
    createStageIndex: `CREATE INDEX IF NOT EXISTS "temp".${p.stageIndex} ON ${stage} (${p.keyAndVersion})`,
    dropStageIndex: `DROP INDEX IF EXISTS "temp".${p.stageIndex}`,
    insertHead,
    insertStage: insertHead + p.rowParams,

    // Changes settled as lost before staging are stale, and take no part in the settle phase.
    markLost: `UPDATE ${stage} SET ${outcome} = 'stale' WHERE ${op} >= ${OP_LOST}`,

    markDuplicates:
      `UPDATE ${stage} AS s SET ${outcome} = 'duplicate'\n` +
      `WHERE EXISTS (\n` +
      `  SELECT 1 FROM ${stage} AS o\n` +
      `  WHERE ${p.eqOS} AND o.${v} = s.${v}\n` +
      `    AND o.${op} = s.${op} AND o.${row} < s.${row}\n` +
      `    AND (s.${op} = ${OP_DELETE} OR ${p.contentO} = ${p.contentS})\n` +
      `)`,

    // Of the rows left, each loses to any other of its key that is greater by (version, delete
    // over upsert, content): after mark-duplicates no two are equal, so exactly the greatest
    // survives. Written as a probe per row, not a window over the stage: with the stage's (key,
    // version) index a key with one row costs one lookup, and only a key with several compares
    // content.
    markStale:
      `UPDATE ${stage} AS s SET ${outcome} = 'stale'\n` +
      `WHERE s.${outcome} IS NULL AND EXISTS (\n` +
      `  SELECT 1 FROM ${stage} AS o\n` +
      `  WHERE ${p.eqOS} AND o.${outcome} IS NULL AND o.${row} <> s.${row}\n` +
      `    AND (o.${v} > s.${v} OR (o.${v} = s.${v} AND (o.${op} > s.${op}\n` +
      `      OR (o.${op} = s.${op} AND ${p.contentO} > ${p.contentS}))))\n` +
      `)`,

    classify:
      `UPDATE ${stage} AS s SET ${outcome} = ${outcomeCase('s', p.contentS, 'x."current_version"', 'x."tomb_version"', 'x."current_content"', v)}\n` +
      `FROM (\n` +
      `  SELECT st.${row} AS "row", m.${v} AS "current_version", t.${v} AS "tomb_version",\n` +
      `    CASE WHEN m.${v} = st.${v} THEN ${p.contentM} END AS "current_content"\n` +
      `  FROM ${stage} AS st\n` +
      `  LEFT JOIN ${p.table} AS m ON ${p.eqMSt}\n` +
      `  LEFT JOIN ${p.tomb} AS t ON ${p.eqTSt}\n` +
      `  WHERE st.${outcome} IS NULL\n` +
      `) AS x\n` +
      `WHERE s.${row} = x."row"`,

    // The target is aliased: a model may be named "excluded", which would otherwise make the
    // guard compare the incoming row with itself.
    upsert:
      `INSERT INTO ${p.table} AS m (${p.joined})\n` +
      `SELECT ${p.joined} FROM ${stage}\n` +
      `WHERE ${outcome} IN ('inserted', 'updated')\n` +
      `ON CONFLICT (${p.keyList}) DO UPDATE SET\n` +
      `  ${p.set}\n` +
      `WHERE excluded.${v} > m.${v}\n` +
      `   OR (excluded.${v} = m.${v} AND ${p.contentX} > ${p.contentM})`,

    revive: `DELETE FROM ${p.tomb}\nWHERE ${p.keyRow} IN (SELECT ${p.keyList} FROM ${stage} WHERE ${outcome} = 'inserted')`,
    del: `DELETE FROM ${p.table}\nWHERE ${p.keyRow} IN (SELECT ${p.keyList} FROM ${stage} WHERE ${outcome} = 'deleted')`,
    tombstone:
      `INSERT INTO ${p.tomb} AS t (${p.keyAndVersion})\n` +
      `SELECT ${p.keyAndVersion} FROM ${stage}\n` +
      `WHERE ${outcome} IN ('deleted', 'tombstoned')\n` +
      `ON CONFLICT (${p.keyList}) DO UPDATE SET ${v} = excluded.${v}\n` +
      `WHERE excluded.${v} > t.${v}`,

    count: COUNT_HEAD + stage,
    clear: `DELETE FROM ${stage}`,
  };
}

/** The statements applyText makes. */
export interface ApplyText {
  readonly createStage: string;
  readonly createStageIndex: string;
  readonly dropStageIndex: string;
  readonly insertHead: string;
  readonly insertStage: string;
  readonly markLost: string;
  readonly markDuplicates: string;
  readonly markStale: string;
  readonly classify: string;
  readonly upsert: string;
  readonly revive: string;
  readonly del: string;
  readonly tombstone: string;
  readonly count: string;
  readonly clear: string;
}

/** The steps every model runs, in order (a model WITH HISTORY adds its history step). */
function commonSteps(t: ApplyText): ApplyStep[] {
  return [
    { name: 'mark-lost', phase: 'settle', sql: t.markLost },
    { name: 'mark-duplicates', phase: 'settle', sql: t.markDuplicates },
    { name: 'mark-stale', phase: 'settle', sql: t.markStale },
    { name: 'classify', phase: 'classify', sql: t.classify },
    { name: 'upsert', phase: 'write', sql: t.upsert },
    { name: 'revive', phase: 'write', sql: t.revive },
    { name: 'delete', phase: 'write', sql: t.del },
    { name: 'tombstone', phase: 'write', sql: t.tombstone },
  ];
}

/**
 * The number of staged changes whose version is below `?`: a vacuum watermark set after the batch
 * was read, which would have rejected them (see Mirror.applyBatch).
 */
export function stagedBelowSql(model: Model): string {
  return `SELECT count(*) AS "n" FROM ${ident(tableNames(model).stage)} WHERE ${ident(model.version!.column)} < ?`;
}

export function compileApply(model: Model): ApplyStatements {
  return compileApplyWithParts(model).statements;
}

/** compileApply, with the parts it was made from, for sqlite.ts to build the model's tables from too. */
export function compileApplyWithParts(model: Model): { readonly parts: ApplyParts; readonly statements: ApplyStatements } {
  const parts = applyParts(model);
  const t = applyText(parts);
  const steps = commonSteps(t);
  if (parts.history) steps.push(parts.history);
  const { insertHead } = t;
  const { rowParams } = parts;
  const statements: ApplyStatements = {
    createStage: t.createStage,
    createStageIndex: t.createStageIndex,
    dropStageIndex: t.dropStageIndex,
    stageColumns: model.columns.map((c) => c.name),
    insertStage: t.insertStage,
    // Staging many rows per statement saves a statement execution per row, most of a row's cost.
    insertStageRows: (rows: number) => insertHead + Array(rows).fill(rowParams).join(', '),
    insertClassifiedRows: classifiedRows(model, parts),
    steps,
    count: t.count,
    clear: t.clear,
  };
  return { parts, statements };
}

/**
 * Staging and classifying in one statement, for a batch with one change per key: each row is
 * classified as it is staged, so the stage is written once and never updated. The mirror is read
 * before any of the batch is written, exactly as classify reads it. A bound number is a REAL to
 * SQLite: a table column's affinity would make an integral one an INTEGER, and so must the
 * incoming rows, whose content is compared with the mirror's. Built on first use: the runtime
 * prepares it once per model, and a compiled script has no use for it.
 */
function classifiedRows(model: Model, p: ApplyParts): (rows: number) => string {
  let tail: string | undefined;
  let typedParams = '';
  const row = `"${STAGE_ROW}"`;
  const op = `"${STAGE_OP}"`;
  const incoming = `"_mdl_incoming"`;
  return (rows: number) => {
    if (tail === undefined) {
      const keyQuoted = model.primaryKey!.columns.map(ident);
      const i = `i.${p.quoted.join(', i.')}`;
      typedParams = `(?, ?${p.storage.map((s) => (s === 'TEXT' ? ', ?' : `, CAST(? AS ${s})`)).join('')})`;
      tail =
        `)\n` +
        `INSERT INTO ${p.stage} (${row}, ${op}, "${STAGE_OUTCOME}", ${p.joined})\n` +
        `SELECT i.${row}, i.${op}, ${outcomeCase('i', `json_array(${i})`, `m.${p.v}`, `t.${p.v}`, p.contentM, p.v)},\n` +
        `  ${i}\n` +
        `FROM ${incoming} AS i\n` +
        `LEFT JOIN ${p.table} AS m ON ${equalities('m', 'i', keyQuoted)}\n` +
        `LEFT JOIN ${p.tomb} AS t ON ${equalities('t', 'i', keyQuoted)}`;
    }
    return `WITH ${incoming} (${row}, ${op}, ${p.joined}) AS (VALUES ${Array(rows).fill(typedParams).join(', ')}` + tail;
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
  contentExcluded: string,
): ApplyStep {
  const op = `"${STAGE_OP}"`;
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

let template: { readonly text: ApplyText; readonly steps: readonly ApplyStep[] } | undefined;

/** The apply statements with a placeholder for each part (template.ts), and the common steps. */
export function applyTemplate(): { readonly text: ApplyText; readonly steps: readonly ApplyStep[] } {
  if (template) return template;
  const text = applyText({
    table: hole('table'),
    tomb: hole('tomb'),
    stage: hole('stage'),
    stageIndex: hole('stageIndex'),
    v: hole('v'),
    joined: hole('joined'),
    stageColumns: hole('stageColumns'),
    rowParams: hole('rowParams'),
    set: hole('set'),
    keyList: hole('keyList'),
    keyAndVersion: hole('keyAndVersion'),
    keyRow: hole('keyRow'),
    eqOS: hole('eqOS'),
    eqMSt: hole('eqMSt'),
    eqTSt: hole('eqTSt'),
    contentS: hole('contentS'),
    contentO: hole('contentO'),
    contentM: hole('contentM'),
    contentX: hole('contentX'),
  });
  template = { text, steps: commonSteps(text) };
  return template;
}
