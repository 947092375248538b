/**
 * Property (SPEC section 4): the mirror depends only on the set of changes received. For random
 * change sets over a small composite key space, with equal versions, deletes, NULLs and floats,
 * applied by the generated statements in any order, split into any batches, with any duplicates:
 * the table and its tombstones equal what a reference computes from the set alone, every change
 * is counted exactly once, and replaying everything changes nothing.
 */

import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileText } from '../src/index.js';
import { applyBatch } from './helpers.js';

const SEED = 20261124;

const compiled = compileText(`
CREATE MODEL t (
  k1 STRING NOT NULL,
  k2 INT    NOT NULL,
  a  STRING,
  b  DOUBLE,
  c  BIGINT,
  v  BIGINT NOT NULL,
  PRIMARY KEY (k1, k2),
  VERSION (v)
);`);
const model = compiled.program!.models[0]!;
const columns = model.apply.stageColumns;

interface Change {
  readonly op: 0 | 1;
  readonly row: { k1: string; k2: number; a: string | null; b: number | null; c: number | null; v: number };
}

const change: fc.Arbitrary<Change> = fc.record({
  op: fc.constantFrom<0 | 1>(0, 0, 0, 1),
  row: fc.record({
    k1: fc.constantFrom('x', 'y'),
    k2: fc.constantFrom(1, 2),
    a: fc.constantFrom(null, '', 'p', 'q', 'é"\n'),
    b: fc.constantFrom(null, 1.5, 0.1 + 0.2, 0.3, -0),
    c: fc.constantFrom(null, 1, 9, 10),
    v: fc.constantFrom(1, 2, 3),
  }),
});

function fresh(): Database.Database {
  const db = new Database(':memory:');
  db.exec(compiled.sql!);
  return db;
}

/** How batches are applied: every step in SQL, or settled in JavaScript first as the runtime does. */
const drivers = {
  'every step in SQL': {},
  'settled in JavaScript, then staged and classified': { settled: { keyIndexes: [0, 1], versionIndex: 5 } },
} as const;
let driver: Parameters<typeof applyBatch>[3] = {};

function apply(db: Database.Database, batch: readonly Change[]): Record<string, number> {
  return applyBatch(db, model.apply, batch.map((ch) => [ch.op, ...columns.map((n) => ch.row[n as keyof Change['row']])]), driver);
}

function state(db: Database.Database): unknown {
  return {
    rows: db.prepare('SELECT * FROM t ORDER BY k1, k2').all(),
    tombstones: db.prepare('SELECT * FROM t__tombstones ORDER BY k1, k2').all(),
  };
}

/** A value as SQLite stores it: a REAL negative zero is stored as zero. */
function stored(r: Change['row']): Change['row'] {
  return { ...r, b: r.b === 0 ? 0 : r.b };
}

/** SPEC section 4 from the set alone: per key, the greatest change by (version, delete, content). */
function reference(changes: readonly Change[]): unknown {
  const encoder = new Database(':memory:');
  // The canonical encoding is defined as SQLite's json_array of the stored values.
  const encode = (r: Change['row']) =>
    (encoder.prepare('SELECT json_array(?, ?, ?, ?, ?, ?) AS e').get(r.k1, r.k2, r.a, r.b, r.c, r.v) as { e: string }).e;
  const winners = new Map<string, { ch: Change; content: string }>();
  for (const ch of changes) {
    const key = JSON.stringify([ch.row.k1, ch.row.k2]);
    const content = encode(ch.row);
    const best = winners.get(key);
    const greater =
      !best ||
      ch.row.v > best.ch.row.v ||
      (ch.row.v === best.ch.row.v && (ch.op > best.ch.op || (ch.op === best.ch.op && ch.op === 0 && content > best.content)));
    if (greater) winners.set(key, { ch, content });
  }
  encoder.close();
  const sorted = [...winners.values()].map((w) => w.ch).sort((p, q) => (p.row.k1 < q.row.k1 ? -1 : p.row.k1 > q.row.k1 ? 1 : p.row.k2 - q.row.k2));
  return {
    rows: sorted.filter((ch) => ch.op === 0).map((ch) => stored(ch.row)),
    tombstones: sorted.filter((ch) => ch.op === 1).map((ch) => ({ k1: ch.row.k1, k2: ch.row.k2, v: ch.row.v })),
  };
}

describe.each(Object.entries(drivers))('apply statements, as a property of the change set (%s)', (_name, how) => {
  it('give the reference state for any order, batching and duplication; replay changes nothing', () => {
    driver = how;
    const scenario = fc
      .array(change, { minLength: 1, maxLength: 10 })
      .chain((changes) =>
        fc.record({
          changes: fc.constant(changes),
          order: fc.shuffledSubarray(changes, { minLength: changes.length, maxLength: changes.length }),
          duplicates: fc.subarray(changes),
          batchSizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 12 }),
        }),
      );
    fc.assert(
      fc.property(scenario, ({ changes, order, duplicates, batchSizes }) => {
        const db = fresh();
        const arrivals = [...order, ...duplicates];
        let received = 0;
        let counted = 0;
        for (let i = 0, b = 0; i < arrivals.length; b++) {
          const size = batchSizes[b % batchSizes.length]!;
          const batch = arrivals.slice(i, i + size);
          i += size;
          received += batch.length;
          counted += Object.values(apply(db, batch)).reduce((x, y) => x + y, 0);
        }
        expect(counted).toBe(received);
        const after = state(db);
        expect(after).toEqual(reference(changes));

        const replay = apply(db, changes);
        expect(Object.keys(replay).filter((k) => k !== 'duplicate' && k !== 'stale')).toEqual([]);
        expect(state(db)).toEqual(after);
        db.close();
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
