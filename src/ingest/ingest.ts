/**
 * Ingest: change files into a mirror, batch by batch (SPEC sections 4 and 7).
 *
 * Each file is read as a stream (csv.ts, jsonl.ts), its rows converted (mirror/rows.ts) and
 * applied in batches of `batchSize` input rows, each batch one transaction. Before anything is
 * applied, every file's columns are checked against the model: a column the model does not have
 * is an error for the whole file. (For JSON Lines, whose keys can differ from line to line, that
 * takes one extra streaming pass over the file.)
 */

import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { nameKey, type Model } from '../ir.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { MirrorError, OUTCOMES, type BatchPosition, type BatchReport, type Mirror, type RejectRow } from '../mirror/mirror.js';
import { MirrorSql } from '../compile/mirror-sql.js';
import type { BufferPool, EncodedBatch } from '../mirror/batch.js';
import { batchBuilder, convertChange, isRejected, rowShape, type ChangeInput, type Watermark } from '../mirror/rows.js';
import { readCsv } from './csv.js';
import { readJsonl } from './jsonl.js';
import type { RawField, StoredValue } from './convert.js';

export type IngestFormat = 'csv' | 'jsonl';
export const CHANGE_TYPE_COLUMN = '_change_request_type';
export const DEFAULT_BATCH_SIZE = 100_000;
/**
 * A batch also ends once its changes take this many bytes (encoded, plus the raw text of its
 * rejects), so that memory stays bounded when rows are wide, whatever the batch size.
 */
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;

export interface IngestOptions {
  readonly format?: IngestFormat | undefined;
  readonly batchSize?: number | undefined;
  /** A batch also ends once its data takes this many bytes (default MAX_BATCH_BYTES). */
  readonly maxBatchBytes?: number | undefined;
  /**
   * Apply every file from its first record, even one whose content this mirror has ingested
   * before (harmless: a change applied twice changes nothing), instead of resuming after the
   * batches an earlier run committed.
   */
  readonly force?: boolean | undefined;
  /** Called after each committed batch, with how far the ingest has got. */
  readonly onBatch?: ((report: BatchReport, progress: IngestProgress) => void) | undefined;
}

/** How far an ingest has got: rows received so far, and bytes of the files read of their total. */
export interface IngestProgress {
  readonly received: number;
  readonly bytesRead: number;
  readonly bytesTotal: number;
}

/** The files' sizes added up, for progress (a file that cannot be read counts 0: it fails later). */
export function totalBytes(files: readonly string[]): number {
  let total = 0;
  for (const f of files) {
    try {
      total += statSync(f).size;
    } catch {
      // reported when it is read
    }
  }
  return total;
}

export type Counts = Omit<BatchReport, 'batch' | 'model' | 'source'>;

export interface IngestReport extends Counts {
  readonly model: string;
  /** Records an earlier run of the same content applied already, and this one read past. */
  readonly skipped: number;
  readonly files: readonly FileReport[];
}

export interface FileReport extends Counts {
  readonly file: string;
  readonly batches: number;
  /** Records an earlier run applied (the ingest resumed after them). */
  readonly skipped: number;
  /** The same content was ingested whole before: nothing was applied. */
  readonly alreadyIngested: boolean;
}

const COUNT_KEYS = ['received', ...OUTCOMES, 'rejected'] as const;

function zero(): { -readonly [K in keyof Counts]: number } {
  return { received: 0, inserted: 0, updated: 0, deleted: 0, tombstoned: 0, stale: 0, duplicate: 0, rejected: 0 };
}

export function formatOf(file: string, format: IngestFormat | undefined): IngestFormat {
  if (format) return format;
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new MirrorError(`cannot tell the format of ${file} from its name; give --format csv or --format jsonl`);
}

/** Where each input column goes: a model column's index, or the change type. */
interface ColumnMap {
  readonly byName: ReadonlyMap<string, number>;
}

function columnMap(model: Model, file: string, names: Iterable<string>): ColumnMap {
  const index = new Map(model.columns.map((c, i) => [nameKey(c.name), i] as const));
  const byName = new Map<string, number>();
  const unknown: string[] = [];
  for (const name of names) {
    const k = nameKey(name);
    if (k === CHANGE_TYPE_COLUMN) {
      byName.set(name, -1);
      continue;
    }
    const i = index.get(k);
    if (i === undefined) unknown.push(name);
    else byName.set(name, i);
  }
  if (unknown.length > 0) {
    const first = unknown[0]!;
    const hint = didYouMean(first, model.columns.map((c) => c.name));
    throw new MirrorError(
      `${file}: model ${model.name} has no column ${unknown.map((u) => JSON.stringify(u)).join(', ')}` +
        `${hint ? ` (${hint})` : ''}; nothing was applied`,
    );
  }
  return { byName };
}

/** The columns a file brings, read before anything is applied. */
function fileColumns(model: Model, file: string, format: IngestFormat): ColumnMap {
  if (format === 'csv') {
    const header = readCsv(file).header;
    const seen = new Set<string>();
    for (const h of header) {
      const k = nameKey(h);
      if (seen.has(k)) throw new MirrorError(`${file}: the header names column ${JSON.stringify(h)} twice; nothing was applied`);
      seen.add(k);
    }
    const map = columnMap(model, file, header);
    // Without its key or version no change can be applied: every row would be rejected.
    const needed = [...model.primaryKey!.columns, model.version!.column];
    const missing = needed.filter((c) => !seen.has(nameKey(c)));
    if (missing.length > 0) {
      throw new MirrorError(
        `${file}: the header has no column ${missing.join(', ')}, which every change to ${model.name} needs ` +
          `(its primary key is ${model.primaryKey!.columns.join(', ')}, its version ${model.version!.column}); nothing was applied`,
      );
    }
    return map;
  }
  const keys = new Set<string>();
  for (const r of readJsonl(file)) for (const k of r.fields.keys()) keys.add(k);
  return columnMap(model, file, keys);
}

/**
 * The file's rows as change inputs. One object is reused from row to row (its fields reset):
 * the caller converts each before asking for the next, and a file of millions of rows then
 * allocates nothing here per row.
 */
function* inputs(
  file: string,
  format: IngestFormat,
  map: ColumnMap,
  width: number,
  onRead: (bytes: number) => void,
): Generator<{ input: ChangeInput; line: number; record: number; raw: string }> {
  const fields: (RawField | undefined)[] = new Array<RawField | undefined>(width);
  const input: { fields: (RawField | undefined)[]; changeType: RawField | undefined; error: string | undefined } = {
    fields,
    changeType: undefined,
    error: undefined,
  };
  const item = { input: input as ChangeInput, line: 0, record: 0, raw: '' };
  const next = (line: number, record: number, raw: string, error: string | undefined) => {
    item.line = line;
    item.record = record;
    item.raw = raw;
    input.error = error;
    return item;
  };
  if (format === 'csv') {
    const csv = readCsv(file, { onRead });
    const targets = csv.header.map((h) => map.byName.get(h)!);
    for (const r of csv.records) {
      fields.fill(undefined);
      input.changeType = undefined;
      for (let i = 0; i < targets.length && i < r.fields.length; i++) {
        const t = targets[i]!;
        if (t < 0) input.changeType = r.fields[i]!;
        else fields[t] = r.fields[i]!;
      }
      yield next(r.line, r.record, r.raw, r.error);
    }
    return;
  }
  for (const r of readJsonl(file, { onRead })) {
    fields.fill(undefined);
    input.changeType = undefined;
    for (const [k, v] of r.fields) {
      const t = map.byName.get(k);
      if (t === undefined) continue;
      if (t < 0) input.changeType = v;
      else fields[t] = v;
    }
    yield next(r.line, r.record, r.raw, r.error);
  }
}

/** A file checked against the model, ready to read. */
export interface FilePlan {
  readonly file: string;
  readonly format: IngestFormat;
  readonly map: ColumnMap;
}

/** Every file's columns checked before anything is applied; throws MirrorError if one does not fit. */
export function planFiles(model: Model, files: readonly string[], format: IngestFormat | undefined): FilePlan[] {
  return files.map((file) => {
    const f = formatOf(file, format);
    try {
      return { file, format: f, map: fileColumns(model, file, f) };
    } catch (e) {
      if (e instanceof MirrorError || !(e instanceof Error)) throw e;
      throw new MirrorError(`${e.message}; nothing was applied`);
    }
  });
}

/** One batch of a file, converted: its changes (settled and encoded) and rejects, within the batch limits. */
export interface ConvertedBatch {
  readonly file: string;
  readonly changes: EncodedBatch;
  readonly rejects: RejectRow[];
  /** Bytes of all the files read so far (reads are 1 MiB apart: a little ahead of the batch). */
  readonly bytesRead: number;
  /** Where in the file the batch was, when the ingest keeps track (see resumePoints). */
  readonly position: BatchPosition | undefined;
}

/** A file that could not be read on, part way through (a read error, a record past the longest read). */
export class ReadError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** Where a batch ends: at `rows` input rows, or once its data takes `bytes` bytes. */
export interface BatchLimits {
  readonly rows: number;
  readonly bytes: number;
}

export function batchLimits(options: IngestOptions): BatchLimits {
  return { rows: options.batchSize ?? DEFAULT_BATCH_SIZE, bytes: options.maxBatchBytes ?? MAX_BATCH_BYTES };
}

/**
 * The files' rows, converted, batch by batch; every file gives at least one batch (maybe empty),
 * unless `resume` says it was ingested already. A batch's changes come settled and encoded
 * (mirror/within-batch.ts, mirror/batch.ts), in a buffer from `pool` when one is given, with its
 * place in the file: records up to `resume[i].skip` were applied by an earlier run and are only
 * read past, and a full batch is held until the next record shows whether it ends the file.
 */
export function* convertBatches(
  model: Model,
  plans: readonly FilePlan[],
  limits: BatchLimits,
  watermark: Watermark | undefined,
  pool?: BufferPool,
  resume?: readonly FileResume[],
): Generator<ConvertedBatch> {
  const shape = rowShape(model, watermark);
  const width = model.columns.length;
  const values = new Array<StoredValue>(width);
  const rows = batchBuilder(shape);
  let bytesRead = 0;
  const onRead = (n: number) => {
    bytesRead += n;
  };
  for (let f = 0; f < plans.length; f++) {
    const plan = plans[f]!;
    const r = resume?.[f];
    if (r?.done) continue;
    const skip = r?.skip ?? 0;
    let rejects: RejectRow[] = [];
    let rejectBytes = 0;
    let first = skip + 1;
    let last = skip;
    let held: ConvertedBatch | undefined;
    const take = (fileDone: boolean): ConvertedBatch => {
      const changes = rows.finish(pool);
      rows.reset();
      const batch: ConvertedBatch = {
        file: plan.file,
        changes,
        rejects,
        bytesRead,
        position: r ? { contentHash: r.hash, format: plan.format, firstRecord: first, lastRecord: last, fileDone } : undefined,
      };
      rejects = [];
      rejectBytes = 0;
      first = last + 1;
      return batch;
    };
    try {
      for (const { input, line, record, raw } of inputs(plan.file, plan.format, plan.map, width, onRead)) {
        if (record <= skip) continue;
        if (held) {
          yield held;
          held = undefined;
        }
        last = record;
        const op = convertChange(shape, input, values);
        if (isRejected(op)) {
          rejects.push({ line, record, raw, code: op.code, reason: op.reason });
          rejectBytes += 2 * raw.length;
        } else rows.add(op, values);
        if (rows.rows + rejects.length >= limits.rows || rows.byteLength + rejectBytes >= limits.bytes) held = take(false);
      }
    } catch (e) {
      if (e instanceof MirrorError || !(e instanceof Error)) throw e;
      throw new ReadError(plan.file, e.message);
    }
    if (held && rows.rows + rejects.length === 0) {
      // The file ended with a full batch: that batch is its last.
      yield held.position ? { ...held, position: { ...held.position, fileDone: true } } : held;
    } else {
      if (held) yield held;
      yield take(true);
    }
  }
}

/** Where an earlier ingest of a file's content, read as the same format, got to (see BATCH_POSITION_COLUMNS). */
export interface FileResume {
  /** The file's content, SHA-256 in hex. */
  readonly hash: string;
  /** Records applied already, from the first: the ingest goes on after them. */
  readonly skip: number;
  /** Whether the whole file was applied: nothing to do. */
  readonly done: boolean;
}

/** SHA-256 of a file's content, read in 1 MiB pieces (about 70 ms for 74 MiB here). */
export function contentHash(file: string): string {
  const hash = createHash('sha256');
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new MirrorError(`cannot read ${file}: ${(e as Error).message}; nothing was applied`);
  }
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Per file, where an earlier ingest of the same content, read as the same format, into the same
 * model got to: the committed batches that cover its records from the first without a gap. With
 * `force`, nowhere.
 */
export function resumePoints(mirror: Mirror, model: Model, files: readonly string[], format: IngestFormat | undefined, force: boolean): FileResume[] {
  const batches = mirror.db.prepare(MirrorSql.fileBatches);
  return files.map((file) => {
    const hash = contentHash(file);
    if (force) return { hash, skip: 0, done: false };
    let skip = 0;
    let done = false;
    for (const b of batches.all(model.name, hash, formatOf(file, format)) as { first_record: number; last_record: number; file_done: number }[]) {
      if (b.first_record > skip + 1) break;
      skip = Math.max(skip, b.last_record);
      if (b.file_done === 1) done = true;
    }
    return { hash, skip, done };
  });
}

/** Adds up batch reports into the ingest report, per file and in total. */
export class Tally {
  private readonly totals = zero();
  private readonly perFile = new Map<string, { batches: number; skipped: number; alreadyIngested: boolean } & ReturnType<typeof zero>>();

  constructor(files: readonly string[], resume?: readonly FileResume[]) {
    files.forEach((f, i) => this.perFile.set(f, { batches: 0, skipped: resume?.[i]?.skip ?? 0, alreadyIngested: resume?.[i]?.done ?? false, ...zero() }));
  }

  add(report: BatchReport, file: string): void {
    const f = this.perFile.get(file)!;
    f.batches++;
    for (const k of COUNT_KEYS) {
      f[k] += report[k];
      this.totals[k] += report[k];
    }
  }

  /** The error for a file that could not be read on, saying what was applied before it. */
  readError(e: ReadError): MirrorError {
    // The file cannot be read on: what was committed stays, and re-running once the file is
    // fixed converges (replay is idempotent).
    const f = this.perFile.get(e.file);
    const batches = f?.batches ?? 0;
    return new MirrorError(`${e.message}; ${batches} batch${batches === 1 ? '' : 'es'} of ${e.file} (${f?.received ?? 0} rows) were applied before it`);
  }

  /** Rows received so far, in all files. */
  get received(): number {
    return this.totals.received;
  }

  report(model: string): IngestReport {
    const files = [...this.perFile].map(([file, f]) => ({ file, ...f }));
    return { model, ...this.totals, skipped: files.reduce((n, f) => n + f.skipped, 0), files };
  }
}

export function modelFor(mirror: Mirror, modelName: string): Model {
  const model = mirror.model(modelName);
  if (model) return model;
  const names = mirror.schema().models.map((m) => m.name);
  const hint = didYouMean(modelName, names);
  throw new MirrorError(`the mirror has no model ${modelName}${hint ? ` (${hint})` : names.length ? `; it holds ${names.join(', ')}` : ''}`);
}

export function ingestFiles(mirror: Mirror, modelName: string, files: readonly string[], options: IngestOptions = {}): IngestReport {
  const model = modelFor(mirror, modelName);
  const plans = planFiles(model, files, options.format);
  const resume = resumePoints(mirror, model, files, options.format, options.force === true);
  const tally = new Tally(files, resume);
  const bytesTotal = totalBytes(files);
  try {
    for (const batch of convertBatches(model, plans, batchLimits(options), mirror.watermark(model), undefined, resume)) {
      const report = mirror.applyBatch(model, batch.changes, batch.rejects, batch.file, batch.position);
      tally.add(report, batch.file);
      options.onBatch?.(report, { received: tally.received, bytesRead: batch.bytesRead, bytesTotal });
    }
  } catch (e) {
    if (e instanceof ReadError) throw tally.readError(e);
    throw e;
  }
  return tally.report(model.name);
}
