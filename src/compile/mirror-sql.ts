/**
 * The runtime's fixed statements over the metadata tables (sqlite.ts creates them): reading what
 * a mirror holds, recording each model's source, the batch ledger and the reject table.
 *
 * Kept here so that SQL text is written only in compile/; the runtime prepares these as they are.
 * Each takes its values as bound parameters, never pasted in.
 */

import { ident } from './sql-text.js';

export const MirrorSql = {
  /** Whether the file already holds a mirror. */
  isMirror: `SELECT count(*) AS "n" FROM "sqlite_master" WHERE "type" = 'table' AND "name" = '_mdl_models'`,
  /** The layout version a mirror was built with (compile/sqlite.ts, MIRROR_FORMAT). */
  format: `SELECT "value" FROM "_mdl_meta" WHERE "key" = 'format'`,
  /** (format) */
  setFormat: `UPDATE "_mdl_meta" SET "value" = ? WHERE "key" = 'format'`,
  /** The tables and views a statement may name (for suggestions). */
  tablesAndViews: `SELECT "name" FROM "sqlite_master" WHERE "type" IN ('table', 'view') AND "name" NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY "name"`,
  /** The models WITH HISTORY. */
  historyModels: `SELECT "name" FROM "_mdl_models" WHERE "history" = 1 ORDER BY "name"`,
  /** The models a mirror holds: name, fingerprint and the CREATE MODEL statement it was built from. */
  models: `SELECT "name", "source_hash", "source" FROM "_mdl_models" ORDER BY "name"`,
  /** (source, name): written by push, so that a mirror can rebuild its models without the .mdl files. */
  setSource: `UPDATE "_mdl_models" SET "source" = ? WHERE "name" = ?`,
  /** (model, source, started_at) -> the new batch's id, via lastInsertRowid. */
  startBatch: `INSERT INTO "_mdl_batches" ("model", "source", "started_at") VALUES (?, ?, ?)`,
  /** (finished_at, received, inserted, updated, deleted, tombstoned, stale, duplicate, rejected, id). */
  finishBatch:
    `UPDATE "_mdl_batches" SET "finished_at" = ?, "received" = ?, "inserted" = ?, "updated" = ?, "deleted" = ?, ` +
    `"tombstoned" = ?, "stale" = ?, "duplicate" = ?, "rejected" = ? WHERE "id" = ?`,
  /** (content_hash, format, first_record, last_record, file_done, id): where in a file a batch was. */
  positionBatch: `UPDATE "_mdl_batches" SET "content_hash" = ?, "format" = ?, "first_record" = ?, "last_record" = ?, "file_done" = ? WHERE "id" = ?`,
  /** (model, content_hash, format): the committed batches of a file's content read as a format, in record order. */
  fileBatches:
    `SELECT "first_record", "last_record", "file_done" FROM "_mdl_batches" ` +
    `WHERE "model" = ? AND "content_hash" = ? AND "format" = ? AND "finished_at" IS NOT NULL ORDER BY "first_record", "last_record"`,
  /** Batches of a mirror older than format 4: the format their file's name says (see ingest's formatOf). */
  guessBatchFormats:
    `UPDATE "_mdl_batches" SET "format" = CASE ` +
    `WHEN lower("source") LIKE '%.csv' THEN 'csv' WHEN lower("source") LIKE '%.jsonl' OR lower("source") LIKE '%.ndjson' THEN 'jsonl' END ` +
    `WHERE "format" IS NULL AND "content_hash" IS NOT NULL`,
  /** (name): a table or view of that name, which SQLite compares without case. */
  objectNamed: `SELECT "type", "name" FROM "sqlite_master" WHERE "type" IN ('table', 'view') AND lower("name") = lower(?)`,
  /** The columns the batch ledger has (to add those an older mirror lacks). */
  batchColumns: `SELECT "name" FROM pragma_table_info('_mdl_batches')`,
  /** (batch_id, model, source, line, record, raw, code, reason). */
  insertReject:
    `INSERT INTO "_mdl_rejects" ("batch_id", "model", "source", "line", "record", "raw", "code", "reason") ` +
    `VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  /** Whether the mirror has a watermarks table (mirrors pushed before mdl vacuum existed do not). */
  hasWatermarks: `SELECT count(*) AS "n" FROM "sqlite_master" WHERE "type" = 'table' AND "name" = '_mdl_watermarks'`,
  /** (model) -> below, at. */
  watermark: `SELECT "below", "at" FROM "_mdl_watermarks" WHERE "model" = ?`,
  /** (model, below, at, removed): a watermark only moves forward (the caller checks). */
  setWatermark:
    `INSERT INTO "_mdl_watermarks" ("model", "below", "at", "removed") VALUES (?, ?, ?, ?) ` +
    `ON CONFLICT ("model") DO UPDATE SET "below" = excluded."below", "at" = excluded."at", "removed" = "removed" + excluded."removed"`,
  /** (limit): the latest rejects, newest first, for a person to read (the REPL's .rejects). */
  recentRejects:
    `SELECT "id", "batch_id" AS "batch", "model", "source", "line", "record", "code", "reason", "raw" ` +
    `FROM "_mdl_rejects" ORDER BY "id" DESC LIMIT ?`,
  /** (limit): the latest batches, newest first (the REPL's .batches). */
  recentBatches:
    `SELECT "id", "model", "source", "started_at", "received", "inserted", "updated", "deleted", "tombstoned", ` +
    `"stale", "duplicate", "rejected" FROM "_mdl_batches" ORDER BY "id" DESC LIMIT ?`,
} as const;

/** The rows of a table: `n`. */
export function countRowsSql(table: string): string {
  return `SELECT count(*) AS "n" FROM ${ident(table)}`;
}

/** The watermarks table: per model, the version below which its tombstones were removed. */
export const WATERMARKS_DDL = [
  `CREATE TABLE IF NOT EXISTS "_mdl_watermarks" (`,
  `  "model" TEXT PRIMARY KEY,`,
  `  "below" ANY NOT NULL,`,
  `  "at" TEXT NOT NULL,`,
  `  "removed" INTEGER NOT NULL`,
  `) STRICT`,
].join('\n');

/** (below): removes a model's tombstones older than the watermark. */
export function purgeTombstonesSql(tombstones: string, version: string): string {
  return `DELETE FROM ${ident(tombstones)} WHERE ${ident(version)} < ?`;
}

/** A time series' first and last event time: `from`, `to` (NULL when empty); min and max use its index. */
export function timeRangeSql(table: string, column: string): string {
  return `SELECT min(${ident(column)}) AS "from", max(${ident(column)}) AS "to" FROM ${ident(table)}`;
}

/**
 * How `INSERT INTO model ...` is captured rather than run (ingest/sql.ts): a TEMP view named like
 * the model shadows its table for the statement (unqualified names resolve to the temp schema
 * first); reading the view reads the table, so the statement's own SELECT sees the mirror; an
 * INSTEAD OF trigger sends each row the statement produces into a TEMP capture table. SQLite
 * itself evaluates the SELECT or VALUES and matches columns, so the semantics are exactly its.
 * `columns` are the model's column names; `withChangeType` adds the
 * `_change_request_type` column last.
 */
export function captureSql(table: string, columns: readonly string[], withChangeType: boolean) {
  const q = ident;
  const names = withChangeType ? [...columns, '_change_request_type'] : [...columns];
  const select = names.map((c) => (c === '_change_request_type' && withChangeType ? `NULL AS ${q(c)}` : q(c))).join(', ');
  return {
    setup: [
      `CREATE TEMP TABLE "_mdl_capture" (${names.map((_c, i) => `"c${i}"`).join(', ')})`,
      `CREATE TEMP VIEW ${q(table)} AS SELECT ${select} FROM "main".${q(table)}`,
      `CREATE TEMP TRIGGER "_mdl_capture_insert" INSTEAD OF INSERT ON ${q(table)} BEGIN ` +
        `INSERT INTO "_mdl_capture" VALUES (${names.map((c) => `NEW.${q(c)}`).join(', ')}); END`,
      // A statement that names the table itself (INSERT INTO main.model) would bypass the view
      // and write the mirror directly, without versions, tombstones or a ledger: SQLite refuses it.
      `CREATE TEMP TRIGGER "_mdl_capture_guard" BEFORE INSERT ON "main".${q(table)} BEGIN ` +
        `SELECT RAISE(ABORT, 'INSERT INTO a model names it without a schema (not main.), so that its rows are applied as changes'); END`,
    ],
    read: `SELECT * FROM "_mdl_capture" ORDER BY rowid`,
    teardown: [
      `DROP TRIGGER IF EXISTS "temp"."_mdl_capture_guard"`,
      `DROP TRIGGER IF EXISTS "temp"."_mdl_capture_insert"`,
      `DROP VIEW IF EXISTS "temp".${q(table)}`,
      `DROP TABLE IF EXISTS "temp"."_mdl_capture"`,
    ],
  };
}

/**
 * An attached database by name, to put a connection's databases back as they were (mdl sql runs
 * ATTACH and DETACH while it checks a script, then undoes them): its file is a parameter.
 */
export function attachedSql(name: string) {
  return { attach: `ATTACH DATABASE ? AS ${ident(name)}`, detach: `DETACH DATABASE ${ident(name)}` };
}

/**
 * WITH HISTORY, read back through the history view: one key's versions, oldest first (a
 * parameter per key column, in key order), and every key's version current at a version (one
 * parameter, given twice).
 */
export function historySql(view: string, key: readonly string[]) {
  const keyList = key.map(ident).join(', ');
  return {
    key: `SELECT * FROM ${ident(view)} WHERE ${key.map((k) => `${ident(k)} = ?`).join(' AND ')} ORDER BY "valid_from"`,
    asOf: `SELECT * FROM ${ident(view)} WHERE "valid_from" <= ? AND ("valid_to" IS NULL OR "valid_to" > ?) ORDER BY ${keyList}`,
  };
}
