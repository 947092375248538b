/**
 * The mirror: a SQLite file that holds models' tables, their tombstones and the metadata that
 * says which models, at which fingerprint, it holds. Opening one, reading its models back, and
 * applying a batch of changes (SPEC section 4) with the statements that compile/ generates.
 *
 * A mirror is self-describing: push records each model's CREATE MODEL statement, and opening a
 * mirror parses and checks those again, so `mdl ingest` needs only the database file. Every batch
 * is one transaction: its rows, its rejects and its ledger row commit together or not at all.
 */

import Database from 'better-sqlite3';
import { checkSources } from '../pipeline.js';
import { findModel, nameKey, type Model, type Schema } from '../ir.js';
import { compileApply, OUTCOMES, stagedBelowSql, type ApplyPhase, type Outcome } from '../compile/apply.js';
import { modelFingerprint } from '../compile/fingerprint.js';
import { MirrorSql, timeRangeSql } from '../compile/mirror-sql.js';
import { addBatchPositionSql, MIRROR_FORMAT } from '../compile/sqlite.js';
import { tableNames } from '../compile/apply.js';
import { renderDiagnostics } from '../diagnostics/render.js';
import type { RejectCode, Watermark } from './rows.js';
import type { StoredValue } from '../ingest/convert.js';
import { BatchReader, type EncodedBatch } from './batch.js';

export type Db = Database.Database;

/** The accounting of one batch: received = the sum of every other count. */
export interface BatchReport {
  readonly batch: number;
  readonly model: string;
  readonly source: string | null;
  readonly received: number;
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
  readonly tombstoned: number;
  readonly stale: number;
  readonly duplicate: number;
  readonly rejected: number;
}

export { OUTCOMES };

/** A rejected row: where it came from, as written, and why. */
export interface RejectRow {
  readonly line: number | null;
  readonly record: number | null;
  readonly raw: string;
  readonly code: RejectCode;
  readonly reason: string;
}

export class MirrorError extends Error {}

/** The span of a time series' event times (from and to are NULL while it is empty). */
export interface TimeRange {
  readonly column: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** Where in a file a batch was: the file's content (SHA-256) and format, its records first to last, and whether it ended the file. */
export interface BatchPosition {
  readonly contentHash: string;
  /** What the content was read as: 'csv' or 'jsonl'. */
  readonly format: string;
  readonly firstRecord: number;
  readonly lastRecord: number;
  readonly fileDone: boolean;
}

/**
 * How long a batch keeps trying while another process holds the mirror's write lock: two
 * minutes, or MDL_LOCK_WAIT_MS milliseconds.
 */
const BUSY_RETRY_MS = Number(process.env['MDL_LOCK_WAIT_MS']) > 0 ? Number(process.env['MDL_LOCK_WAIT_MS']) : 120_000;
/** How long SQLite itself waits for the lock before reporting it busy (better-sqlite3's `timeout`). */
const BUSY_TIMEOUT_MS = Math.min(5_000, BUSY_RETRY_MS);
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/**
 * For the crash tests (tests/crash.test.ts): MDL_FAILPOINT=before-commit:N or after-commit:N
 * kills this process with SIGKILL as its Nth batch is about to commit, or has just committed.
 */
const FAILPOINT = /^(before|after)-commit:(\d+)$/.exec(process.env['MDL_FAILPOINT'] ?? '');
let batchesApplied = 0;
function failpoint(when: 'before' | 'after'): void {
  if (FAILPOINT && FAILPOINT[1] === when && Number(FAILPOINT[2]) === batchesApplied + (when === 'before' ? 1 : 0)) {
    process.kill(process.pid, 'SIGKILL');
  }
}

/** Rows per staging statement: 64, or fewer for a model so wide that they would pass SQLite's 32,766 parameters. */
const STAGE_ROWS = 64;
const MAX_PARAMETERS = 32_766;

/** One model's prepared apply statements, on one connection. */
class ModelApplier {
  private readonly stage: Database.Statement;
  private readonly stageChunk: Database.Statement;
  private readonly classify: Database.Statement;
  private readonly classifyChunk: Database.Statement;
  private readonly params: unknown[];
  private readonly steps: { readonly phase: ApplyPhase; readonly statement: Database.Statement }[];
  private readonly count: Database.Statement;
  private readonly clear: Database.Statement;
  private readonly createIndex: Database.Statement;
  private readonly dropIndex: Database.Statement;
  private readonly stagedBelow: Database.Statement;
  readonly keyIndexes: readonly number[];
  readonly versionIndex: number;
  private readonly chunkRows: number;

  constructor(db: Db, model: Model) {
    this.chunkRows = Math.max(1, Math.min(STAGE_ROWS, Math.floor(MAX_PARAMETERS / (model.columns.length + 2))));
    const a = compileApply(model);
    db.exec(a.createStage);
    this.createIndex = db.prepare(a.createStageIndex);
    this.dropIndex = db.prepare(a.dropStageIndex);
    this.stage = db.prepare(a.insertStageRows(1));
    this.stageChunk = db.prepare(a.insertStageRows(this.chunkRows));
    this.classify = db.prepare(a.insertClassifiedRows(1));
    this.classifyChunk = db.prepare(a.insertClassifiedRows(this.chunkRows));
    this.params = new Array<unknown>(this.chunkRows * (model.columns.length + 2));
    this.steps = a.steps.map((s) => ({ phase: s.phase, statement: db.prepare(s.sql) }));
    const index = (name: string) => model.columns.findIndex((c) => c.name === name);
    this.keyIndexes = model.primaryKey!.columns.map(index);
    this.versionIndex = index(model.version!.column);
    this.count = db.prepare(a.count);
    this.clear = db.prepare(a.clear);
    this.stagedBelow = db.prepare(stagedBelowSql(model));
    this.model = model;
  }

  private readonly model: Model;

  /**
   * A batch is read, and its changes below the model's vacuum watermark rejected, before it is
   * applied: a watermark that `mdl vacuum` raised in between would let through changes it must
   * reject (a key deleted at 50 brought back by a change at 10, its tombstone vacuumed). Checked
   * once the batch is staged, under the batch's write lock; nothing of it is applied then.
   */
  private checkWatermark(watermark: Watermark | undefined): void {
    if (watermark === undefined) return;
    const n = Number((this.stagedBelow.get(watermark.below) as { n: number | bigint }).n);
    if (n === 0) return;
    throw new MirrorError(
      `${n} change${n === 1 ? '' : 's'} of this batch of ${this.model.name} ${n === 1 ? 'is' : 'are'} below the vacuum watermark ` +
        `${String(watermark.below)}, set by mdl vacuum at ${watermark.at}, after the batch was read; nothing of the batch was applied. ` +
        `Run it again: what is below the watermark is then rejected (an ingest resumes after its last committed batch)`,
    );
  }

  /** Stages the changes, chunkRows at a time with `chunk`, the rest one by one with `single`. */
  private stageAll(batch: EncodedBatch, chunk: Database.Statement, single: Database.Statement): void {
    const reader = new BatchReader(batch);
    const rows = batch.rows;
    const params = this.params;
    let n = 0;
    const full = rows - (rows % this.chunkRows);
    while (n < full) {
      let p = 0;
      for (const end = n + this.chunkRows; n < end; ) {
        params[p++] = ++n;
        p = reader.next(params, p);
      }
      chunk.run(params);
    }
    const one = new Array<unknown>(batch.width + 2);
    while (n < rows) {
      one[0] = ++n;
      reader.next(one, 1);
      single.run(one);
    }
  }

  /**
   * Applies the batch and counts its outcomes; with `dryRun`, only counts them, writing nothing
   * but the TEMP stage. `watermark` is the model's as it is now (see checkWatermark).
   */
  run(c: EncodedBatch, watermark: Watermark | undefined, dryRun = false): Map<string, number> {
    const writes = (step: { readonly phase: ApplyPhase }) => step.phase === 'write' || step.phase === 'history';
    if (c.repeats) {
      // Some key still has several changes: stage them all and let SQLite settle and classify.
      // The stage's index serves the settle phase, so it is kept up only for such a batch.
      this.createIndex.run();
      this.stageAll(c, this.stageChunk, this.stage);
      this.checkWatermark(watermark);
      for (const step of this.steps) if (!dryRun || !writes(step)) step.statement.run();
    } else {
      this.stageAll(c, this.classifyChunk, this.classify);
      this.checkWatermark(watermark);
      if (!dryRun) for (const step of this.steps) if (writes(step)) step.statement.run();
    }
    const counts = new Map<string, number>([
      ['duplicate', c.duplicate],
      ['stale', c.stale],
    ]);
    const staged = this.count.get() as Record<Outcome, number | bigint>;
    for (const o of OUTCOMES) counts.set(o, (counts.get(o) ?? 0) + Number(staged[o]));
    this.clear.run();
    if (c.repeats) this.dropIndex.run();
    return counts;
  }
}

/** A batch's report from its outcome counts; throws unless every change has exactly one outcome. */
function batchReport(batch: number, model: Model, source: string | null, received: number, counts: ReadonlyMap<string, number>, rejects: readonly RejectRow[]): BatchReport {
  const get = (o: string) => counts.get(o) ?? 0;
  const accounted = OUTCOMES.reduce((n, o) => n + get(o), 0);
  // Every staged row gets exactly one outcome; anything else is a bug in the statements.
  if (accounted !== received) throw new Error(`apply accounted for ${accounted} of ${received} changes to ${model.name}`);
  return {
    batch,
    model: model.name,
    source,
    received: received + rejects.length,
    inserted: get('inserted'),
    updated: get('updated'),
    deleted: get('deleted'),
    tombstoned: get('tombstoned'),
    stale: get('stale'),
    duplicate: get('duplicate'),
    rejected: rejects.length,
  };
}

/**
 * `attempt`, tried again while SQLite finds the mirror busy (another process holds its lock past
 * the busy timeout), after a pause that grows, up to BUSY_RETRY_MS in all.
 */
export function whileBusy<T>(attempt: () => T): T {
  const started = Date.now();
  for (let n = 0; ; n++) {
    try {
      return attempt();
    } catch (e) {
      const busy = e instanceof Database.SqliteError && (e.code === 'SQLITE_BUSY' || e.code.startsWith('SQLITE_BUSY_'));
      if (!busy || Date.now() - started > BUSY_RETRY_MS) throw e;
      // Exponential, from 10 ms to 1 s, with jitter so that waiting writers do not wake together.
      const pause = Math.min(1000, 10 * 2 ** n) * (0.5 + Math.random());
      Atomics.wait(SLEEPER, 0, 0, pause);
    }
  }
}

function openConnection(file: string, create: boolean, readonly: boolean): Db {
  try {
    return new Database(file, { fileMustExist: !create, readonly, timeout: BUSY_TIMEOUT_MS });
  } catch (e) {
    throw new MirrorError(`cannot open ${file}: ${(e as Error).message}${create ? '' : '; create a mirror with mdl push'}`);
  }
}

/** Whether SQLite failed because the mirror's file or folder cannot be written (or read-only media). */
function notWritable(e: unknown): boolean {
  const code = String((e as { code?: unknown }).code ?? '');
  return code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN');
}

function holdsMirror(db: Db): boolean {
  return (db.prepare(MirrorSql.isMirror).get() as { n: number }).n > 0;
}

/** Throws MirrorError unless the connection's database holds a mirror. */
function mustHoldMirror(db: Db, file: string): void {
  if (!holdsMirror(db)) {
    throw new MirrorError(`${file} is not an mdl mirror (no _mdl_models table); create one with mdl push`);
  }
}

/**
 * A clear error for a mirror that cannot be read even for reading only. A mirror is in WAL mode,
 * and SQLite reads a WAL database only with its -shm file beside it: while a writer has the
 * mirror open the file is there, and otherwise the reader has to create it.
 */
function readFault(e: unknown, file: string): MirrorError | undefined {
  if (!notWritable(e)) return undefined;
  return new MirrorError(
    `cannot read ${file}: SQLite reads a mirror (a WAL database) only with ${file}-shm beside it, and cannot create that file ` +
      `in a folder that cannot be written (SQLite: ${(e as Error).message}). Read it while a writer has it open, or from a ` +
      `folder you can write, or convert it once for readers who cannot write: sqlite3 ${file} 'PRAGMA journal_mode = DELETE' ` +
      `(mdl switches it back to WAL when it next writes, waiting for readers to finish)`,
  );
}

export class Mirror {
  private schemaCache: Schema | undefined;
  private readonly appliers = new Map<string, ModelApplier>();
  private ledger: { start: Database.Statement; finish: Database.Statement; reject: Database.Statement; place: Database.Statement } | undefined;

  /** The batch ledger's statements, prepared once per connection (a batch may be a single change). */
  private ledgerStatements() {
    this.ledger ??= {
      start: this.db.prepare(MirrorSql.startBatch),
      finish: this.db.prepare(MirrorSql.finishBatch),
      reject: this.db.prepare(MirrorSql.insertReject),
      place: this.db.prepare(MirrorSql.positionBatch),
    };
    return this.ledger;
  }

  private constructor(
    readonly db: Db,
    readonly file: string,
    /** False when the mirror was opened for reading only: a statement that writes fails. */
    readonly writable: boolean,
  ) {}

  /**
   * Opens the mirror in `file`. With `create`, a missing file becomes an empty database (push
   * fills it); without, a missing file or one that holds no mirror is an error.
   *
   * `access` says what the caller will do: 'write' (the default) needs a mirror it can write;
   * 'read' opens it for reading only; 'read-if-not-writable' writes when it can and otherwise
   * reads, so that a mirror on read-only media, or one the user may only read, can be queried.
   */
  static open(file: string, options: { create?: boolean; access?: 'write' | 'read' | 'read-if-not-writable' } = {}): Mirror {
    const access = options.access ?? 'write';
    const create = options.create === true;
    let db: Db | undefined;
    if (access !== 'read') {
      db = openConnection(file, create, false);
      try {
        // A file that holds no mirror is left as it was found (push, with create, makes one).
        if (!create) mustHoldMirror(db, file);
        // WAL: readers are never blocked by a batch being applied, nor a batch by readers. The
        // mode stays with the file, for every connection. Switching to it writes the file's
        // header, so this is also where a mirror that cannot be written shows it.
        const connection = db;
        whileBusy(() => connection.pragma('journal_mode = WAL'));
      } catch (e) {
        db.close();
        db = undefined;
        if (e instanceof MirrorError || access === 'write' || !notWritable(e)) throw e;
      }
    }
    const writable = db !== undefined;
    try {
      db ??= openConnection(file, false, true);
    } catch (e) {
      throw readFault(e, file) ?? e;
    }
    // Relationships are recorded, not declared, so foreign-key enforcement has nothing to do;
    // it is off all the same. The stage is a TEMP table that lives for one batch: keep it in
    // memory, not in a temp file.
    db.pragma('foreign_keys = OFF');
    db.pragma('temp_store = MEMORY');
    const mirror = new Mirror(db, file, writable);
    try {
      if (!writable) mustHoldMirror(db, file);
      if (mirror.isMirror()) mirror.upgradeFormat();
    } catch (e) {
      db.close();
      throw readFault(e, file) ?? e;
    }
    return mirror;
  }

  /**
   * Format 1 kept history in a table with stored intervals; format 2 keeps versions and derives
   * the intervals in a view, so a format-1 mirror with a model WITH HISTORY has to be built again.
   * Formats 3 and 4 add columns to the batch ledger, which an older mirror is given here. Several
   * processes may open an older mirror at once: the first upgrades it, under the write lock, and
   * the others find it upgraded.
   */
  private upgradeFormat(): void {
    const format = () => Number((this.db.prepare(MirrorSql.format).get() as { value: string } | undefined)?.value ?? MIRROR_FORMAT);
    const found = format();
    if (found === MIRROR_FORMAT) return;
    if (found > MIRROR_FORMAT) {
      throw new MirrorError(`${this.file} was written by a newer mdl (mirror format ${found}; this mdl reads format ${MIRROR_FORMAT}); upgrade mdl`);
    }
    const history = (this.db.prepare(MirrorSql.historyModels).all() as { name: string }[]).map((r) => r.name);
    if (found < 2 && history.length > 0) {
      throw new MirrorError(
        `${this.file} was built by an earlier mdl (mirror format ${found}), whose history tables this mdl does not read ` +
          `(models ${history.join(', ')} are WITH HISTORY); push the models into a new mirror and ingest the changes again`,
      );
    }
    // Read as it is: what the upgrade adds serves only ingest.
    if (!this.writable) return;
    whileBusy(() =>
      this.db
        .transaction(() => {
          if (format() === MIRROR_FORMAT) return;
          const have = new Set((this.db.prepare(MirrorSql.batchColumns).all() as { name: string }[]).map((r) => r.name));
          for (const sql of addBatchPositionSql(have)) this.db.exec(sql);
          // Batches recorded before the format was: read as their file's name says, as ingest
          // reads a file given no --format, so that a file ingested before is still known.
          this.db.exec(MirrorSql.guessBatchFormats);
          this.db.prepare(MirrorSql.setFormat).run(String(MIRROR_FORMAT));
        })
        .immediate(),
    );
  }

  isMirror(): boolean {
    return holdsMirror(this.db);
  }

  close(): void {
    this.db.close();
  }

  /** The models this mirror holds, rebuilt from the statements push recorded. */
  schema(): Schema {
    if (this.schemaCache) return this.schemaCache;
    const rows = this.isMirror()
      ? (this.db.prepare(MirrorSql.models).all() as { name: string; source_hash: string; source: string | null }[])
      : [];
    const sources = rows.map((r) => {
      if (r.source === null) throw new MirrorError(`model ${r.name} in ${this.file} has no recorded definition; run mdl push with its models`);
      return { path: `${this.file}#${r.name}`, text: r.source };
    });
    const result = checkSources(sources);
    if (!result.ok) {
      const map = new Map(sources.map((s) => [s.path, s]));
      throw new MirrorError(`the models recorded in ${this.file} do not check:\n${renderDiagnostics(result.diagnostics, map, 'plain')}`);
    }
    for (const r of rows) {
      const m = findModel(result.schema, r.name);
      if (!m || modelFingerprint(m) !== r.source_hash) {
        throw new MirrorError(`model ${r.name} in ${this.file} does not match its recorded fingerprint; the mirror's metadata was changed by hand`);
      }
    }
    this.schemaCache = result.schema;
    return result.schema;
  }

  /** Forget the cached models (push changed them). */
  invalidate(): void {
    this.schemaCache = undefined;
    this.appliers.clear();
  }

  model(name: string): Model | undefined {
    return findModel(this.schema(), name);
  }

  /** The model's tombstone watermark (set by mdl vacuum), if any. */
  watermark(model: Model): Watermark | undefined {
    if ((this.db.prepare(MirrorSql.hasWatermarks).get() as { n: number }).n === 0) return undefined;
    const row = this.db.prepare(MirrorSql.watermark).safeIntegers(true).get(model.name) as { below: StoredValue; at: string } | undefined;
    return row ? { below: row.below, at: row.at } : undefined;
  }

  /** A time-series model's first and last event time in the mirror; undefined for other models. */
  timeRange(model: Model): TimeRange | undefined {
    if (!model.timestamp) return undefined;
    const column = model.timestamp.column;
    const r = this.db.prepare(timeRangeSql(tableNames(model).table, column)).get() as { from: string | null; to: string | null };
    return { column, from: r.from, to: r.to };
  }

  /**
   * Applies one batch to one model, atomically: stages its changes (settled within the batch and
   * encoded by a BatchBuilder), runs the apply statements, and records the rejects and the
   * ledger row (with the batch's place in its file, when it came from one). Throws (and changes
   * nothing) only if SQLite fails.
   *
   * Other processes may write the same mirror: the batch takes the write lock when it begins
   * (BEGIN IMMEDIATE), waiting up to the busy timeout, and a batch that still finds the mirror
   * busy is tried again after a pause that grows, up to BUSY_RETRY_MS in all.
   */
  applyBatch(model: Model, changes: EncodedBatch, rejects: readonly RejectRow[], source: string | null, position?: BatchPosition): BatchReport {
    const report = whileBusy(() => this.applyOnce(model, changes, rejects, source, position));
    batchesApplied++;
    failpoint('after');
    return report;
  }

  /**
   * What applyBatch would report, with nothing applied (a dry run): the batch is staged, settled
   * and classified against the mirror as it is, and counted, and none of the steps that write
   * run. It needs no write access.
   */
  tryBatch(model: Model, changes: EncodedBatch, rejects: readonly RejectRow[], source: string | null): Omit<BatchReport, 'batch'> {
    const applier = this.applierFor(model);
    const received = changes.rows + changes.duplicate + changes.stale;
    // One read transaction: the outcomes are those against one state of the mirror.
    const counts = received > 0 ? whileBusy(() => this.db.transaction(() => applier.run(changes, this.watermark(model), true))()) : new Map<string, number>();
    const { batch: _, ...report } = batchReport(-1, model, source, received, counts, rejects);
    return report;
  }

  private applierFor(model: Model): ModelApplier {
    const key = nameKey(model.name);
    let applier = this.appliers.get(key);
    if (!applier) {
      applier = new ModelApplier(this.db, model);
      this.appliers.set(key, applier);
    }
    return applier;
  }

  private applyOnce(model: Model, changes: EncodedBatch, rejects: readonly RejectRow[], source: string | null, position: BatchPosition | undefined): BatchReport {
    const run = this.applierFor(model);
    const received = changes.rows + changes.duplicate + changes.stale;
    const { start, finish, reject, place } = this.ledgerStatements();
    return this.db.transaction((): BatchReport => {
      const batch = Number(start.run(model.name, source, new Date().toISOString()).lastInsertRowid);
      if (position) place.run(position.contentHash, position.format, position.firstRecord, position.lastRecord, position.fileDone ? 1 : 0, batch);
      const counts = received > 0 ? run.run(changes, this.watermark(model)) : new Map<string, number>();
      for (const r of rejects) reject.run(batch, model.name, source, r.line, r.record, r.raw, r.code, r.reason);
      const report = batchReport(batch, model, source, received, counts, rejects);
      finish.run(
        new Date().toISOString(),
        report.received,
        report.inserted,
        report.updated,
        report.deleted,
        report.tombstoned,
        report.stale,
        report.duplicate,
        report.rejected,
        batch,
      );
      failpoint('before');
      return report;
    }).immediate();
  }
}
