/**
 * The runtime's fixed statements over the metadata tables (sqlite.ts creates them): reading what
 * a mirror holds, recording each model's source, the batch ledger and the reject table.
 *
 * Kept here so that SQL text is written only in compile/; the runtime prepares these as they are.
 * Each takes its values as bound parameters, never pasted in.
 */

export const MirrorSql = {
  /** Whether the file already holds a mirror. */
  isMirror: `SELECT count(*) AS "n" FROM "sqlite_master" WHERE "type" = 'table' AND "name" = '_mdl_models'`,
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
  /** (batch_id, model, source, line, record, raw, code, reason). */
  insertReject:
    `INSERT INTO "_mdl_rejects" ("batch_id", "model", "source", "line", "record", "raw", "code", "reason") ` +
    `VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
} as const;
