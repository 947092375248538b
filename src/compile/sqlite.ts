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
import { compileApply, tableNames, VALID_FROM, VALID_TO, VERSION_DELETED, type ApplyStatements } from './apply.js';
import { HYGIENE_LEDGER_DDL } from './hygiene-sql.js';
import { WATERMARKS_DDL } from './mirror-sql.js';
import { ident, sqlComment, stringLiteral } from './sql-text.js';
import { defaultLiteral, storageClass } from './storage.js';

/**
 * Bumped when the layout of metadata or companion tables changes (Mirror.open upgrades or refuses
 * an older mirror). 2: WITH HISTORY keeps versions in <model>__versions, intervals in a view.
 * 3: a batch from a file records where in which content it was (BATCH_POSITION_COLUMNS).
 */
export const MIRROR_FORMAT = 3;

/**
 * A batch read from a file records the file's content (SHA-256) and the records it held, first to
 * last (1-based; an empty file's one batch holds none), and whether it was the file's last, so
 * that an ingest run again after a crash resumes after the last batch that committed, and one run
 * again on a file already ingested applies nothing. Added to format-2 mirrors by Mirror.open.
 */
export const BATCH_POSITION_COLUMNS = ['"content_hash" TEXT', '"first_record" INTEGER', '"last_record" INTEGER', '"file_done" INTEGER NOT NULL DEFAULT 0'];

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

function compileModel(model: Model): ModelSql {
  // Every piece that depends on the columns in one pass over them (see compileApply).
  const names = tableNames(model);
  const table = ident(names.table);
  const key = model.primaryKey!.columns;
  const version = model.version!.column;
  const v = ident(version);
  const keyList = key.map(ident).join(', ');

  let columnLines = '';
  let keyLines = '';
  let versionType = '';
  // WITH HISTORY: the versions table's columns (only the key and version NOT NULL) and list.
  let versionColumns = '';
  let all = '';
  for (const c of model.columns) {
    const q = ident(c.name);
    const storage = storageClass(c.type);
    const d = defaultLiteral(c);
    columnLines += `  ${q} ${storage}${c.notNull ? ' NOT NULL' : ''}${d === undefined ? '' : ` DEFAULT ${d}`},\n`;
    const inKey = key.includes(c.name);
    if (c.name === version) versionType = storage;
    if (model.history) {
      versionColumns += `  ${q} ${storage}${inKey || c.name === version ? ' NOT NULL' : ''},\n`;
      all += all === '' ? q : `, ${q}`;
    }
  }
  for (const k of key) keyLines += `  ${ident(k)} ${storageClass(findColumn(model, k)!.type)} NOT NULL,\n`;
  const createTable = `CREATE TABLE IF NOT EXISTS ${table} (\n${columnLines}  PRIMARY KEY (${keyList})\n) STRICT`;
  const createTombstones =
    `CREATE TABLE IF NOT EXISTS ${ident(names.tombstones)} (\n${keyLines}` +
    `  ${v} ${versionType} NOT NULL,\n  PRIMARY KEY (${keyList})\n) STRICT`;
  const ddl = [createTable, createTombstones];

  // WITH HISTORY: every version received (deletes marked), the keys a precision delete erased,
  // and the history view: each upsert version with the interval in which it was current, up to
  // the key's next version (an upsert's or a delete's), open for the last.
  if (model.history) {
    const deleted = ident(VERSION_DELETED);
    ddl.push(
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
    ddl.push(`CREATE INDEX IF NOT EXISTS ${ident(name)} ON ${table} (${cols.map(ident).join(', ')})`);
  };
  for (const rel of model.relationships) addIndex('fk', rel.columns);
  for (const u of model.uniqueKeys) addIndex('uq', u.columns);
  if (model.timestamp) addIndex('ts', [model.timestamp.column]);

  const sourceHash = modelFingerprint(model);
  const modelName = stringLiteral(model.name);
  const metadata = [
    `INSERT INTO "_mdl_models" ("name", "table_name", "tombstone_table", "behavior", "history", "primary_key", "version_column", "timestamp_column", "unique_keys", "source_hash")\n` +
      `VALUES (${modelName}, ${stringLiteral(names.table)}, ${stringLiteral(names.tombstones)}, ` +
      `${stringLiteral(model.behavior)}, ${model.history ? '1' : '0'}, ${jsonLiteral(key)}, ${stringLiteral(version)}, ` +
      `${model.timestamp ? stringLiteral(model.timestamp.column) : 'NULL'}, ` +
      `${jsonLiteral(model.uniqueKeys.map((u) => u.columns))}, ` +
      `${stringLiteral(sourceHash)})\nON CONFLICT ("name") DO NOTHING`,
  ];
  for (const r of model.relationships) {
    metadata.push(
      `INSERT INTO "_mdl_relationships" ("model", "name", "columns", "target", "target_columns", "cardinality", "notation", "on_delete")\n` +
        `VALUES (${modelName}, ${stringLiteral(r.name)}, ${jsonLiteral(r.columns)}, ${stringLiteral(r.target)}, ` +
        `${jsonLiteral(r.targetColumns)}, ${stringLiteral(r.cardinality)}, ${stringLiteral(r.notation)}, ${stringLiteral(r.onDelete)})\n` +
        `ON CONFLICT ("model", "name") DO NOTHING`,
    );
  }

  return {
    model: model.name,
    table: names.table,
    tombstones: names.tombstones,
    sourceHash,
    ddl,
    metadata,
    apply: compileApply(model),
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

/**
 * The script in pieces: a header with the metadata, then one piece per model (its tables,
 * metadata rows and apply statements), so that a large schema can be written as it is rendered.
 * Given no program, each model is compiled on the way.
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
    // Without a program, each model is compiled as it is rendered, and forgotten after.
    const m = program ? program.models[i]! : compileModel(model);
    const behavior = model.behavior === 'time-series' ? 'BEHAVIOR TIME SERIES' : 'BEHAVIOR RECORD';
    // Names and comments in comment lines go through sqlComment: a NUL in them would end the script.
    let out = `\n${sqlComment(`Model ${model.name} (${behavior}${model.history ? ', WITH HISTORY' : ''})`)}\n`;
    if (model.comment) out += `${sqlComment(model.comment)}\n`;
    for (const r of model.relationships) {
      const action = r.onDelete.toUpperCase().replace('-', ' ');
      out += `${sqlComment(`${r.name}: (${r.columns.join(', ')}) -> ${r.target} (${r.targetColumns.join(', ')}) ${r.notation} ON DELETE ${action}`)}\n`;
    }
    for (const s of m.ddl) out += `${s};\n`;
    for (const s of m.metadata) out += `${s};\n`;
    out += `\n${sqlComment(`Apply statements for ${model.name}: the runtime stages a batch, then runs these in order.`)}\n`;
    out += `${m.apply.createStage};\n${m.apply.createStageIndex};\n`;
    out += `-- stage: ${m.apply.insertStage};\n`;
    out += `-- A batch with one change per key is staged and classified in one statement, then runs only the write steps.\n`;
    for (const step of m.apply.steps) out += `-- ${step.phase} step: ${step.name}\n${step.sql};\n`;
    out += `-- step: count\n${m.apply.count};\n-- step: clear\n${m.apply.clear};\n`;
    yield out;
  }
}

/** The whole script as one string. */
export function renderSqlite(schema: Schema, program: SqliteProgram): string {
  let out = '';
  for (const chunk of renderSqliteChunks(schema, program)) out += chunk;
  return out;
}
