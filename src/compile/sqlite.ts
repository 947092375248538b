/**
 * Compile, IR to SQLite: the tables, companion tables, indexes and metadata of a schema, and the
 * apply statements of each model, as structured statements and as one deterministic script.
 *
 * Reads only the IR, and only an IR that check passed. Relationships and UNIQUE keys are recorded
 * in _mdl_relationships and _mdl_models, not declared as FOREIGN KEY or UNIQUE constraints:
 * SQLite enforces those whenever a connection turns foreign keys on (better-sqlite3 does by
 * default), and a mirror must accept a child before its parent and pass through states where two
 * rows briefly share a unique value. Each is indexed for lookups instead.
 */

import { findColumn, nameKey, type Model, type Schema } from '../ir.js';
import { modelFingerprint } from './fingerprint.js';
import {
  APPLY_KEYS,
  applyParts,
  applyTemplate,
  compileApplyWithParts,
  tableNames,
  VALID_FROM,
  VALID_TO,
  VERSION_DELETED,
  type ApplyParts,
  type ApplyStatements,
  type ApplyStep,
} from './apply.js';
import { HYGIENE_LEDGER_DDL } from './hygiene-sql.js';
import { WATERMARKS_DDL } from './mirror-sql.js';
import { ident, sqlComment, stringLiteral } from './sql-text.js';
import { defaultLiteral, storageClass } from './storage.js';
import { fill, HOLE_CLOSE, HOLE_OPEN, prepare, type Template } from './template.js';

/**
 * Bumped when the layout of metadata or companion tables changes (Mirror.open upgrades or refuses
 * an older mirror). 2: WITH HISTORY keeps versions in <model>__versions, intervals in a view.
 * 3: a batch from a file records where in which content it was (BATCH_POSITION_COLUMNS).
 * 4: and which format the content was read as.
 */
export const MIRROR_FORMAT = 4;

/**
 * A batch read from a file records the file's content (SHA-256), the format it was read as, the
 * records it held, first to last (1-based; an empty file's one batch holds none), and whether it
 * was the file's last, so that an ingest run again after a crash resumes after the last batch
 * that committed, and one run again on a file already ingested applies nothing. The format is part
 * of what a file is recognised by: the same bytes read as the other format are other records.
 * Added to older mirrors by Mirror.open (whose earlier batches, without a format, match nothing).
 */
export const BATCH_POSITION_COLUMNS = ['"content_hash" TEXT', '"first_record" INTEGER', '"last_record" INTEGER', '"file_done" INTEGER NOT NULL DEFAULT 0', '"format" TEXT'];

/** The statements that add to the batch ledger the position columns it lacks (`have`: its columns' names). */
export function addBatchPositionSql(have: ReadonlySet<string>): string[] {
  return BATCH_POSITION_COLUMNS.filter((c) => !have.has(c.slice(1, c.indexOf('"', 1)))).map((c) => `ALTER TABLE "_mdl_batches" ADD COLUMN ${c}`);
}

export interface ModelSql {
  readonly model: string;
  readonly table: string;
  readonly tombstones: string;
  /** The model's fingerprint (fingerprint.ts), recorded in _mdl_models.source_hash. */
  readonly sourceHash: string;
  /** CREATE TABLE for the model and its tombstones, then indexes. */
  readonly ddl: readonly string[];
  /** Rows of metadata that describe the model. */
  readonly metadata: readonly string[];
  readonly apply: ApplyStatements;
}

export interface SqliteProgram {
  readonly metadataDdl: readonly string[];
  readonly models: readonly ModelSql[];
}

export function compileSqlite(schema: Schema): SqliteProgram {
  return { metadataDdl: metadataDdl(), models: schema.models.map(compileModel) };
}

function metadataDdl(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS "_mdl_meta" (\n  "key" TEXT PRIMARY KEY,\n  "value" TEXT NOT NULL\n) STRICT`,
    `INSERT INTO "_mdl_meta" ("key", "value") VALUES ('format', '${MIRROR_FORMAT}') ON CONFLICT ("key") DO NOTHING`,
    [
      `CREATE TABLE IF NOT EXISTS "_mdl_models" (`,
      `  "name" TEXT PRIMARY KEY,`,
      `  "table_name" TEXT NOT NULL,`,
      `  "tombstone_table" TEXT NOT NULL,`,
      `  "behavior" TEXT NOT NULL,`,
      `  "history" INTEGER NOT NULL,`,
      `  "primary_key" TEXT NOT NULL,`,
      `  "version_column" TEXT NOT NULL,`,
      `  "timestamp_column" TEXT,`,
      `  "unique_keys" TEXT NOT NULL,`,
      `  "source_hash" TEXT NOT NULL,`,
      `  "source" TEXT`,
      `) STRICT`,
    ].join('\n'),
    [
      `CREATE TABLE IF NOT EXISTS "_mdl_relationships" (`,
      `  "model" TEXT NOT NULL,`,
      `  "name" TEXT NOT NULL,`,
      `  "columns" TEXT NOT NULL,`,
      `  "target" TEXT NOT NULL,`,
      `  "target_columns" TEXT NOT NULL,`,
      `  "cardinality" TEXT NOT NULL,`,
      `  "notation" TEXT NOT NULL,`,
      `  "on_delete" TEXT NOT NULL,`,
      `  PRIMARY KEY ("model", "name")`,
      `) STRICT`,
    ].join('\n'),
    [
      `CREATE TABLE IF NOT EXISTS "_mdl_batches" (`,
      `  "id" INTEGER PRIMARY KEY,`,
      `  "model" TEXT NOT NULL,`,
      `  "source" TEXT,`,
      `  "started_at" TEXT NOT NULL,`,
      `  "finished_at" TEXT,`,
      ...['received', 'inserted', 'updated', 'deleted', 'tombstoned', 'stale', 'duplicate', 'rejected'].map(
        (c) => `  ${ident(c)} INTEGER NOT NULL DEFAULT 0,`,
      ),
      `  "note" TEXT,`,
      ...BATCH_POSITION_COLUMNS.map((c, i) => `  ${c}${i + 1 < BATCH_POSITION_COLUMNS.length ? ',' : ''}`),
      `) STRICT`,
    ].join('\n'),
    [
      `CREATE TABLE IF NOT EXISTS "_mdl_rejects" (`,
      `  "id" INTEGER PRIMARY KEY,`,
      `  "batch_id" INTEGER NOT NULL,`,
      `  "model" TEXT NOT NULL,`,
      `  "source" TEXT,`,
      `  "line" INTEGER,`,
      `  "record" INTEGER,`,
      `  "raw" TEXT NOT NULL,`,
      `  "code" TEXT NOT NULL,`,
      `  "reason" TEXT NOT NULL`,
      `) STRICT`,
    ].join('\n'),
    `CREATE INDEX IF NOT EXISTS "_mdl_rejects__batch" ON "_mdl_rejects" ("batch_id")`,
    HYGIENE_LEDGER_DDL,
    WATERMARKS_DDL,
  ];
}

/**
 * What a model's tables and metadata rows say that depends on the model, made once (see
 * ApplyParts), with the statements only some models have, made whole.
 */
interface TableParts {
  readonly table: string;
  readonly tombstones: string;
  readonly columnLines: string;
  readonly keyLines: string;
  readonly keyList: string;
  readonly v: string;
  readonly versionType: string;
  /** The values of the model's row in _mdl_models. */
  readonly modelRow: string;
}

interface ModelParts {
  readonly table: TableParts;
  readonly sourceHash: string;
  /** WITH HISTORY: the versions and erased tables and the history view; otherwise none. */
  readonly historyDdl: readonly string[];
  readonly indexDdl: readonly string[];
  readonly relationshipRows: readonly string[];
}

/**
 * The table's parts. The columns come quoted from the apply statements' parts, and so do the three
 * parts both sets have (table, v, keyList): the template has one hole for each.
 */
function modelParts(model: Model, apply: ApplyParts): ModelParts {
  const names = tableNames(model);
  const { quoted, storage, table, v, keyList } = apply;
  const key = model.primaryKey!.columns;
  const version = model.version!.column;

  // Made with +, a tree copied once when the script is written (see applyParts).
  let columnLines = '';
  let versionType = '';
  for (let i = 0; i < quoted.length; i++) {
    const c = model.columns[i]!;
    const d = defaultLiteral(c);
    columnLines += `  ${quoted[i]} ${storage[i]}${c.notNull ? ' NOT NULL' : ''}${d === undefined ? '' : ` DEFAULT ${d}`},\n`;
    if (c.name === version) versionType = storage[i]!;
  }
  let keyLines = '';
  for (const k of key) keyLines += `  ${ident(k)} ${storageClass(findColumn(model, k)!.type)} NOT NULL,\n`;

  // WITH HISTORY: every version received (deletes marked), the keys a precision delete erased,
  // and the history view: each upsert version with the interval in which it was current, up to
  // the key's next version (an upsert's or a delete's), open for the last.
  const historyDdl: string[] = [];
  if (model.history) {
    const deleted = ident(VERSION_DELETED);
    let versionColumns = '';
    for (let i = 0; i < quoted.length; i++) {
      const name = model.columns[i]!.name;
      versionColumns += `  ${quoted[i]} ${storage[i]}${key.includes(name) || name === version ? ' NOT NULL' : ''},\n`;
    }
    const all = quoted.join(', ');
    historyDdl.push(
      `CREATE TABLE IF NOT EXISTS ${ident(names.versions)} (\n${versionColumns}` +
        `  ${deleted} INTEGER NOT NULL,\n  PRIMARY KEY (${keyList}, ${v})\n) STRICT`,
      `CREATE TABLE IF NOT EXISTS ${ident(names.historyErased)} (\n${keyLines}` +
        `  ${v} ${versionType} NOT NULL,\n  PRIMARY KEY (${keyList})\n) STRICT`,
      `CREATE VIEW IF NOT EXISTS ${ident(names.history)} AS\n` +
        `SELECT ${all}, ${ident(VALID_FROM)}, ${ident(VALID_TO)} FROM (\n` +
        `  SELECT ${all}, ${v} AS ${ident(VALID_FROM)},\n` +
        `    lead(${v}) OVER (PARTITION BY ${keyList} ORDER BY ${v}) AS ${ident(VALID_TO)}, ${deleted}\n` +
        `  FROM ${ident(names.versions)}\n` +
        `) WHERE ${deleted} = 0`,
    );
  }

  // One index per distinct column list, named after its first use; a name already taken by
  // another column list (fk on a_b and on (a, b)) is numbered.
  const indexDdl: string[] = [];
  const indexed = new Set<string>();
  const indexNames = new Set<string>();
  const addIndex = (prefix: string, cols: readonly string[]) => {
    // The primary key's own index already serves any prefix of the key.
    if (isKeyPrefix(cols, key)) return;
    const columnsKey = cols.map(nameKey).join('\u0000');
    if (indexed.has(columnsKey)) return;
    indexed.add(columnsKey);
    const base = `${model.name}__${prefix}_${cols.join('_')}`;
    let name = base;
    for (let n = 2; indexNames.has(nameKey(name)); n++) name = `${base}_${n}`;
    indexNames.add(nameKey(name));
    indexDdl.push(`CREATE INDEX IF NOT EXISTS ${ident(name)} ON ${table} (${cols.map(ident).join(', ')})`);
  };
  for (const rel of model.relationships) addIndex('fk', rel.columns);
  for (const u of model.uniqueKeys) addIndex('uq', u.columns);
  if (model.timestamp) addIndex('ts', [model.timestamp.column]);

  const sourceHash = modelFingerprint(model);
  const modelName = stringLiteral(model.name);
  const modelRow =
    `${modelName}, ${stringLiteral(names.table)}, ${stringLiteral(names.tombstones)}, ` +
    `${stringLiteral(model.behavior)}, ${model.history ? '1' : '0'}, ${jsonLiteral(key)}, ${stringLiteral(version)}, ` +
    `${model.timestamp ? stringLiteral(model.timestamp.column) : 'NULL'}, ` +
    `${jsonLiteral(model.uniqueKeys.map((u) => u.columns))}, ${stringLiteral(sourceHash)}`;
  const relationshipRows = model.relationships.map(
    (r) =>
      `INSERT INTO "_mdl_relationships" ("model", "name", "columns", "target", "target_columns", "cardinality", "notation", "on_delete")\n` +
      `VALUES (${modelName}, ${stringLiteral(r.name)}, ${jsonLiteral(r.columns)}, ${stringLiteral(r.target)}, ` +
      `${jsonLiteral(r.targetColumns)}, ${stringLiteral(r.cardinality)}, ${stringLiteral(r.notation)}, ${stringLiteral(r.onDelete)})\n` +
      `ON CONFLICT ("model", "name") DO NOTHING`,
  );

  return {
    table: {
      table,
      tombstones: ident(names.tombstones),
      columnLines,
      keyLines,
      keyList,
      v,
      versionType,
      modelRow,
    },
    sourceHash,
    historyDdl,
    indexDdl,
    relationshipRows,
  };
}

/** The statements every model has, from its parts: only text (see applyText). */
function tableText(p: TableParts) {
  return {
    createTable: `CREATE TABLE IF NOT EXISTS ${p.table} (\n${p.columnLines}  PRIMARY KEY (${p.keyList})\n) STRICT`,
    createTombstones: `CREATE TABLE IF NOT EXISTS ${p.tombstones} (\n${p.keyLines}  ${p.v} ${p.versionType} NOT NULL,\n  PRIMARY KEY (${p.keyList})\n) STRICT`,
    modelRow:
      `INSERT INTO "_mdl_models" ("name", "table_name", "tombstone_table", "behavior", "history", "primary_key", "version_column", "timestamp_column", "unique_keys", "source_hash")\n` +
      `VALUES (${p.modelRow})\nON CONFLICT ("name") DO NOTHING`,
  };
}

function compileModel(model: Model): ModelSql {
  const apply = compileApplyWithParts(model);
  const parts = modelParts(model, apply.parts);
  const t = tableText(parts.table);
  return {
    model: model.name,
    table: model.name,
    tombstones: tableNames(model).tombstones,
    sourceHash: parts.sourceHash,
    ddl: [t.createTable, t.createTombstones, ...parts.historyDdl, ...parts.indexDdl],
    metadata: [t.modelRow, ...parts.relationshipRows],
    apply: apply.statements,
  };
}

/** Whether `cols` are the first columns of `key`, in order (names compared case-insensitively). */
function isKeyPrefix(cols: readonly string[], key: readonly string[]): boolean {
  return cols.length <= key.length && cols.every((c, i) => nameKey(c) === nameKey(key[i]!));
}

/** A value as a JSON text in an SQL string literal. */
function jsonLiteral(v: unknown): string {
  return stringLiteral(JSON.stringify(v));
}

/** A model's piece of the script, from its statements (each a whole section, see composeChunk). */
interface ChunkText {
  /** The model's comment lines: what it is, its COMMENT, its relationships; each ends in \n. */
  readonly header: string;
  /** The tables, view and indexes, each statement followed by ;\n. */
  readonly ddl: string;
  readonly metadata: string;
  readonly applyHeader: string;
  readonly createStage: string;
  readonly createStageIndex: string;
  readonly insertStage: string;
  /** Each step with the comment that names it. */
  readonly steps: string;
  readonly count: string;
  readonly clear: string;
}

function composeChunk(c: ChunkText): string {
  return (
    `\n${c.header}${c.ddl}${c.metadata}\n${c.applyHeader}\n` +
    `${c.createStage};\n${c.createStageIndex};\n` +
    `-- stage: ${c.insertStage};\n` +
    `-- A batch with one change per key is staged and classified in one statement, then runs only the write steps.\n` +
    `${c.steps}-- step: count\n${c.count};\n-- step: clear\n${c.clear};\n`
  );
}

const statements = (sql: readonly string[]) => sql.map((s) => `${s};\n`).join('');
const stepSections = (steps: readonly ApplyStep[]) => steps.map((s) => `-- ${s.phase} step: ${s.name}\n${s.sql};\n`).join('');

/** The model's comment lines. Names and comments go through sqlComment: a NUL in them would end the script. */
function headerLines(model: Model): string {
  const behavior = model.behavior === 'time-series' ? 'BEHAVIOR TIME SERIES' : 'BEHAVIOR RECORD';
  let out = `${sqlComment(`Model ${model.name} (${behavior}${model.history ? ', WITH HISTORY' : ''})`)}\n`;
  if (model.comment) out += `${sqlComment(model.comment)}\n`;
  for (const r of model.relationships) {
    const action = r.onDelete.toUpperCase().replace('-', ' ');
    out += `${sqlComment(`${r.name}: (${r.columns.join(', ')}) -> ${r.target} (${r.targetColumns.join(', ')}) ${r.notation} ON DELETE ${action}`)}\n`;
  }
  return out;
}

const applyHeader = (model: Model) => sqlComment(`Apply statements for ${model.name}: the runtime stages a batch, then runs these in order.`);

/** A model's script from its compiled statements. */
function chunkFromProgram(model: Model, m: ModelSql): string {
  return composeChunk({
    header: headerLines(model),
    ddl: statements(m.ddl),
    metadata: statements(m.metadata),
    applyHeader: applyHeader(model),
    createStage: m.apply.createStage,
    createStageIndex: m.apply.createStageIndex,
    insertStage: m.apply.insertStage,
    steps: stepSections(m.apply.steps),
    count: m.apply.count,
    clear: m.apply.clear,
  });
}

// The same script from a template (template.ts): the builders above run once with placeholders,
// and each model's piece is then its parts filled in, with no statement made on the way. A model's
// piece is the same text either way (tests/compile-template.test.ts).
// The table's parts and the apply statements' share three (table, v, keyList), taken from the
// apply statements' parts (modelParts).
const TABLE_KEYS = ['table', 'tombstones', 'columnLines', 'keyLines', 'keyList', 'v', 'versionType', 'modelRow'] as const;
const SECTION_KEYS = ['header', 'historyDdl', 'indexDdl', 'relationshipRows', 'applyHeader', 'historyStep'] as const;
const CHUNK_KEYS = [...new Set([...TABLE_KEYS, ...APPLY_KEYS, ...SECTION_KEYS])];
type ChunkKey = (typeof CHUNK_KEYS)[number];

let chunkTemplate: Template<ChunkKey> | undefined;

// Typed on this module's keys (see apply.ts's hole).
const hole = (key: ChunkKey) => `${HOLE_OPEN}${key}${HOLE_CLOSE}`;

function modelChunkTemplate(): Template<ChunkKey> {
  if (chunkTemplate) return chunkTemplate;
  const t = tableText({
    table: hole('table'),
    tombstones: hole('tombstones'),
    columnLines: hole('columnLines'),
    keyLines: hole('keyLines'),
    keyList: hole('keyList'),
    v: hole('v'),
    versionType: hole('versionType'),
    modelRow: hole('modelRow'),
  });
  const { text: a, steps } = applyTemplate();
  chunkTemplate = prepare(
    composeChunk({
      header: hole('header'),
      ddl: statements([t.createTable, t.createTombstones]) + hole('historyDdl') + hole('indexDdl'),
      metadata: statements([t.modelRow]) + hole('relationshipRows'),
      applyHeader: hole('applyHeader'),
      createStage: a.createStage,
      createStageIndex: a.createStageIndex,
      insertStage: a.insertStage,
      steps: stepSections(steps) + hole('historyStep'),
      count: a.count,
      clear: a.clear,
    }),
    CHUNK_KEYS,
  );
  return chunkTemplate;
}

/** A model's script, filled from its parts. */
function chunkFromParts(model: Model): string {
  const a = applyParts(model);
  const parts = modelParts(model, a);
  const t = parts.table;
  return fill(modelChunkTemplate(), {
    table: t.table,
    tombstones: t.tombstones,
    columnLines: t.columnLines,
    keyLines: t.keyLines,
    keyList: t.keyList,
    v: t.v,
    versionType: t.versionType,
    modelRow: t.modelRow,
    tomb: a.tomb,
    stage: a.stage,
    stageIndex: a.stageIndex,
    joined: a.joined,
    stageColumns: a.stageColumns,
    rowParams: a.rowParams,
    set: a.set,
    keyAndVersion: a.keyAndVersion,
    keyRow: a.keyRow,
    eqOS: a.eqOS,
    eqMSt: a.eqMSt,
    eqTSt: a.eqTSt,
    contentS: a.contentS,
    contentO: a.contentO,
    contentM: a.contentM,
    contentX: a.contentX,
    header: headerLines(model),
    historyDdl: statements(parts.historyDdl),
    indexDdl: statements(parts.indexDdl),
    relationshipRows: statements(parts.relationshipRows),
    applyHeader: applyHeader(model),
    historyStep: a.history ? stepSections([a.history]) : '',
  });
}

/**
 * The script in pieces: a header with the metadata, then one piece per model (its tables,
 * metadata rows and apply statements), so that a large schema can be written as it is rendered.
 * Given no program, each model's piece is filled from a template (chunkFromParts), which is how
 * `mdl compile` writes a large schema; given one, it is put together from the program's statements.
 */
export function* renderSqliteChunks(schema: Schema, program?: SqliteProgram): Generator<string> {
  yield [
    '-- Generated by mdl from the models below. Do not edit: change the .mdl files and compile again.',
    '-- Target: SQLite 3.38 or later (STRICT tables, built-in JSON functions).',
    '',
    '-- Metadata',
    ...(program?.metadataDdl ?? metadataDdl()).map((s) => `${s};`),
    '',
  ].join('\n');
  for (let i = 0; i < schema.models.length; i++) {
    const model = schema.models[i]!;
    yield program ? chunkFromProgram(model, program.models[i]!) : chunkFromParts(model);
  }
}

/** The whole script as one string. */
export function renderSqlite(schema: Schema, program: SqliteProgram): string {
  let out = '';
  for (const chunk of renderSqliteChunks(schema, program)) out += chunk;
  return out;
}
