/**
 * A batch of changes, encoded: the form in which changes travel from the reader to SQLite.
 *
 * A batch of a hundred thousand changes held as JavaScript rows is half a million objects, every
 * one of which outlives the young generation and has to be copied and collected; posted between
 * threads, each is copied again. Encoded, a batch is one byte buffer: the reading thread writes
 * each change as it converts it and keeps nothing per change but its key and version, and the
 * buffer moves to the applying thread without a copy (ingest/worker.ts). The applying thread
 * decodes one change at a time into the statement's parameters (BatchReader), so what it
 * allocates dies young.
 *
 * Layout: per change, its operation (one byte: 0 upsert, 1 delete), then each of the model's
 * values in declaration order, each a tag byte and its payload:
 *
 *   0  NULL
 *   1  number    float64, little-endian (integers too: better-sqlite3 binds every JavaScript
 *                number as a REAL, and the stage's INTEGER columns, like the staging
 *                statement's CASTs, take an integral one exactly)
 *   2  bigint    int64, little-endian
 *   3  text      uint32 byte length, then the bytes; every character below 128
 *   4  text      uint32 byte length, then UTF-8
 *   5  text      uint32 byte length, then UTF-16LE: a string with a lone surrogate, which UTF-8
 *                cannot hold; it reaches SQLite exactly as given
 *
 * The encoding is canonical: two changes have the same bytes exactly when they have the same
 * operation and the same stored values (Object.is, so -0 and 0 differ). Settling within a batch
 * (within-batch.ts) compares changes by their bytes.
 */

import type { StoredValue } from '../ingest/convert.js';

const NULL = 0;
const NUMBER = 1;
const BIGINT = 2;
const ASCII = 3;
const UTF8 = 4;
const UTF16 = 5;

/** A batch as SQLite will receive it. `bytes` holds exactly `rows` changes. */
export interface EncodedBatch {
  readonly width: number;
  readonly rows: number;
  readonly bytes: Uint8Array;
  /** Changes identical to an earlier one of the batch, counted and not encoded. */
  readonly duplicate: number;
  /** Changes that lose to another of their key within the batch, counted and not encoded. */
  readonly stale: number;
  /**
   * Whether some key still has several changes: only SQLite can order them (by content), so the
   * apply statements' settle phase must run.
   */
  readonly repeats: boolean;
}

const encoder = new TextEncoder();
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Writes changes into a growing buffer. */
export class BatchWriter {
  private bytes: Uint8Array;
  private view: DataView;
  private at = 0;
  /** Byte offset where each change starts; one more at the end once finished. */
  readonly starts: number[] = [];

  constructor(
    readonly width: number,
    initialBytes = 1 << 16,
  ) {
    this.bytes = new Uint8Array(initialBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  get rows(): number {
    return this.starts.length;
  }

  get byteLength(): number {
    return this.at;
  }

  /** The bytes written so far (a view, not a copy). */
  get written(): Uint8Array {
    return this.bytes.subarray(0, this.at);
  }

  private room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.at));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  /** Appends one change: its operation and `width` stored values. */
  add(op: number, values: readonly StoredValue[]): void {
    this.starts.push(this.at);
    this.room(1);
    this.bytes[this.at++] = op;
    for (let i = 0; i < this.width; i++) {
      const v = values[i];
      if (typeof v === 'string') {
        this.text(v);
        continue;
      }
      // Room for the widest fixed-size value: a tag and 8 bytes.
      this.room(9);
      if (v === null || v === undefined) {
        this.bytes[this.at++] = NULL;
      } else if (typeof v === 'number') {
        this.bytes[this.at] = NUMBER;
        this.view.setFloat64(this.at + 1, v, true);
        this.at += 9;
      } else {
        // Conversion keeps integers within 64 bits; setBigInt64 would silently wrap one beyond.
        if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`${v} does not fit in 64 bits`);
        this.bytes[this.at] = BIGINT;
        this.view.setBigInt64(this.at + 1, v, true);
        this.at += 9;
      }
    }
  }

  private text(s: string): void {
    const n = s.length;
    // A tag, a length, and at most 3 bytes of UTF-8 per UTF-16 unit (2 for UTF-16 itself).
    this.room(5 + 3 * n);
    const bytes = this.bytes;
    const start = this.at + 5;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) break;
      bytes[start + i] = c;
    }
    let tag = ASCII;
    let length = n;
    if (i < n) {
      if (s.isWellFormed()) {
        tag = UTF8;
        length = i + encoder.encodeInto(s.slice(i), bytes.subarray(start + i)).written;
      } else {
        // A lone surrogate has no UTF-8. Kept as UTF-16, so that the string bound to SQLite is
        // exactly the one given, and stored as it would be had it been bound directly.
        tag = UTF16;
        for (let j = 0; j < n; j++) {
          const c = s.charCodeAt(j);
          bytes[start + 2 * j] = c & 0xff;
          bytes[start + 2 * j + 1] = c >>> 8;
        }
        length = 2 * n;
      }
    }
    bytes[this.at] = tag;
    this.view.setUint32(this.at + 1, length, true);
    this.at = start + length;
  }

  /** Empties the writer for the next batch, keeping its buffer. */
  reset(): void {
    this.at = 0;
    this.starts.length = 0;
  }
}

/**
 * Spare buffers for encoded batches. The applying thread hands each batch's buffer back once it
 * is applied, so that a long ingest reuses a few buffers instead of leaving a dead one per batch
 * for a collector that, with a small heap, seldom runs.
 */
export class BufferPool {
  private spare: ArrayBuffer[] = [];

  /** @param collect called before each take, to gather buffers handed back since. */
  constructor(private readonly collect?: (pool: BufferPool) => void) {}

  give(buffer: ArrayBuffer): void {
    this.spare.push(buffer);
  }

  /** A buffer of at least `size` bytes. */
  take(size: number): ArrayBuffer {
    this.collect?.(this);
    const i = this.spare.findIndex((b) => b.byteLength >= size);
    if (i >= 0) return this.spare.splice(i, 1)[0]!;
    // Too small for this batch, so likely for the next: let them go.
    this.spare = [];
    // Some room, so that the next batches fit the same buffer.
    return new ArrayBuffer(Math.ceil(size * 1.25) + 1024);
  }
}

/** Reads an encoded batch change by change. */
export class BatchReader {
  private readonly bytes: Buffer;
  private readonly view: DataView;
  private at = 0;

  constructor(readonly batch: EncodedBatch) {
    const b = batch.bytes;
    this.bytes = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** Reads the next change into `out` from `p`: its operation, then its values. Returns the next free index. */
  next(out: unknown[], p: number): number {
    const bytes = this.bytes;
    const view = this.view;
    let at = this.at;
    out[p++] = bytes[at++];
    for (let i = 0; i < this.batch.width; i++) {
      const tag = bytes[at++];
      if (tag === NULL) {
        out[p++] = null;
      } else if (tag === NUMBER) {
        out[p++] = view.getFloat64(at, true);
        at += 8;
      } else if (tag === BIGINT) {
        out[p++] = view.getBigInt64(at, true);
        at += 8;
      } else {
        const length = view.getUint32(at, true);
        at += 4;
        out[p++] = bytes.toString(tag === ASCII ? 'latin1' : tag === UTF8 ? 'utf8' : 'utf16le', at, at + length);
        at += length;
      }
    }
    this.at = at;
    return p;
  }

  /** Every change as [op, ...values]: for tests and small batches. */
  static rows(batch: EncodedBatch): unknown[][] {
    const reader = new BatchReader(batch);
    const out: unknown[][] = [];
    for (let i = 0; i < batch.rows; i++) {
      const row: unknown[] = [];
      reader.next(row, 0);
      out.push(row);
    }
    return out;
  }
}
