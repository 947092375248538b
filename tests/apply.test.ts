/**
 * The generated apply statements implement SPEC section 4 when run in SQLite. The runtime (a
 * later issue) stages rows and runs exactly these statements; here a minimal driver does the
 * same, so the statements themselves are proved, not only parsed.
 */

import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { compileText, type ModelSql } from '../src/index.js';
import { applyBatch } from './helpers.js';

const schema = `
CREATE MODEL contact (
  account_id STRING NOT NULL,
  email      STRING NOT NULL,
  name       STRING,
  seq        BIGINT NOT NULL,
  PRIMARY KEY (account_id, email),
  VERSION (seq)
);`;

type Change = [op: 'u' | 'd', account: string, email: string, name: string | null, seq: number | bigint];

let db: Database.Database;
let model: ModelSql;

beforeEach(() => {
  const compiled = compileText(schema);
  expect(compiled.ok).toBe(true);
  db = new Database(':memory:');
  db.defaultSafeIntegers(true);
  db.exec(compiled.sql!);
  model = compiled.program!.models[0]!;
});

let how: Parameters<typeof applyBatch>[3] = {};

function apply(changes: readonly Change[]): Record<string, number> {
  return applyBatch(db, model.apply, changes.map(([op, ...values]) => [op === 'd' ? 1 : 0, ...values]), how);
}

function state(): string[] {
  return (db.prepare('SELECT account_id, email, name, seq FROM contact ORDER BY 1, 2').all() as Record<string, unknown>[]).map(
    (r) => `${r['account_id']}/${r['email']}=${r['name']}@${r['seq']}`,
  );
}

function tombstones(): string[] {
  return (db.prepare('SELECT account_id, email, seq FROM contact__tombstones ORDER BY 1, 2').all() as Record<string, unknown>[]).map(
    (r) => `${r['account_id']}/${r['email']}@${r['seq']}`,
  );
}

describe.each([
  ['every step in SQL', {}],
  ['settled in JavaScript, then staged and classified', { settled: { keyIndexes: [0, 1], versionIndex: 3 } }],
] as const)('apply statements (%s)', (_name, driver) => {
  beforeEach(() => {
    how = driver;
  });

  it('insert, then a newer update replaces the whole row', () => {
    expect(apply([['u', 'a', 'x', 'Ann', 1]])).toEqual({ inserted: 1 });
    expect(apply([['u', 'a', 'x', null, 2]])).toEqual({ updated: 1 });
    expect(state()).toEqual(['a/x=null@2']);
  });

  it('an older change arriving late is stale and changes nothing', () => {
    apply([['u', 'a', 'x', 'new', 5]]);
    expect(apply([['u', 'a', 'x', 'old', 3]])).toEqual({ stale: 1 });
    expect(state()).toEqual(['a/x=new@5']);
  });

  it('a delete leaves a tombstone, and an older upsert arriving later does not bring the row back', () => {
    apply([['u', 'a', 'x', 'v1', 1]]);
    expect(apply([['d', 'a', 'x', null, 4]])).toEqual({ deleted: 1 });
    expect(state()).toEqual([]);
    expect(tombstones()).toEqual(['a/x@4']);
    expect(apply([['u', 'a', 'x', 'v3', 3]])).toEqual({ stale: 1 });
    expect(state()).toEqual([]);
  });

  it('a delete beats an upsert at the same version', () => {
    apply([['u', 'a', 'x', 'v', 4]]);
    expect(apply([['d', 'a', 'x', null, 4]])).toEqual({ deleted: 1 });
    expect(apply([['u', 'a', 'x', 'v', 4]])).toEqual({ stale: 1 });
    expect(state()).toEqual([]);
  });

  it('a newer upsert revives a deleted key and clears its tombstone', () => {
    apply([['d', 'a', 'x', null, 4]]);
    expect(apply([['u', 'a', 'x', 'back', 5]])).toEqual({ inserted: 1 });
    expect(state()).toEqual(['a/x=back@5']);
    expect(tombstones()).toEqual([]);
  });

  it('a delete for a key never seen still leaves a tombstone', () => {
    expect(apply([['d', 'b', 'y', null, 7]])).toEqual({ tombstoned: 1 });
    expect(tombstones()).toEqual(['b/y@7']);
    expect(apply([['u', 'b', 'y', 'late insert', 6]])).toEqual({ stale: 1 });
    expect(state()).toEqual([]);
  });

  it('within a batch: duplicates counted once, the winner applied, the rest stale', () => {
    const counts = apply([
      ['u', 'a', 'x', 'one', 1],
      ['u', 'a', 'x', 'three', 3],
      ['u', 'a', 'x', 'three', 3],
      ['u', 'a', 'x', 'two', 2],
      ['d', 'b', 'y', null, 1],
      ['d', 'b', 'y', 'ignored content', 1],
    ]);
    expect(counts).toEqual({ inserted: 1, stale: 2, duplicate: 2, tombstoned: 1 });
    expect(state()).toEqual(['a/x=three@3']);
  });

  it('equal versions with different content: the greater canonical encoding wins, in any order', () => {
    apply([['u', 'a', 'x', 'apple', 1]]);
    expect(apply([['u', 'a', 'x', 'banana', 1]])).toEqual({ updated: 1 });
    expect(apply([['u', 'a', 'x', 'apple', 1]])).toEqual({ stale: 1 });
    expect(state()).toEqual(['a/x=banana@1']);
  });

  it('replaying everything changes nothing', () => {
    const log: Change[] = [
      ['u', 'a', 'x', 'v1', 1],
      ['d', 'a', 'x', null, 2],
      ['u', 'a', 'y', 'v1', 1],
      ['u', 'a', 'y', 'v2', 2],
    ];
    apply(log);
    const before = [state(), tombstones()];
    expect(apply(log)).toEqual({ duplicate: 2, stale: 2 });
    expect([state(), tombstones()]).toEqual(before);
  });

  it('compares versions as 64-bit integers, beyond 2^53', () => {
    const big = 2n ** 60n;
    apply([['u', 'a', 'x', 'big', big + 1n]]);
    expect(apply([['u', 'a', 'x', 'bigger', big + 2n]])).toEqual({ updated: 1 });
    expect(apply([['u', 'a', 'x', 'smaller', big]])).toEqual({ stale: 1 });
    expect(state()).toEqual([`a/x=bigger@${big + 2n}`]);
  });
});

describe('apply statements and awkward names', () => {
  // "excluded" is the upsert's pseudo-table; m, t, s, o, st, x and i are aliases the statements use.
  const names = ['excluded', 'main', 'temp', 'm', 't', 's', 'o', 'st', 'x', 'i', 'select', 'order line', 'q"uote'];
  const drivers = [
    ['every step in SQL', {}],
    ['staged and classified', { settled: { keyIndexes: [0], versionIndex: 2 } }],
  ] as const;
  it.each(names.flatMap((n) => drivers.map(([d, how]) => [n, d, how] as const)))(
    'a model named %j inserts, updates, ignores stale changes and deletes (%s)',
    (name, _driver, how) => {
      const q = `"${name.replace(/"/g, '""')}"`;
      const compiled = compileText(`CREATE MODEL ${q} (excluded STRING NOT NULL PRIMARY KEY, "m" STRING, seq BIGINT NOT NULL VERSION);`);
      expect(compiled.ok).toBe(true);
      const local = new Database(':memory:');
      local.exec(compiled.sql!);
      const a = compiled.program!.models[0]!.apply;
      const run = (rows: [op: number, key: string, value: string | null, seq: number][]) => applyBatch(local, a, rows, how);
      run([[0, 'k', 'v5', 5]]);
      run([[0, 'k', 'v7', 7]]);
      run([[0, 'k', 'v6', 6]]);
      expect(local.prepare(`SELECT "m", seq FROM ${q}`).all()).toEqual([{ m: 'v7', seq: 7 }]);
      run([[1, 'k', null, 8]]);
      expect(local.prepare(`SELECT count(*) AS n FROM ${q}`).get()).toEqual({ n: 0 });
      local.close();
    },
  );
});
