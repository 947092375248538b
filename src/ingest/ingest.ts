/**
 * Ingest: change files into a mirror, batch by batch (SPEC sections 4 and 7).
 *
 * Each file is read as a stream (csv.ts, jsonl.ts), its rows converted (mirror/rows.ts) and
 * applied in batches of `batchSize` input rows, each batch one transaction. Before anything is
 * applied, every file's columns are checked against the model: a column the model does not have
 * is an error for the whole file. (For JSON Lines, whose keys can differ from line to line, that
 * takes one extra streaming pass over the file.)
 */

import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { nameKey, type Model } from '../ir.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { MirrorError, OUTCOMES, type BatchReport, type Mirror, type RejectRow } from '../mirror/mirror.js';
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
  readonly files: readonly ({ readonly file: string; readonly batches: number } & Counts)[];
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
    const k = nameKey(name.trim());
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
      const k = nameKey(h.trim());
      if (seen.has(k)) throw new MirrorError(`${file}: the header names column ${JSON.stringify(h)} twice; nothing was applied`);
      seen.add(k);
    }
    return columnMap(model, file, header);
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
}

/** A file that could not be read on, part way through (invalid UTF-8, a read error). */
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
 * The files' rows, converted, batch by batch; every file gives at least one batch (maybe empty).
 * A batch's changes come settled and encoded (mirror/within-batch.ts, mirror/batch.ts), in a
 * buffer from `pool` when one is given.
 */
export function* convertBatches(
  model: Model,
  plans: readonly FilePlan[],
  limits: BatchLimits,
  watermark: Watermark | undefined,
  pool?: BufferPool,
): Generator<ConvertedBatch> {
  const shape = rowShape(model, watermark);
  const width = model.columns.length;
  const values = new Array<StoredValue>(width);
  const rows = batchBuilder(shape);
  let bytesRead = 0;
  const onRead = (n: number) => {
    bytesRead += n;
  };
  for (const plan of plans) {
    let rejects: RejectRow[] = [];
    let rejectBytes = 0;
    let batches = 0;
    try {
      for (const { input, line, record, raw } of inputs(plan.file, plan.format, plan.map, width, onRead)) {
        const op = convertChange(shape, input, values);
        if (isRejected(op)) {
          rejects.push({ line, record, raw, code: op.code, reason: op.reason });
          rejectBytes += 2 * raw.length;
        } else rows.add(op, values);
        if (rows.rows + rejects.length >= limits.rows || rows.byteLength + rejectBytes >= limits.bytes) {
          const changes = rows.finish(pool);
          rows.reset();
          yield { file: plan.file, changes, rejects, bytesRead };
          batches++;
          rejects = [];
          rejectBytes = 0;
        }
      }
    } catch (e) {
      if (e instanceof MirrorError || !(e instanceof Error)) throw e;
      throw new ReadError(plan.file, e.message);
    }
    if (rows.rows + rejects.length > 0 || batches === 0) {
      const changes = rows.finish(pool);
      rows.reset();
      yield { file: plan.file, changes, rejects, bytesRead };
    }
  }
}

/** Adds up batch reports into the ingest report, per file and in total. */
export class Tally {
  private readonly totals = zero();
  private readonly perFile = new Map<string, { batches: number } & ReturnType<typeof zero>>();

  constructor(files: readonly string[]) {
    for (const f of files) this.perFile.set(f, { batches: 0, ...zero() });
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
    return { model, ...this.totals, files: [...this.perFile].map(([file, f]) => ({ file, ...f })) };
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
  const tally = new Tally(files);
  const bytesTotal = totalBytes(files);
  try {
    for (const batch of convertBatches(model, plans, batchLimits(options), mirror.watermark(model))) {
      const report = mirror.applyBatch(model, batch.changes, batch.rejects, batch.file);
      tally.add(report, batch.file);
      options.onBatch?.(report, { received: tally.received, bytesRead: batch.bytesRead, bytesTotal });
    }
  } catch (e) {
    if (e instanceof ReadError) throw tally.readError(e);
    throw e;
  }
  return tally.report(model.name);
}
