/**
 * Within one batch, the changes that cannot win, settled in JavaScript before staging.
 *
 * The apply statements' settle phase (mark-duplicates, mark-stale) decides, among the staged
 * changes of one key, which are duplicates and which lose. Most batches hold one change per key,
 * and where a key repeats the decision is nearly always by version or by delete over upsert,
 * which JavaScript can make as well as SQLite. So BatchBuilder settles those keys as the batch is
 * built (on ingest's reading thread): duplicates and losers are counted and never staged. What
 * only SQLite can decide exactly is the order of two different contents at one version (the
 * canonical content is SQLite's json_array text): such a key's changes are all staged, the batch
 * is marked `repeats`, and the settle phase runs. Settling here never changes a result: whenever
 * it is unsure (a value it cannot compare as SQLite would), it stages and lets SQLite decide.
 * A batch without repeats is staged and classified in one statement (compile/apply.ts).
 */

import type { StoredValue } from '../ingest/convert.js';
import { BatchWriter, BufferPool, type EncodedBatch } from './batch.js';
import { OP_LOST } from '../compile/apply.js';

type Key = string | number | bigint;

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A key's identity as SQLite compares it: numbers and bigints by value (5 and 5n alike), text as
 * text. A one-column key is its value itself (a Map compares those by value), so the common
 * case builds no string.
 */
function keyOf(values: readonly StoredValue[], keyIndexes: readonly number[]): Key {
  if (keyIndexes.length === 1) {
    const v = values[keyIndexes[0]!]!;
    return typeof v === 'bigint' && v >= -SAFE && v <= SAFE ? Number(v) : v;
  }
  // Each part prefixed by its kind, and text by its length, so that no two keys give one string.
  let k = '';
  for (const i of keyIndexes) {
    const v = values[i];
    k += typeof v === 'string' ? `s${v.length}:${v}` : `n${String(v)};`;
  }
  return k;
}

/**
 * -1, 0 or 1 by version then delete over upsert; undefined when only content could decide, or
 * when the versions cannot be compared here (text beyond ASCII: SQLite compares UTF-8 bytes).
 */
function compare(va: StoredValue, oa: number, vb: StoredValue, ob: number): number | undefined {
  if (typeof va === 'string' || typeof vb === 'string') {
    if (typeof va !== 'string' || typeof vb !== 'string' || /[^\u0000-\u007f]/.test(va + vb)) return undefined;
  }
  if (va! < vb!) return -1;
  if (va! > vb!) return 1;
  if (oa !== ob) return oa > ob ? 1 : -1;
  return undefined;
}

/** FNV-1a over bytes[from, to). */
function fnv1a(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * Collects a batch's changes, encoded as they come (batch.ts), keeping only each change's key,
 * version and operation; `finish` settles the batch and returns what is left to stage.
 */
export class BatchBuilder {
  private readonly writer: BatchWriter;
  private readonly keys: Key[] = [];
  private readonly versions: StoredValue[] = [];
  private readonly ops: number[] = [];

  /**
   * @param keepLosers for a model WITH HISTORY: a change that loses within the batch is still
   * staged (its op marked OP_LOST, and counted stale by SQLite), since history keeps it.
   */
  constructor(
    readonly width: number,
    private readonly keyIndexes: readonly number[],
    private readonly versionIndex: number,
    private readonly keepLosers = false,
  ) {
    this.writer = new BatchWriter(width);
  }

  get rows(): number {
    return this.ops.length;
  }

  /** Bytes the batch's changes take so far, encoded. */
  get byteLength(): number {
    return this.writer.byteLength;
  }

  /** Empties the builder for the next batch; what finish returned stays valid. */
  reset(): void {
    this.writer.reset();
    this.keys.length = 0;
    this.versions.length = 0;
    this.ops.length = 0;
  }

  /** Appends one change: its operation (0 upsert, 1 delete) and its stored values in declaration order. */
  add(op: number, values: readonly StoredValue[]): void {
    this.keys.push(keyOf(values, this.keyIndexes));
    this.versions.push(values[this.versionIndex]!);
    this.ops.push(op);
    this.writer.add(op, values);
  }

  /** Where change i's bytes end. */
  private end(bytes: Uint8Array, i: number): number {
    const starts = this.writer.starts;
    return i + 1 < starts.length ? starts[i + 1]! : bytes.length;
  }

  /** Whether changes a and b have the same bytes: the same operation and stored values. */
  private same(bytes: Uint8Array, a: number, b: number): boolean {
    const starts = this.writer.starts;
    const sa = starts[a]!;
    const sb = starts[b]!;
    const length = this.end(bytes, a) - sa;
    if (this.end(bytes, b) - sb !== length) return false;
    for (let i = 0; i < length; i++) if (bytes[sa + i] !== bytes[sb + i]) return false;
    return true;
  }

  /**
   * The changes' indices grouped by key, in key order, in arrival order within a key. Key order
   * is for SQLite's sake: the batch then reads and writes the mirror's B-trees in order, page by
   * page, instead of at random (a third less time applying a large batch). Dense integer keys,
   * the usual case, are counted into place; any other key is sorted by comparison.
   */
  private byKey(): Int32Array {
    const keys = this.keys;
    const count = keys.length;
    const order = new Int32Array(count);
    let min = Infinity;
    let max = -Infinity;
    let integers = true;
    for (let i = 0; i < count && integers; i++) {
      const k = keys[i]!;
      if (typeof k !== 'number' || !Number.isSafeInteger(k)) integers = false;
      else {
        if (k < min) min = k;
        if (k > max) max = k;
      }
    }
    if (integers && count > 0 && max - min < 4 * count + 1024) {
      const starts = new Int32Array(max - min + 2);
      for (let i = 0; i < count; i++) starts[(keys[i] as number) - min + 1]!++;
      for (let k = 1; k < starts.length; k++) starts[k]! += starts[k - 1]!;
      for (let i = 0; i < count; i++) order[starts[(keys[i] as number) - min]!++] = i;
      return order;
    }
    for (let i = 0; i < count; i++) order[i] = i;
    return order.sort((a, b) => {
      const ka = keys[a]!;
      const kb = keys[b]!;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
  }

  /**
   * Settles the batch within itself and returns what is left, encoded in key order, in a buffer
   * of its own (taken from `pool` when given).
   */
  finish(pool?: BufferPool): EncodedBatch {
    const { keys, versions, ops, writer } = this;
    const count = ops.length;
    const order = this.byKey();
    const bytes = writer.written;
    const starts = writer.starts;
    const end = (i: number) => this.end(bytes, i);
    const keep = new Uint8Array(count).fill(1);
    let duplicate = 0;
    let stale = 0;
    let repeats = false;
    const cmp = (a: number, b: number) => compare(versions[a]!, ops[a]!, versions[b]!, ops[b]!);
    for (let g = 0; g < count; ) {
      // The group of one key: order[g] to order[h - 1].
      let h = g + 1;
      while (h < count && keys[order[h]!] === keys[order[g]!]) h++;
      if (h - g > 1) {
        // Duplicates: identical to an earlier change of the key (mark-duplicates' rule).
        // A key with many changes is looked up by a hash of the bytes, so that it is not quadratic.
        const alive: number[] = [];
        const byHash = h - g > 16 ? new Map<number, number[]>() : undefined;
        for (let j = g; j < h; j++) {
          const i = order[j]!;
          const hash = byHash ? fnv1a(bytes, starts[i]!, end(i)) : 0;
          const candidates = byHash ? (byHash.get(hash) ?? []) : alive;
          if (candidates.some((o) => this.same(bytes, o, i))) {
            duplicate++;
            keep[i] = 0;
          } else {
            alive.push(i);
            if (byHash) {
              candidates.push(i);
              byHash.set(hash, candidates);
            }
          }
        }
        // The greatest by (version, delete over upsert) wins, unless content would have to decide.
        let best = alive[0]!;
        let unsure = false;
        for (let j = 1; j < alive.length; j++) {
          const o = cmp(alive[j]!, best);
          if (o === undefined) unsure = true;
          else if (o > 0) best = alive[j]!;
        }
        if (!unsure) {
          // A later change that beat `best` may tie with one skipped earlier: check the winner against all.
          for (const i of alive) if (i !== best && cmp(i, best) !== -1) unsure = true;
        }
        if (unsure) {
          repeats ||= alive.length > 1;
        } else if (this.keepLosers) {
          for (const i of alive) if (i !== best) keep[i] = 2;
        } else {
          for (const i of alive) if (i !== best) keep[i] = 0;
          stale += alive.length - 1;
        }
      }
      g = h;
    }
    // The changes kept, their bytes copied in key order.
    let size = 0;
    for (let i = 0; i < count; i++) if (keep[i] !== 0) size += end(i) - starts[i]!;
    const out = pool ? new Uint8Array(pool.take(size), 0, size) : new Uint8Array(size);
    let at = 0;
    for (let j = 0; j < count; j++) {
      const i = order[j]!;
      if (keep[i] === 0) continue;
      // Rows are tens of bytes: a loop beats a subarray view per row. A loser's op is marked.
      const first = at;
      for (let b = starts[i]!, e = end(i); b < e; b++) out[at++] = bytes[b]!;
      if (keep[i] === 2) out[first] = out[first]! | OP_LOST;
    }
    return { width: this.width, rows: count - duplicate - stale, bytes: out, duplicate, stale, repeats };
  }
}
