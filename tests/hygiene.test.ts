/**
 * Precision deletes (SPEC section 5), end to end through `mdl sql` and the library: every ON DELETE
 * action, a three-level cascade, RESTRICT refusing and rolling back, the dry run changing
 * nothing, cycles ending, and a replay of the whole change log not bringing anything back.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyChanges, openMirror, pushProject, runSql, type Mirror } from '../src/index.js';
import { mdl, project } from './helpers.js';

const MODELS = `
CREATE MODEL account (
  id      STRING NOT NULL PRIMARY KEY,
  name    STRING,
  parent  STRING REFERENCES account (id) ON DELETE CASCADE,
  seq     BIGINT NOT NULL VERSION
);

CREATE MODEL contact (
  id          STRING NOT NULL PRIMARY KEY,
  account_id  STRING REFERENCES account (id) ON DELETE CASCADE,
  email       STRING,
  seq         BIGINT NOT NULL VERSION
);

CREATE MODEL activity (
  id          BIGINT NOT NULL PRIMARY KEY,
  contact_id  STRING REFERENCES contact (id) ON DELETE CASCADE,
  note        STRING,
  seq         BIGINT NOT NULL VERSION
);

CREATE MODEL opportunity (
  id          BIGINT NOT NULL PRIMARY KEY,
  account_id  STRING REFERENCES account (id) ON DELETE SET NULL,
  amount      BIGINT,
  seq         BIGINT NOT NULL VERSION
);

CREATE MODEL invoice (
  id          BIGINT NOT NULL PRIMARY KEY,
  account_id  STRING REFERENCES account (id) ON DELETE RESTRICT,
  seq         BIGINT NOT NULL VERSION
);

CREATE MODEL visit (
  id          BIGINT NOT NULL PRIMARY KEY,
  account_id  STRING REFERENCES account (id) ON DELETE NO ACTION,
  seq         BIGINT NOT NULL VERSION
);
`;

type Log = [model: string, rows: Record<string, unknown>[]][];

const LOG: Log = [
  ['account', [
    { id: 'a1', name: 'Acme', seq: 1 },
    { id: 'a2', name: 'Acme EU', parent: 'a1', seq: 1 },
    { id: 'a3', name: 'Other', seq: 1 },
  ]],
  ['contact', [
    { id: 'c1', account_id: 'a1', email: 'ann@acme.example', seq: 1 },
    { id: 'c2', account_id: 'a2', email: 'bo@acme.example', seq: 2 },
    { id: 'c3', account_id: 'a3', email: 'cy@other.example', seq: 1 },
  ]],
  ['activity', [
    { id: 1, contact_id: 'c1', note: 'call', seq: 1 },
    { id: 2, contact_id: 'c2', note: 'mail', seq: 1 },
    { id: 3, contact_id: 'c3', note: 'visit', seq: 1 },
  ]],
  ['opportunity', [
    { id: 10, account_id: 'a1', amount: 500, seq: 3 },
    { id: 11, account_id: 'a3', amount: 700, seq: 1 },
  ]],
  ['visit', [{ id: 20, account_id: 'a2', seq: 1 }]],
];

function setup(log: Log = LOG): { dir: string; db: string; mirror: Mirror } {
  const dir = project({ 'models/crm.mdl': MODELS });
  const db = join(dir, 'mirror.db');
  const mirror = openMirror(db, { create: true });
  pushProject(mirror, [join(dir, 'models')]);
  for (const [model, rows] of log) applyChanges(mirror, model, rows);
  return { dir, db, mirror };
}

function ids(mirror: Mirror, table: string): unknown[] {
  return (mirror.db.prepare(`SELECT id FROM ${table} ORDER BY id`).all() as { id: unknown }[]).map((r) => r.id);
}

function snapshot(mirror: Mirror): unknown {
  const out: Record<string, unknown> = {};
  for (const t of ['account', 'contact', 'activity', 'opportunity', 'invoice', 'visit']) {
    out[t] = mirror.db.prepare(`SELECT * FROM ${t} ORDER BY id`).all();
    out[`${t}__tombstones`] = mirror.db.prepare(`SELECT * FROM ${t}__tombstones ORDER BY id`).all();
  }
  return out;
}

describe('precision deletes', () => {
  it('cascade three levels down (and down the account hierarchy), set references NULL, leave NO ACTION orphans', () => {
    const { mirror } = setup();
    const [o] = runSql(mirror, `DELETE FROM account WHERE name = 'Acme'`);
    expect(o).toMatchObject({ kind: 'hygiene' });
    const report = o!.kind === 'hygiene' ? o!.report : undefined;
    expect(report).toMatchObject({ model: 'account', deleted: 6, cleared: 1, dryRun: false });
    expect(report!.models).toEqual([
      { model: 'account', deleted: 2, cleared: 0 },
      { model: 'activity', deleted: 2, cleared: 0 },
      { model: 'contact', deleted: 2, cleared: 0 },
      { model: 'opportunity', deleted: 0, cleared: 1 },
    ]);
    expect(ids(mirror, 'account')).toEqual(['a3']);
    expect(ids(mirror, 'contact')).toEqual(['c3']);
    expect(ids(mirror, 'activity')).toEqual([3]);
    // SET NULL clears the reference and keeps the row and its version.
    expect(mirror.db.prepare('SELECT id, account_id, amount, seq FROM opportunity ORDER BY id').all()).toEqual([
      { id: 10, account_id: null, amount: 500, seq: 3 },
      { id: 11, account_id: 'a3', amount: 700, seq: 1 },
    ]);
    // NO ACTION: the visit stays, an orphan.
    expect(ids(mirror, 'visit')).toEqual([20]);
    // Tombstones at each deleted row's version.
    expect(mirror.db.prepare('SELECT id, seq FROM contact__tombstones ORDER BY id').all()).toEqual([
      { id: 'c1', seq: 1 },
      { id: 'c2', seq: 2 },
    ]);
    // The ledger.
    const ledger = mirror.db.prepare('SELECT statement, model, deleted, cleared, detail FROM _mdl_hygiene').all() as Record<string, unknown>[];
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ statement: `DELETE FROM account WHERE name = 'Acme'`, model: 'account', deleted: 6, cleared: 1 });
    expect(JSON.parse(String(ledger[0]!['detail']))).toEqual(report!.models);
  });

  it('a replay of the whole change log brings nothing back; a newer change from the source still applies', () => {
    const { mirror } = setup();
    runSql(mirror, `DELETE FROM account WHERE id = 'a1'`);
    const after = snapshot(mirror);
    for (const [model, rows] of LOG) applyChanges(mirror, model, rows);
    expect(snapshot(mirror)).toEqual(after);
    applyChanges(mirror, 'contact', [{ id: 'c1', account_id: 'a1', email: 'ann@new.example', seq: 2 }]);
    expect(ids(mirror, 'contact')).toEqual(['c1', 'c3']);
    applyChanges(mirror, 'opportunity', [{ id: 10, account_id: 'a3', amount: 900, seq: 4 }]);
    expect(mirror.db.prepare('SELECT account_id FROM opportunity WHERE id = 10').get()).toEqual({ account_id: 'a3' });
  });

  it('RESTRICT refuses the whole statement while children exist, says which, and changes nothing', () => {
    const { mirror } = setup([...LOG, ['invoice', [{ id: 30, account_id: 'a2', seq: 1 }, { id: 31, account_id: 'a3', seq: 1 }]]]);
    const before = snapshot(mirror);
    // a2 goes with a1 by cascade, and invoice 30 still references it.
    expect(() => runSql(mirror, `DELETE FROM account WHERE id = 'a1'`)).toThrow(
      /refused, nothing deleted: 1 row of invoice still references the rows it would delete from account \(fk_account_id is ON DELETE RESTRICT\), key \[30\]/,
    );
    expect(snapshot(mirror)).toEqual(before);
    expect(mirror.db.prepare('SELECT count(*) AS n FROM _mdl_hygiene').get()).toEqual({ n: 0 });
    // Once the invoice is gone, the delete goes through.
    runSql(mirror, 'DELETE FROM invoice WHERE id = 30');
    expect(runSql(mirror, `DELETE FROM account WHERE id = 'a1'`)[0]).toMatchObject({ report: { deleted: 6 } });
  });

  it('the dry run shows the impact per model and changes nothing', () => {
    const { mirror } = setup();
    const before = snapshot(mirror);
    const [o] = runSql(mirror, `DELETE FROM account WHERE id = 'a1'`, { dryRun: true });
    expect(o).toMatchObject({ kind: 'hygiene', report: { dryRun: true, deleted: 6, cleared: 1, ledgerId: null } });
    expect(snapshot(mirror)).toEqual(before);
    expect(mirror.db.prepare('SELECT count(*) AS n FROM _mdl_hygiene').get()).toEqual({ n: 0 });
  });

  it('a cycle in the relationship graph ends', () => {
    const dir = project({
      'models/cycle.mdl': `
CREATE MODEL a (id BIGINT NOT NULL PRIMARY KEY, b_id BIGINT REFERENCES b (id) ON DELETE CASCADE, v BIGINT NOT NULL VERSION);
CREATE MODEL b (id BIGINT NOT NULL PRIMARY KEY, a_id BIGINT REFERENCES a (id) ON DELETE CASCADE, v BIGINT NOT NULL VERSION);`,
    });
    const mirror = openMirror(join(dir, 'm.db'), { create: true });
    pushProject(mirror, [join(dir, 'models')]);
    applyChanges(mirror, 'a', [{ id: 1, b_id: 1, v: 1 }, { id: 2, b_id: 2, v: 1 }]);
    applyChanges(mirror, 'b', [{ id: 1, a_id: 2, v: 1 }, { id: 2, a_id: 1, v: 1 }]);
    expect(runSql(mirror, 'DELETE FROM a WHERE id = 1')[0]).toMatchObject({ report: { deleted: 4 } });
    expect(ids(mirror, 'a')).toEqual([]);
    expect(ids(mirror, 'b')).toEqual([]);
  });

  it('through a reference to a UNIQUE key, a child whose value another parent still holds is left alone', () => {
    const dir = project({
      'models/unique.mdl': `
CREATE MODEL region (id BIGINT NOT NULL PRIMARY KEY, code STRING NOT NULL UNIQUE, v BIGINT NOT NULL VERSION);
CREATE MODEL store (id BIGINT NOT NULL PRIMARY KEY, region_code STRING REFERENCES region (code) ON DELETE CASCADE, v BIGINT NOT NULL VERSION);
CREATE MODEL rep (id BIGINT NOT NULL PRIMARY KEY, region_code STRING REFERENCES region (code) ON DELETE SET NULL, v BIGINT NOT NULL VERSION);
CREATE MODEL lease (id BIGINT NOT NULL PRIMARY KEY, region_code STRING REFERENCES region (code) ON DELETE RESTRICT, v BIGINT NOT NULL VERSION);`,
    });
    const mirror = openMirror(join(dir, 'm.db'), { create: true });
    pushProject(mirror, [join(dir, 'models')]);
    // Code N moves from region 1 to region 2: the change to region 2 has arrived, the one to
    // region 1 not yet, so for now both hold it.
    applyChanges(mirror, 'region', [{ id: 1, code: 'N', v: 1 }, { id: 2, code: 'N', v: 1 }, { id: 3, code: 'S', v: 1 }]);
    applyChanges(mirror, 'store', [{ id: 10, region_code: 'N', v: 1 }, { id: 11, region_code: 'S', v: 1 }]);
    applyChanges(mirror, 'rep', [{ id: 20, region_code: 'N', v: 1 }]);
    applyChanges(mirror, 'lease', [{ id: 30, region_code: 'N', v: 1 }]);
    const codes = (t: string) => mirror.db.prepare(`SELECT id, region_code FROM ${t} ORDER BY id`).all();
    expect(runSql(mirror, 'DELETE FROM region WHERE id = 1')[0]).toMatchObject({ report: { deleted: 1, cleared: 0 } });
    expect(codes('store')).toEqual([{ id: 10, region_code: 'N' }, { id: 11, region_code: 'S' }]);
    expect(codes('rep')).toEqual([{ id: 20, region_code: 'N' }]);
    // The last region with code N: now its children go, and the lease holds it back.
    expect(() => runSql(mirror, 'DELETE FROM region WHERE id = 2')).toThrow(/RESTRICT/);
    // Counted once, though it references both regions deleted together.
    applyChanges(mirror, 'region', [{ id: 4, code: 'N', v: 1 }]);
    expect(() => runSql(mirror, `DELETE FROM region WHERE code = 'N'`)).toThrow(/: 1 row of lease still references the rows it would delete from region \(.*\), key \[30\]\./);
    applyChanges(mirror, 'region', [{ id: 4, v: 2, _change_request_type: 'd' }]);
    applyChanges(mirror, 'lease', [{ id: 30, v: 2, _change_request_type: 'd' }]);
    expect(runSql(mirror, 'DELETE FROM region WHERE id = 2')[0]).toMatchObject({ report: { deleted: 2, cleared: 1 } });
    expect(codes('store')).toEqual([{ id: 11, region_code: 'S' }]);
    expect(codes('rep')).toEqual([{ id: 20, region_code: null }]);
    mirror.close();
  });

  it('erasing a key WITH HISTORY that the source has deleted already reaches the rows that still reference it', () => {
    const dir = project({
      'models/erase.mdl': `
CREATE MODEL customer (id STRING NOT NULL PRIMARY KEY, email STRING, v BIGINT NOT NULL VERSION) WITH HISTORY;
CREATE MODEL sub (id STRING NOT NULL PRIMARY KEY, customer_id STRING REFERENCES customer (id) ON DELETE CASCADE, v BIGINT NOT NULL VERSION);
CREATE MODEL note (id STRING NOT NULL PRIMARY KEY, customer_id STRING REFERENCES customer (id) ON DELETE SET NULL, v BIGINT NOT NULL VERSION);`,
    });
    const mirror = openMirror(join(dir, 'm.db'), { create: true });
    pushProject(mirror, [join(dir, 'models')]);
    applyChanges(mirror, 'customer', [{ id: 'c1', email: 'a@x', v: 1 }, { id: 'c2', email: 'b@x', v: 1 }, { id: 'c2', v: 2, _change_request_type: 'd' }]);
    applyChanges(mirror, 'sub', [{ id: 's1', customer_id: 'c1', v: 1 }, { id: 's2', customer_id: 'c2', v: 1 }]);
    applyChanges(mirror, 'note', [{ id: 'n1', customer_id: 'c2', v: 1 }]);
    expect(runSql(mirror, `DELETE FROM customer WHERE email = 'b@x'`)[0]).toMatchObject({
      report: { deleted: 2, cleared: 1, models: [{ model: 'customer', deleted: 1, cleared: 0 }, { model: 'note', deleted: 0, cleared: 1 }, { model: 'sub', deleted: 1, cleared: 0 }] },
    });
    expect(ids(mirror, 'sub')).toEqual(['s1']);
    expect(mirror.db.prepare('SELECT customer_id FROM note').all()).toEqual([{ customer_id: null }]);
    expect(mirror.db.prepare(`SELECT count(*) AS n FROM customer__versions WHERE id = 'c2'`).get()).toEqual({ n: 0 });
    mirror.close();
  });

  it('through mdl sql: the impact per model, JSON, and a model named with a schema refused', () => {
    const { db, mirror } = setup();
    mirror.close();
    const dry = mdl(['sql', '--db', db, '--dry-run', '-e', `DELETE FROM account WHERE id = 'a1'`]);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('account: would delete 6 rows and clear 1 reference (dry run: nothing changed)');
    expect(dry.stdout).toMatch(/opportunity +0 deleted, 1 cleared/);
    const json = mdl(['sql', '--db', db, '--format', 'json', '-e', `DELETE FROM account WHERE id IN (SELECT account_id FROM contact WHERE email LIKE '%other%')`]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ model: 'account', deleted: 3, cleared: 1, dryRun: false, ledgerId: 1 });
    const qualified = mdl(['sql', '--db', db, '-e', `DELETE FROM main.account WHERE id = 'a1'`]);
    expect(qualified.status).toBe(1);
    expect(qualified.stderr).toContain('name the model without a schema');
    const unknown = mdl(['sql', '--db', db, '-e', `DELETE FROM acount WHERE id = 'a1'`]);
    expect(unknown.stderr).toContain('did you mean account');
  });
});
