/**
 * Precision deletes (SPEC section 5): `DELETE FROM model WHERE ...`, following every
 * relationship's ON DELETE action across models, recursively, and leaving tombstones.
 *
 * In one transaction:
 *   1. capture  the statement runs against a TEMP view of its model, whose INSTEAD OF DELETE
 *               trigger notes each row it would delete (SQLite evaluates the WHERE clause);
 *   2. follow   for every relationship whose target has doomed rows: CASCADE dooms the children,
 *               SET NULL notes them for clearing; repeated until a pass adds nothing, so cycles
 *               in the relationship graph end (the doomed sets only grow, and are finite);
 *   3. restrict a RESTRICT relationship with a child that is not itself doomed refuses the
 *               whole statement, naming the children; nothing is changed;
 *   4. write    SET NULL clears the references (the row keeps its version), then every doomed
 *               row leaves a tombstone at its version and leaves its table, and the ledger
 *               `_mdl_hygiene` records the statement and the rows per model.
 * A dry run does 1 to 3 and rolls back. NO ACTION leaves children as orphans (mdl integrity
 * reports them). For a model WITH HISTORY a precision delete is an erasure: the key's history
 * goes too, and history takes no change of it at or below the deleted version again; a cleared
 * reference is cleared in the key's current version in history as well.
 *
 * Replay: a tombstone at the deleted row's version makes the row's own change (and any older)
 * stale; a genuinely newer change from the source applies. A row whose reference was cleared
 * keeps its version, and its old content at that version loses to the cleared one: the
 * canonical encoding's text for NULL (`null`) is greater than that of any number or string, so
 * the replayed change is stale (SPEC section 4, rule 3).
 */

import { findModel, nameKey, type Model, type Relationship, type Schema } from '../ir.js';
import { HYGIENE_LEDGER_DDL, INSERT_HYGIENE_LEDGER, modelHygieneSql, relationshipHygieneSql } from '../compile/hygiene-sql.js';
import { MirrorError, whileBusy, type Mirror } from './mirror.js';

export interface HygieneReport {
  readonly statement: string;
  /** The model the statement deletes from. */
  readonly model: string;
  readonly dryRun: boolean;
  /** Per model touched: rows deleted, rows whose references were cleared. */
  readonly models: readonly { readonly model: string; readonly deleted: number; readonly cleared: number }[];
  readonly deleted: number;
  readonly cleared: number;
  /** The ledger row's id; null for a dry run. */
  readonly ledgerId: number | null;
}

/** RESTRICT refused the statement: nothing was changed. */
export class HygieneRefused extends MirrorError {}

/** Keys shown in a message about many rows. */
const SAMPLE = 5;

interface Edge {
  readonly child: Model;
  readonly rel: Relationship;
  readonly parent: Model;
}

function edges(schema: Schema): Edge[] {
  const out: Edge[] = [];
  for (const child of schema.models) {
    for (const rel of child.relationships) {
      const parent = findModel(schema, rel.target);
      if (parent) out.push({ child, rel, parent });
    }
  }
  return out;
}

class DryRun extends Error {
  constructor(readonly report: HygieneReport) {
    super('dry run');
  }
}

/**
 * Runs `statement` (a DELETE FROM `model` ...) as a precision delete. Throws HygieneRefused when
 * RESTRICT forbids it, MirrorError when SQLite cannot run it; in both cases nothing changes.
 */
export function precisionDelete(mirror: Mirror, model: Model, statement: string, options: { dryRun?: boolean } = {}): HygieneReport {
  const db = mirror.db;
  const schema = mirror.schema();
  const sql = new Map(schema.models.map((m) => [nameKey(m.name), modelHygieneSql(m)] as const));
  const sqlOf = (m: Model) => sql.get(nameKey(m.name))!;
  const graph = edges(schema).map((e) => ({ ...e, sql: relationshipHygieneSql(e.child, e.rel, e.parent) }));
  const count = (text: string) => Number((db.prepare(text).get() as { n: number | bigint }).n);
  const samples = (text: string) => (db.prepare(text).all(SAMPLE) as { key: string }[]).map((r) => r.key);

  const run = (): HygieneReport => {
    for (const m of schema.models) for (const s of sqlOf(m).setup) db.exec(s);
    try {
      // 1. capture
      const own = sqlOf(model);
      try {
        for (const s of own.captureSetup) db.exec(s);
        db.prepare(statement).run();
      } catch (e) {
        throw new MirrorError(`${statement.split('\n')[0]}: ${(e as Error).message}`, { cause: e });
      } finally {
        for (const s of own.captureTeardown) db.exec(s);
      }
      for (const s of own.settleErased) db.prepare(s).run();
      // 2. follow, until a pass adds nothing
      for (let added = true; added; ) {
        added = false;
        for (const e of graph) {
          if (e.rel.onDelete === 'cascade') added = db.prepare(e.sql.cascade).run().changes > 0 || added;
          else if (e.rel.onDelete === 'set-null') db.prepare(e.sql.noteCleared).run();
        }
      }
      // 3. restrict
      for (const e of graph) {
        if (e.rel.onDelete !== 'restrict') continue;
        const n = count(e.sql.countBlocking);
        if (n === 0) continue;
        const keys = samples(e.sql.sampleBlocking);
        throw new HygieneRefused(
          `${statement.split('\n')[0]}: refused, nothing deleted: ${n} row${n === 1 ? '' : 's'} of ${e.child.name} still ` +
            `reference${n === 1 ? 's' : ''} the rows it would delete from ${e.parent.name} (${e.rel.name} is ON DELETE RESTRICT), ` +
            `key${keys.length === 1 ? '' : 's'} ${keys.join(', ')}${n > keys.length ? ', ...' : ''}. Delete those first, or ` +
            `change the relationship's ON DELETE action`,
        );
      }
      // The impact, per model.
      const models = schema.models
        .map((m) => ({ model: m.name, deleted: count(sqlOf(m).countDoomed), cleared: count(sqlOf(m).countCleared) }))
        .filter((r) => r.deleted > 0 || r.cleared > 0);
      const deleted = models.reduce((n, r) => n + r.deleted, 0);
      const cleared = models.reduce((n, r) => n + r.cleared, 0);
      const report = { statement, model: model.name, dryRun: options.dryRun === true, models, deleted, cleared, ledgerId: null };
      if (options.dryRun) throw new DryRun(report);
      // 4. write: clear references while their parents still exist, then delete.
      for (const e of graph) {
        if (e.rel.onDelete !== 'set-null') continue;
        if (e.sql.clearHistory) db.prepare(e.sql.clearHistory).run();
        db.prepare(e.sql.clear).run();
      }
      for (const m of schema.models) {
        const s = sqlOf(m);
        db.prepare(s.tombstone).run();
        for (const e of s.eraseHistory) db.prepare(e).run();
        db.prepare(s.delete).run();
      }
      db.exec(HYGIENE_LEDGER_DDL);
      const id = db.prepare(INSERT_HYGIENE_LEDGER).run(new Date().toISOString(), statement, model.name, deleted, cleared, JSON.stringify(models)).lastInsertRowid;
      return { ...report, ledgerId: Number(id) };
    } finally {
      for (const m of schema.models) for (const s of sqlOf(m).teardown) db.exec(s);
    }
  };

  try {
    // Under the write lock from the capture on, waiting for it as a batch does. A dry run writes
    // nothing but TEMP tables: it needs no lock, and no write access.
    return whileBusy(() => (options.dryRun ? db.transaction(run)() : db.transaction(run).immediate()));
  } catch (e) {
    if (e instanceof DryRun) return e.report;
    throw e;
  }
}
