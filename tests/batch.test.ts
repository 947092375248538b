/**
 * Encoded batches (src/mirror/batch.ts) and settling within a batch (src/mirror/within-batch.ts):
 * what goes in comes out exactly, however the buffer has to grow, and keys are told apart as
 * SQLite tells them apart.
 */

import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredValue } from '../src/ingest/convert.js';
import { BatchReader, BatchWriter, BufferPool } from '../src/mirror/batch.js';
import { BatchBuilder } from '../src/mirror/within-batch.js';

const SEED = 20261124;

/** Any UTF-16 unit, lone surrogates and NUL included, weighted towards the awkward ones. */
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }),
  fc.integer({ min: 0x80, max: 0xffff }),
  fc.constantFrom(0, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfffd, 0x65e5),
).map((c) => String.fromCharCode(c));
const text = fc.oneof(fc.string({ unit, maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
const value: fc.Arbitrary<StoredValue> = fc.oneof(
  fc.constant(null),
  text,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
);

describe('an encoded batch', () => {
  it('reads back exactly what was written, from a buffer that starts tiny and grows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.array(value, { minLength: 6, maxLength: 6 }), { maxLength: 40 }), (width, rows) => {
        const writer = new BatchWriter(width, 8);
        for (const row of rows) writer.add(row.length % 2, row.slice(0, width));
        const batch = { width, rows: rows.length, bytes: writer.written, duplicate: 0, stale: 0, repeats: false };
        const read = BatchReader.rows(batch);
        expect(read).toEqual(rows.map((row) => [row.length % 2, ...row.slice(0, width)]));
        // Object.is, which toEqual does not apply to -0 inside arrays in every case.
        read.forEach((r, i) => r.slice(1).forEach((v, j) => expect(Object.is(v, rows[i]![j])).toBe(true)));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('gives SQLite the very string it was given, lone surrogates included', () => {
    const db = new Database(':memory:');
    const hex = db.prepare('SELECT hex(?) AS h');
    for (const s of ['a\uD800', '\uDC00b', 'caf\u00e9', '\u65e5\u672c', 'x\u0000y', '\uD83D\uDE00']) {
      const writer = new BatchWriter(1, 4);
      writer.add(0, [s]);
      const [[, read]] = BatchReader.rows({ width: 1, rows: 1, bytes: writer.written, duplicate: 0, stale: 0, repeats: false }) as [[number, string]];
      expect(read).toBe(s);
      expect(hex.get(read)).toEqual(hex.get(s));
    }
    db.close();
  });

  it('rejects a bigint beyond 64 bits rather than wrapping it', () => {
    expect(() => new BatchWriter(1).add(0, [2n ** 63n])).toThrow(RangeError);
  });

  it('takes its buffer from the pool when one fits, and a new one when none does', () => {
    const pool = new BufferPool();
    const spare = new ArrayBuffer(4096);
    pool.give(spare);
    expect(pool.take(100)).toBe(spare);
    expect(pool.take(100)).not.toBe(spare);
  });
});

describe('settling a batch', () => {
  const settle = (keyIndexes: number[], rows: [op: number, ...values: StoredValue[]][]) => {
    const builder = new BatchBuilder(rows[0]!.length - 1, keyIndexes, rows[0]!.length - 2);
    for (const [op, ...values] of rows) builder.add(op, values);
    const batch = builder.finish();
    return { ...batch, rows: BatchReader.rows(batch) };
  };

  it('tells composite keys apart even when their text holds the separator', () => {
    const s = settle([0, 1], [
      [0, 'x\u0000sy', 'z', 1],
      [0, 'x', 'y\u0000sz', 2],
    ]);
    expect(s).toMatchObject({ stale: 0, duplicate: 0, repeats: false });
    expect(s.rows).toHaveLength(2);
  });

  it('keeps strings that differ only in a lone surrogate apart, as SQLite does', () => {
    const s = settle([0], [
      [0, 'a\uD800', 1],
      [1, 'a\uFFFD', 2],
      [0, 'a\uDC00', 3],
    ]);
    expect(s).toMatchObject({ stale: 0, duplicate: 0, repeats: false });
    expect(s.rows).toHaveLength(3);
  });

  it('treats 5 and 5n as one key, and puts keys in order', () => {
    const s = settle([0], [
      [0, 7, 'b', 1],
      [0, 5n, 'a', 2],
      [0, 5, 'a', 1],
    ]);
    expect(s).toMatchObject({ stale: 1, duplicate: 0, repeats: false });
    expect(s.rows).toEqual([
      [0, 5n, 'a', 2],
      [0, 7, 'b', 1],
    ]);
  });

  it('finds the duplicates of a key with many changes, and leaves content ties to SQLite', () => {
    const rows: [number, ...StoredValue[]][] = [];
    for (let i = 0; i < 50; i++) rows.push([0, 1, `v${i % 10}`, 1]);
    const s = settle([0], rows);
    expect(s).toMatchObject({ duplicate: 40, stale: 0, repeats: true });
    expect(s.rows).toHaveLength(10);
  });
});
