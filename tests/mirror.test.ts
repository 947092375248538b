/**
 * The mirror runtime, end to end: `mdl push` and `mdl ingest` through the CLI, and each
 * consequence of SPEC section 4 through the library API, checked in the SQLite file itself.
 */

import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChanges, ingest, openMirror, pushProject, type BatchReport, type Mirror } from '../src/index.js';
import { mdl, project, root } from './helpers.js';

const MODELS = `
CREATE MODEL account (
  id          BIGINT         NOT NULL,
  name        STRING         NOT NULL,
  balance     DECIMAL(12, 2),
  active      BOOLEAN,
  updated_at  TIMESTAMP,
  seq         BIGINT         NOT NULL,
  PRIMARY KEY (id),
  VERSION (seq)
);

CREATE MODEL reading (
  sensor  STRING     NOT NULL,
  value   DOUBLE,
  at      TIMESTAMP  NOT NULL,
  PRIMARY KEY (sensor),
  VERSION (at)
);
`;

function setup(): { dir: string; db: string; mirror: Mirror } {
  const dir = project({ 'models/all.mdl': MODELS });
  const db = join(dir, 'mirror.db');
  const mirror = openMirror(db, { create: true });
  pushProject(mirror, [join(dir, 'models')]);
  return { dir, db, mirror };
}

function rows(mirror: Mirror, sql: string): unknown[] {
  return mirror.db.prepare(sql).all();
}

const OUTCOMES = ['inserted', 'updated', 'deleted', 'tombstoned', 'stale', 'duplicate', 'rejected'] as const;

function expectAccounted(r: BatchReport): void {
  expect(OUTCOMES.reduce((n, k) => n + r[k], 0)).toBe(r.received);
}

describe('mdl push', () => {
  it('creates a mirror, then says it is up to date and changes nothing', () => {
    const dir = project({ 'm.mdl': MODELS });
    const db = join(dir, 'mirror.db');
    const first = mdl(['push', dir, '--db', db]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('created 2 models (account, reading)');
    const second = mdl(['push', dir, '--db', db]);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('up to date, 2 models unchanged');
    const conn = new Database(db, { readonly: true });
    const tables = conn.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all().map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(['account', 'account__tombstones', 'reading', 'reading__tombstones', '_mdl_models', '_mdl_batches', '_mdl_rejects']));
    const sources = conn.prepare(`SELECT name, source FROM _mdl_models ORDER BY name`).all() as { name: string; source: string }[];
    expect(sources[0]!.source).toMatch(/^CREATE MODEL account \(/);
    expect(sources[0]!.source).toMatch(/\);$/);
    conn.close();
  });

  it('refuses a changed model and changes nothing; adds a new one; keeps one no longer declared', () => {
    const dir = project({ 'm.mdl': MODELS });
    const db = join(dir, 'mirror.db');
    expect(mdl(['push', dir, '--db', db]).status).toBe(0);
    writeFileSync(join(dir, 'm.mdl'), MODELS.replace('name        STRING ', 'name        TEXT   '));
    const changed = mdl(['push', dir, '--db', db]);
    expect(changed.status).toBe(1);
    expect(changed.stderr).toContain('model account changed since the mirror was built');
    expect(changed.stderr).toContain('Nothing was changed');

    writeFileSync(join(dir, 'm.mdl'), MODELS.replace(/CREATE MODEL reading[\s\S]*$/, '') + 'CREATE MODEL note (id INT NOT NULL PRIMARY KEY, v INT NOT NULL VERSION);\n');
    const added = mdl(['push', dir, '--db', db]);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('created 1 model (note), 1 unchanged');
    expect(added.stdout).toContain('kept reading');
  });

  it('refuses to push a model whose table the database already has for something else, and changes nothing', () => {
    const dir = project({ 'm.mdl': 'CREATE MODEL dv (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\nCREATE MODEL other (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);' });
    const db = join(dir, 'x.db');
    const conn = new Database(db);
    conn.exec('CREATE TABLE DV (x)');
    conn.close();
    const r = mdl(['push', dir, '--db', db]);
    expect([r.status, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(/^mdl push: .*x\.db already has a table named DV, which is not model dv's; nothing was changed\./m);
    const after = new Database(db);
    expect(after.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all()).toEqual([{ name: 'DV' }]);
    after.close();
  });

  it('reports model errors and pushes nothing', () => {
    const dir = project({ 'm.mdl': 'CREATE MODEL t (id INT NOT NULL PRIMARY KEY);' });
    const r = mdl(['push', dir, '--db', join(dir, 'x.db')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('MDL3');
    expect(r.stderr).toContain('nothing pushed');
  });

  it('opens a mirror of an earlier format: upgraded when nothing differs, refused with what to do when history does', () => {
    const dir = project({
      'a/m.mdl': 'CREATE MODEL t (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);',
      'b/m.mdl': 'CREATE MODEL h (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION) WITH HISTORY;',
    });
    const format = (db: string) => (new Database(db).prepare(`SELECT value FROM _mdl_meta WHERE key = 'format'`).get() as { value: string }).value;
    const setFormat = (db: string, f: string) => new Database(db).prepare(`UPDATE _mdl_meta SET value = ? WHERE key = 'format'`).run(f);
    for (const [models, db] of [['a', 'a.db'], ['b', 'b.db']]) {
      const m = openMirror(join(dir, db!), { create: true });
      pushProject(m, [join(dir, models!)]);
      m.close();
      expect(format(join(dir, db!))).toBe('4');
      setFormat(join(dir, db!), '1');
    }
    openMirror(join(dir, 'a.db')).close();
    expect(format(join(dir, 'a.db'))).toBe('4');
    expect(() => openMirror(join(dir, 'b.db'))).toThrow(/earlier mdl \(mirror format 1\).*models h are WITH HISTORY.*push the models into a new mirror/);
    // A format-2 mirror's batch ledger has none of the position columns; format 3's lacks the format.
    const ledger = (db: string) => (new Database(db).prepare(`SELECT name FROM pragma_table_info('_mdl_batches')`).all() as { name: string }[]).map((r) => r.name);
    new Database(join(dir, 'b.db')).exec(`ALTER TABLE _mdl_batches DROP COLUMN format; ALTER TABLE _mdl_batches DROP COLUMN file_done`);
    setFormat(join(dir, 'b.db'), '2');
    openMirror(join(dir, 'b.db')).close();
    expect(format(join(dir, 'b.db'))).toBe('4');
    expect(ledger(join(dir, 'b.db'))).toEqual(expect.arrayContaining(['content_hash', 'file_done', 'format']));
    setFormat(join(dir, 'b.db'), '5');
    expect(() => openMirror(join(dir, 'b.db'))).toThrow(/newer mdl \(mirror format 5; this mdl reads format 4\); upgrade mdl/);
  });
  it('an older mirror opened by several processes at once is upgraded once, and knows the files it had ingested', async () => {
    const dir = project({ 'models/m.mdl': 'CREATE MODEL t (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);' });
    const db = join(dir, 'm.db');
    expect(mdl(['push', join(dir, 'models'), '--db', db]).status).toBe(0);
    const file = join(dir, 'a.csv');
    writeFileSync(file, 'id,v\n1,1\n2,1\n');
    expect(mdl(['ingest', '--db', db, '--model', 't', file]).status).toBe(0);
    // As format 3 left it: no format column.
    const old = new Database(db);
    old.exec(`ALTER TABLE _mdl_batches DROP COLUMN format; UPDATE _mdl_meta SET value = '3' WHERE key = 'format'`);
    old.close();
    const runs = await Promise.all(
      Array.from({ length: 6 }, () =>
        new Promise<{ status: number | null; stderr: string }>((resolve) => {
          const p = spawn(process.execPath, [join(root, 'bin', 'mdl.js'), 'sql', '--db', db, '-e', 'SELECT count(*) FROM t'], { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          p.on('close', (status) => resolve({ status, stderr }));
        }),
      ),
    );
    expect(runs).toEqual(Array(6).fill({ status: 0, stderr: '' }));
    const again = mdl(['ingest', '--db', db, '--model', 't', file]);
    expect(again.stdout).toContain('ingested before');
  });
});

describe('mdl ingest', () => {
  it('into a time series, also says which span of time the mirror holds; range queries use its index', () => {
    const dir = project({});
    const db = join(dir, 'events.db');
    expect(mdl(['push', join(root, 'examples/web-events'), '--db', db]).status).toBe(0);
    const file = join(root, 'examples/web-events/changes/page_view.csv');
    const r = mdl(['ingest', '--db', db, '--model', 'page_view', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      'page_view: 5 received: 4 inserted, 0 updated, 0 deleted, 0 tombstoned, 1 stale, 0 duplicate, 0 rejected; ' +
        'viewed_at from 2024-03-01T09:00:05.000000Z to 2024-03-02T18:30:00.000000Z\n',
    );
    const json = JSON.parse(mdl(['ingest', '--db', db, '--model', 'page_view', '--json', file]).stdout);
    expect(json.timeRange).toEqual({ column: 'viewed_at', from: '2024-03-01T09:00:05.000000Z', to: '2024-03-02T18:30:00.000000Z' });
    const conn = new Database(db, { readonly: true });
    const range = `SELECT event_id FROM page_view WHERE viewed_at >= '2024-03-01T00:00:00.000000Z' AND viewed_at < '2024-03-02T00:00:00.000000Z' ORDER BY viewed_at`;
    expect(conn.prepare(range).all()).toEqual([{ event_id: 'e-0001' }, { event_id: 'e-0002' }, { event_id: 'e-0003' }]);
    const plan = conn.prepare(`EXPLAIN QUERY PLAN ${range}`).all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toContain('USING INDEX page_view__ts_viewed_at');
    conn.close();
  });

  it('applies a CSV change file and prints the accounting report', () => {
    const { dir, db, mirror } = setup();
    mirror.close();
    const file = join(dir, 'changes.csv');
    writeFileSync(
      file,
      [
        'id,name,balance,active,updated_at,seq,_change_request_type',
        '1,Acme,10.5,true,2024-03-01T12:00:00+02:00,1,',
        '2,Globex,,false,,1,U',
        '1,Acme Corp,11,1,2024-03-02T00:00:00Z,2,u',
        '3,,,,,1, d ',
        '2,Globex,,false,,1,u',
        ',Nobody,,,,1,',
        '4,Bad,abc,,,1,',
      ].join('\r\n') + '\r\n',
    );
    const r = mdl(['ingest', '--db', db, '--model', 'account', file, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BatchReport;
    expect(report).toMatchObject({ received: 7, inserted: 2, updated: 0, tombstoned: 1, duplicate: 1, stale: 1, rejected: 2 });
    expectAccounted(report);

    const conn = new Database(db, { readonly: true });
    expect(conn.prepare('SELECT id, name, balance, active, updated_at, seq FROM account ORDER BY id').all()).toEqual([
      { id: 1, name: 'Acme Corp', balance: '11.00', active: 1, updated_at: '2024-03-02T00:00:00.000000Z', seq: 2 },
      { id: 2, name: 'Globex', balance: null, active: 0, updated_at: null, seq: 1 },
    ]);
    expect(conn.prepare('SELECT id, seq FROM account__tombstones').all()).toEqual([{ id: 3, seq: 1 }]);
    const rejects = conn.prepare('SELECT line, record, raw, code, reason FROM _mdl_rejects ORDER BY line').all() as Record<string, unknown>[];
    expect(rejects.map((x) => [x['line'], x['code']])).toEqual([
      [7, 'missing-key'],
      [8, 'bad-value'],
    ]);
    expect(rejects[1]!['raw']).toBe('4,Bad,abc,,,1,');
    expect(rejects[1]!['reason']).toContain('balance');
    const ledger = conn.prepare('SELECT received, inserted, rejected, source FROM _mdl_batches').all();
    expect(ledger).toEqual([{ received: 7, inserted: 2, rejected: 2, source: file }]);
    conn.close();

    // The same file again is recognised by its content; --force applies it again, which changes nothing.
    const again = mdl(['ingest', '--db', db, '--model', 'ACCOUNT', file]);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(
      `account: 0 received: 0 inserted, 0 updated, 0 deleted, 0 tombstoned, 0 stale, 0 duplicate, 0 rejected\n` +
        `  ${file}: ingested before (the same content, read as the same format), nothing applied again; --force applies it again\n`,
    );
    const text = mdl(['ingest', '--db', db, '--model', 'ACCOUNT', '--force', file]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^account: 7 received: 0 inserted, 0 updated, 0 deleted, 0 tombstoned, \d stale, \d duplicate, 2 rejected\n$/);
  });

  it('matches a column by its name exactly, case aside: a JSON key or quoted header with spaces is another name', () => {
    const { dir, db, mirror } = setup();
    mirror.close();
    writeFileSync(join(dir, 'k.jsonl'), '{"id": 1, " name ": "x", "seq": 1}\n');
    writeFileSync(join(dir, 'h.csv'), 'id," name ",seq\n1,x,1\n');
    writeFileSync(join(dir, 'u.csv'), 'id, name ,seq\n1,x,1\n');
    expect(mdl(['ingest', '--db', db, '--model', 'account', join(dir, 'k.jsonl')]).stderr).toContain('has no column " name "');
    expect(mdl(['ingest', '--db', db, '--model', 'account', join(dir, 'h.csv')]).stderr).toContain('has no column " name "');
    // Unquoted CSV header names are trimmed, as CSV tools write them.
    expect(mdl(['ingest', '--db', db, '--model', 'account', join(dir, 'u.csv')]).stdout).toContain('1 inserted');
  });

  it('refuses a file with a column the model does not have, before applying anything', () => {
    const { dir, db, mirror } = setup();
    mirror.close();
    const good = join(dir, 'a.csv');
    const bad = join(dir, 'b.csv');
    writeFileSync(good, 'id,name,seq\n1,A,1\n');
    writeFileSync(bad, 'id,nmae,seq\n2,B,1\n');
    const r = mdl(['ingest', '--db', db, '--model', 'account', good, bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('model account has no column "nmae"');
    expect(r.stderr).toContain('did you mean name?');
    const conn = new Database(db, { readonly: true });
    expect(conn.prepare('SELECT count(*) AS n FROM account').get()).toEqual({ n: 0 });
    expect(conn.prepare('SELECT count(*) AS n FROM _mdl_batches').get()).toEqual({ n: 0 });
    conn.close();
  });

  it('reads JSON Lines, keeping integers beyond 2^53 exact', () => {
    const { dir, db, mirror } = setup();
    mirror.close();
    const file = join(dir, 'changes.jsonl');
    writeFileSync(file, '{"id": 9223372036854775807, "name": "max", "seq": 9007199254740993}\n\n{"id": 1, "name": "x", "seq": 1, "active": true}\n');
    const r = mdl(['ingest', '--db', db, '--model', 'account', file, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ received: 2, inserted: 2 });
    const conn = new Database(db, { readonly: true });
    conn.defaultSafeIntegers(true);
    expect(conn.prepare('SELECT id, seq FROM account ORDER BY id').all()).toEqual([
      { id: 1n, seq: 1n },
      { id: 9223372036854775807n, seq: 9007199254740993n },
    ]);
    conn.close();
  });

  it('says which mirror or model is missing', () => {
    const { dir, db, mirror } = setup();
    mirror.close();
    writeFileSync(join(dir, 'a.csv'), 'id\n1\n');
    const noDb = mdl(['ingest', '--db', join(dir, 'none.db'), '--model', 'account', join(dir, 'a.csv')]);
    expect(noDb.status).toBe(1);
    expect(noDb.stderr).toContain('mdl push');
    const noModel = mdl(['ingest', '--db', db, '--model', 'acount', join(dir, 'a.csv')]);
    expect(noModel.status).toBe(1);
    expect(noModel.stderr).toContain('no model acount (did you mean account?)');
    const usage = mdl(['ingest', '--db', db, join(dir, 'a.csv')]);
    expect(usage.status).toBe(2);
    const noFile = mdl(['ingest', '--db', db, '--model', 'account', join(dir, 'missing.csv')]);
    expect(noFile.status).toBe(1);
    expect(noFile.stderr).toMatch(/^mdl ingest: cannot read .*missing\.csv.*; nothing was applied\n$/);
  });
});

describe('the consequences of SPEC section 4', () => {
  it('a delete leaves a tombstone: an older upsert stays out, a newer one revives the key', () => {
    const { mirror } = setup();
    expect(applyChanges(mirror, 'account', [{ id: 1, name: 'a', seq: 5 }])).toMatchObject({ inserted: 1 });
    expect(applyChanges(mirror, 'account', [{ id: 1, seq: 6, _change_request_type: 'd' }])).toMatchObject({ deleted: 1 });
    expect(rows(mirror, 'SELECT * FROM account')).toEqual([]);
    expect(rows(mirror, 'SELECT id, seq FROM account__tombstones')).toEqual([{ id: 1, seq: 6 }]);
    expect(applyChanges(mirror, 'account', [{ id: 1, name: 'late', seq: 5 }])).toMatchObject({ stale: 1 });
    expect(rows(mirror, 'SELECT * FROM account')).toEqual([]);
    expect(applyChanges(mirror, 'account', [{ id: 1, name: 'back', seq: 7 }])).toMatchObject({ inserted: 1 });
    expect(rows(mirror, 'SELECT id, name FROM account')).toEqual([{ id: 1, name: 'back' }]);
    expect(rows(mirror, 'SELECT * FROM account__tombstones')).toEqual([]);
  });

  it('a delete of a key never seen still leaves a tombstone', () => {
    const { mirror } = setup();
    const r = applyChanges(mirror, 'account', [{ id: 2, seq: 3, _change_request_type: 'D' }]);
    expect(r).toMatchObject({ tombstoned: 1, received: 1 });
    expect(applyChanges(mirror, 'account', [{ id: 2, name: 'insert arriving after its delete', seq: 2 }])).toMatchObject({ stale: 1 });
    expect(rows(mirror, 'SELECT * FROM account')).toEqual([]);
  });

  it('an upsert replaces the whole row: an absent column becomes NULL', () => {
    const { mirror } = setup();
    applyChanges(mirror, 'account', [{ id: 1, name: 'a', balance: '5', active: true, seq: 1 }]);
    applyChanges(mirror, 'account', [{ id: 1, name: 'a', seq: 2 }]);
    expect(rows(mirror, 'SELECT balance, active FROM account')).toEqual([{ balance: null, active: null }]);
  });

  it('versions compare by type: 64-bit integers beyond 2^53, timestamps by instant across offsets', () => {
    const { mirror } = setup();
    mirror.db.defaultSafeIntegers(true);
    applyChanges(mirror, 'account', [
      { id: 1, name: 'newer', seq: 9007199254740993n },
      { id: 1, name: 'older', seq: 9007199254740992n },
    ]);
    expect(rows(mirror, 'SELECT name FROM account')).toEqual([{ name: 'newer' }]);
    // 12:00 at +02:00 is 10:00Z, earlier than 11:00Z, though its text sorts later.
    applyChanges(mirror, 'reading', [
      { sensor: 's', value: 1, at: '2024-03-01T11:00:00Z' },
      { sensor: 's', value: 2, at: '2024-03-01T12:00:00+02:00' },
    ]);
    expect(rows(mirror, 'SELECT value, at FROM reading')).toEqual([{ value: 1, at: '2024-03-01T11:00:00.000000Z' }]);
  });

  it('rejects what cannot be applied, with the reason, and applies the rows beside it', () => {
    const { mirror } = setup();
    const r = applyChanges(mirror, 'account', [
      { id: null, name: 'no key', seq: 1 },
      { id: 1, name: 'no version' },
      { id: 2, name: 'bad version', seq: 'soon' },
      { id: 3, name: 'bad type', seq: 1, _change_request_type: 'x' },
      { id: 4, name: 'bad value', seq: 1, active: 'maybe' },
      { id: 5, seq: 1 },
      { id: 6, name: 'too precise', seq: 1, balance: '1.234' },
      { id: 7, name: 'good', seq: 1 },
    ]);
    expect(r).toMatchObject({ received: 8, rejected: 7, inserted: 1 });
    expectAccounted(r);
    expect(rows(mirror, 'SELECT record, code FROM _mdl_rejects ORDER BY record')).toEqual([
      { record: 1, code: 'missing-key' },
      { record: 2, code: 'missing-version' },
      { record: 3, code: 'missing-version' },
      { record: 4, code: 'unknown-change-type' },
      { record: 5, code: 'bad-value' },
      { record: 6, code: 'missing-value' },
      { record: 7, code: 'bad-value' },
    ]);
    const reasons = (rows(mirror, 'SELECT reason FROM _mdl_rejects ORDER BY record') as { reason: string }[]).map((x) => x.reason);
    expect(reasons[4]).toContain('"maybe" is not a boolean');
    expect(reasons[5]).toContain('column name is NOT NULL');
    expect(reasons[6]).toContain('DECIMAL(12, 2)');
    expect(rows(mirror, 'SELECT id FROM account')).toEqual([{ id: 7 }]);
  });

  it('a batch is atomic: when SQLite fails, nothing of it stays, not even its ledger row', () => {
    const { mirror } = setup();
    applyChanges(mirror, 'account', [{ id: 1, name: 'kept', seq: 1 }]);
    mirror.db.exec('DROP TABLE account__tombstones');
    expect(() => applyChanges(mirror, 'account', [{ id: 2, name: 'lost', seq: 1 }, { id: 3, seq: 1, _change_request_type: 'd' }])).toThrow();
    expect(rows(mirror, 'SELECT id FROM account')).toEqual([{ id: 1 }]);
    expect(rows(mirror, 'SELECT count(*) AS n FROM _mdl_batches')).toEqual([{ n: 1 }]);
  });

  it('replaying the same file converges: the second run changes nothing', () => {
    const { dir, mirror } = setup();
    const file = join(dir, 'c.csv');
    writeFileSync(file, 'id,name,seq,_change_request_type\n1,a,1,\n1,b,2,\n2,c,1,\n2,,2,d\n3,,1,d\n');
    const first = ingest(mirror, 'account', [file]);
    const state = rows(mirror, 'SELECT * FROM account ORDER BY id');
    const tombs = rows(mirror, 'SELECT * FROM account__tombstones ORDER BY id');
    const second = ingest(mirror, 'account', [file], { batchSize: 2, force: true });
    expect(rows(mirror, 'SELECT * FROM account ORDER BY id')).toEqual(state);
    expect(rows(mirror, 'SELECT * FROM account__tombstones ORDER BY id')).toEqual(tombs);
    expect(first).toMatchObject({ received: 5, inserted: 1, deleted: 0, tombstoned: 2, stale: 2 });
    expect(second).toMatchObject({ received: 5, inserted: 0, updated: 0, deleted: 0, tombstoned: 0 });
    expect(second.files[0]!.batches).toBe(3);
    // Without --force, the same content is recognised and nothing is applied.
    const third = ingest(mirror, 'account', [file]);
    expect(third).toMatchObject({ received: 0, skipped: 5, files: [{ alreadyIngested: true, batches: 0 }] });
  });

  it('opened for reading, a mirror answers queries and refuses writes; one converted for such readers is switched back to WAL by the next writer', () => {
    const { dir, db, mirror } = setup();
    applyChanges(mirror, 'account', [{ id: 1, name: 'a', seq: 1 }]);
    mirror.close();
    // Converted, as the message for a reader who cannot create the -shm file says.
    const conn = new Database(db);
    conn.pragma('journal_mode = DELETE');
    conn.close();
    const files = () => readdirSync(dir).filter((f) => f.startsWith('mirror.db'));
    expect(files()).toEqual(['mirror.db']);
    const reader = openMirror(db, { access: 'read' });
    try {
      expect(reader.writable).toBe(false);
      expect(rows(reader, 'SELECT id, name FROM account')).toEqual([{ id: 1, name: 'a' }]);
      expect(() => applyChanges(reader, 'account', [{ id: 2, name: 'b', seq: 1 }])).toThrow(/attempt to write a readonly database/);
      // Reading created nothing beside the file.
      expect(files()).toEqual(['mirror.db']);
    } finally {
      reader.close();
    }
    const writer = openMirror(db, { access: 'read-if-not-writable' });
    expect(writer.writable).toBe(true);
    expect(writer.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(applyChanges(writer, 'account', [{ id: 2, name: 'b', seq: 1 }])).toMatchObject({ inserted: 1 });
    writer.close();
    // A file that holds no mirror is refused, and left as it was found.
    const other = join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE t (x)');
    expect(() => openMirror(other)).toThrow(/is not an mdl mirror/);
    expect(new Database(other).pragma('journal_mode', { simple: true })).toBe('delete');
  });

  it('a change that is not an object of column values is refused, saying which', () => {
    const { mirror } = setup();
    expect(() => applyChanges(mirror, 'account', [{ id: 1, name: 'a', seq: 1 }, null as never])).toThrow(/^change 2 is not an object of column values \(it is null\); nothing was applied$/);
    expect(() => applyChanges(mirror, 'account', ['x' as never])).toThrow(/^change 1 is not an object of column values \(it is a string\)/);
    expect(rows(mirror, 'SELECT id FROM account')).toEqual([]);
  });

  it('a batch read before mdl vacuum raised the watermark is refused whole, not applied below it', () => {
    const { db, mirror } = setup();
    applyChanges(mirror, 'account', [{ id: 1, seq: 50, _change_request_type: 'd' }]);
    expect(mdl(['vacuum', '--db', db, '--model', 'account', '--below', '60']).status).toBe(0);
    // As an ingest that read its batch before the vacuum: the watermark it saw was none.
    const now = mirror.watermark.bind(mirror);
    let reads = 0;
    mirror.watermark = (model) => (reads++ === 0 ? undefined : now(model));
    expect(() => applyChanges(mirror, 'account', [{ id: 1, name: 'old', seq: 10 }, { id: 2, name: 'new', seq: 70 }])).toThrow(
      /^1 change of this batch of account is below the vacuum watermark 60, set by mdl vacuum at .*; nothing of the batch was applied\. Run it again/,
    );
    expect(rows(mirror, 'SELECT id FROM account')).toEqual([]);
    // Run again, the batch reads the watermark as it is: the old change is rejected, the new one applies.
    expect(applyChanges(mirror, 'account', [{ id: 1, name: 'old', seq: 10 }, { id: 2, name: 'new', seq: 70 }])).toMatchObject({ inserted: 1, rejected: 1 });
    expect(rows(mirror, 'SELECT id FROM account')).toEqual([{ id: 2 }]);
  });

  it('a file read first as the wrong format is read again as the right one: the format is part of what the ledger knows it by', () => {
    const { dir, mirror } = setup();
    const file = join(dir, 'changes.txt');
    writeFileSync(file, 'id,name,seq\n1,a,1\n2,b,1\n');
    // Read as JSON Lines, the header is a line like the others: every line is rejected.
    expect(() => ingest(mirror, 'account', [file])).toThrow(/cannot tell the format of .*changes\.txt/);
    expect(ingest(mirror, 'account', [file], { format: 'jsonl' })).toMatchObject({ received: 3, inserted: 0, rejected: 3 });
    expect(ingest(mirror, 'account', [file], { format: 'jsonl' })).toMatchObject({ received: 0, files: [{ alreadyIngested: true }] });
    expect(ingest(mirror, 'account', [file], { format: 'csv' })).toMatchObject({ received: 2, inserted: 2, files: [{ alreadyIngested: false }] });
    expect(ingest(mirror, 'account', [file], { format: 'csv' })).toMatchObject({ received: 0, files: [{ alreadyIngested: true }] });
    expect(rows(mirror, 'SELECT id, name FROM account ORDER BY id')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
  });

  it('a lone surrogate in a key is rejected, not stored as something else, in one batch or in several', () => {
    const changes = [
      { sensor: 'a\uD800', value: 1, at: '2024-01-01T00:00:00Z' },
      { sensor: 'a\uFFFD', at: '2024-01-02T00:00:00Z', _change_request_type: 'd' },
      { sensor: 'a\uDC00', value: 3, at: '2024-01-03T00:00:00Z' },
    ];
    const state = (m: Mirror) => [
      rows(m, 'SELECT hex(sensor) AS k, value FROM reading ORDER BY 1'),
      rows(m, 'SELECT hex(sensor) AS k FROM reading__tombstones ORDER BY 1'),
    ];
    const together = setup().mirror;
    // SQLite would keep the text as UTF-8 with U+FFFD in the surrogate's place: not the key sent.
    expect(applyChanges(together, 'reading', changes)).toMatchObject({ inserted: 0, tombstoned: 1, rejected: 2 });
    const apart = setup().mirror;
    for (const c of changes) applyChanges(apart, 'reading', [c]);
    expect(state(together)).toEqual(state(apart));
    expect(state(together)[0]).toHaveLength(0);
    expect(rows(together, 'SELECT code, reason FROM _mdl_rejects ORDER BY id')).toEqual([
      { code: 'missing-key', reason: expect.stringMatching(/lone surrogate/) },
      { code: 'missing-key', reason: expect.stringMatching(/lone surrogate/) },
    ]);
  });

  it('a batch also ends at its byte limit, rejects included, and the result is the same', () => {
    const { dir, mirror } = setup();
    const file = join(dir, 'wide.csv');
    const lines = ['id,name,seq'];
    for (let i = 1; i <= 40; i++) lines.push(`${i},${'n'.repeat(200)},${i % 7 === 0 ? 'x' : 1}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const report = ingest(mirror, 'account', [file], { maxBatchBytes: 2_000 });
    expect(report.files[0]!.batches).toBeGreaterThan(4);
    expect(report).toMatchObject({ received: 40, inserted: 35, rejected: 5 });
    expect(rows(mirror, 'SELECT count(*) AS n FROM account')).toEqual([{ n: 35 }]);
    const batches = rows(mirror, 'SELECT received FROM _mdl_batches') as { received: number }[];
    expect(batches.reduce((n, b) => n + b.received, 0)).toBe(40);
    expect(Math.max(...batches.map((b) => b.received))).toBeLessThan(12);
  });
});

describe('property: the mirror depends only on the set of changes', () => {
  type Change = { id: number; seq: number; d: boolean; name: string };
  const change = fc.record({ id: fc.integer({ min: 1, max: 4 }), seq: fc.integer({ min: 1, max: 4 }), d: fc.boolean(), name: fc.constantFrom('a', 'b', 'c') });

  /** The winner per key: greatest version, then delete over upsert, then the greater content. */
  function reference(changes: readonly Change[]): { live: Map<number, Change>; tombs: Map<number, number> } {
    const best = new Map<number, Change>();
    const rank = (c: Change) => [c.seq, c.d ? 1 : 0, c.name] as const;
    for (const c of changes) {
      const b = best.get(c.id);
      const [s1, d1, n1] = rank(c);
      if (!b) best.set(c.id, c);
      else {
        const [s2, d2, n2] = rank(b);
        if (s1 > s2 || (s1 === s2 && (d1 > d2 || (d1 === d2 && JSON.stringify([c.id, n1, s1]) > JSON.stringify([b.id, n2, s2]))))) best.set(c.id, c);
      }
    }
    const live = new Map<number, Change>();
    const tombs = new Map<number, number>();
    for (const [id, c] of best) {
      if (c.d) tombs.set(id, c.seq);
      else live.set(id, c);
    }
    return { live, tombs };
  }

  it('in any order, in any batches, with duplicates; replay changes nothing; counts add up', () => {
    const { mirror } = setup();
    let run = 0;
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 14 }), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (changes, cuts) => {
        run++;
        mirror.db.exec('DELETE FROM account; DELETE FROM account__tombstones;');
        const rows = changes.map((c) => (c.d ? { id: c.id, seq: c.seq, _change_request_type: 'd' } : { id: c.id, name: c.name, seq: c.seq }));
        // Batches of 1 to 5 rows, sizes taken from `cuts` in turn, until every row is applied.
        for (let at = 0, i = 0; at < rows.length; i++) {
          const end = Math.min(rows.length, at + (cuts[i % cuts.length]! % 5) + 1);
          expectAccounted(applyChanges(mirror, 'account', rows.slice(at, end), `run ${run}`));
          at = end;
        }
        const want = reference(changes);
        const live = rows2map(mirror);
        expect(live).toEqual(new Map([...want.live].map(([id, c]) => [id, { name: c.name, seq: c.seq }])));
        expect(new Map((mirror.db.prepare('SELECT id, seq FROM account__tombstones').all() as { id: number; seq: number }[]).map((t) => [t.id, t.seq]))).toEqual(want.tombs);
        const again = applyChanges(mirror, 'account', [...rows].reverse());
        expect(again.inserted + again.updated + again.deleted + again.tombstoned).toBe(0);
        expect(rows2map(mirror)).toEqual(live);
      }),
      { seed: 20261124, numRuns: 150 },
    );
  });

  function rows2map(mirror: Mirror): Map<number, { name: string; seq: number }> {
    return new Map((mirror.db.prepare('SELECT id, name, seq FROM account').all() as { id: number; name: string; seq: number }[]).map((r) => [r.id, { name: r.name, seq: r.seq }]));
  }
});

