/**
 * Faults of the machine, not of the input: a read-only mirror, a missing file, a full disk (a
 * file size limit), a mirror locked by another process. Each gives one clear line and exit 1,
 * and leaves the mirror as it was.
 */

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mdl, project, root } from './helpers.js';

const MODEL = 'CREATE MODEL item (id BIGINT NOT NULL PRIMARY KEY, label STRING, seq BIGINT NOT NULL VERSION);';
const BIN = join(root, 'bin', 'mdl.js');

function setup(rows = 20_000) {
  const dir = project({ 'models/m.mdl': MODEL });
  const db = join(dir, 'm.db');
  expect(mdl(['push', join(dir, 'models'), '--db', db]).status).toBe(0);
  const file = join(dir, 'changes.csv');
  const lines = ['id,label,seq'];
  for (let i = 0; i < rows; i++) lines.push(`${i},"a label long enough to fill pages ${'x'.repeat(40)}",1`);
  writeFileSync(file, lines.join('\n') + '\n');
  return { dir, db, file };
}

/** The mirror as a reader sees it: every table's rows. */
function snapshot(db: string): string {
  const conn = new Database(db, { readonly: true });
  try {
    const hash = createHash('sha256');
    const tables = conn.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[];
    for (const { name } of tables) hash.update(name + JSON.stringify(conn.prepare(`SELECT * FROM "${name}"`).raw(true).all()));
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
    return hash.digest('hex');
  } finally {
    conn.close();
  }
}

/** One line, saying `what`, on stderr; nothing on stdout; exit 1. */
function oneLine(r: { status: number | null; stdout: string; stderr: string }, what: RegExp): void {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
  expect(r.stderr).toMatch(what);
}

describe('faults of the machine', () => {
  it('a read-only mirror: a write refused in one line, unchanged; queries answered once it is readable without writing', () => {
    const { dir, db, file } = setup(100);
    expect(mdl(['ingest', '--db', db, '--model', 'item', file]).status).toBe(0);
    const before = snapshot(db);
    // Root writes to any file: the command runs as nobody then, for whom the mirror is read-only.
    const asNobody = process.getuid?.() === 0;
    const run = (args: string[], input?: string) =>
      spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, ...(asNobody ? { uid: 65534, gid: 65534 } : {}) });
    const readOnly = (check: () => void) => {
      chmodSync(db, 0o444);
      chmodSync(dir, 0o555);
      try {
        check();
      } finally {
        chmodSync(dir, 0o755);
        chmodSync(db, 0o644);
      }
    };
    const changes = join(dir, '..', 'more.csv');
    writeFileSync(changes, 'id,label,seq\n1000,new,1\n');
    // At rest, as the last writer leaves it (a read-only connection, as the snapshot's, leaves its
    // -shm file behind, through which a reader could read).
    const last = new Database(db);
    last.prepare('SELECT count(*) FROM sqlite_master').get();
    last.close();
    expect(readdirSync(dir).filter((f) => f.startsWith('m.db'))).toEqual(['m.db']);
    readOnly(() => {
      oneLine(run(['ingest', '--db', db, '--model', 'item', changes]), /^mdl ingest: the mirror cannot be written: its file or folder is read-only \(SQLite: .*\); nothing was changed$/m);
      // A mirror is a WAL database: with no writer about, reading it needs its -shm file made,
      // which this user cannot. One line says so, and what to do.
      oneLine(run(['sql', '--db', db, '-e', 'SELECT 1']), /^mdl sql: cannot read .*m\.db: SQLite reads a mirror \(a WAL database\) only with .*PRAGMA journal_mode = DELETE/m);
    });
    expect(snapshot(db)).toBe(before);
    // Converted as the message says, it is read without writing.
    const conn = new Database(db);
    conn.pragma('journal_mode = DELETE');
    conn.close();
    readOnly(() => {
      oneLine(run(['sql', '--db', db, '-e', `INSERT INTO item (id, seq) VALUES (1000, 1)`]), /^mdl sql: the mirror cannot be written: its file or folder is read-only/);
      oneLine(run(['sql', '--db', db, '-e', `DELETE FROM item WHERE id = 1`]), /^mdl sql: the mirror cannot be written: its file or folder is read-only/);
      // A dry run writes nothing, so needs no write access.
      const dry = run(['sql', '--db', db, '--dry-run', '-e', `INSERT INTO item (id, seq) VALUES (1000, 1), (1, 1)`]);
      expect([dry.status, dry.stdout, dry.stderr]).toEqual([0, 'item: 2 received: 1 inserted, 1 updated, 0 deleted, 0 tombstoned, 0 stale, 0 duplicate, 0 rejected (dry run: nothing applied)\n', '']);
      const select = run(['sql', '--db', db, '--format', 'csv', '-e', 'SELECT count(*) AS n FROM item']);
      expect([select.status, select.stdout, select.stderr]).toEqual([0, 'n\n100\n', '']);
      const integrity = run(['integrity', '--db', db]);
      expect([integrity.status, integrity.stderr]).toEqual([0, '']);
      const repl = run(['repl', '--db', db], 'SELECT max(id) AS top FROM item;\n');
      expect([repl.status, repl.stderr]).toEqual([0, '']);
      expect(repl.stdout).toContain('99');
    });
    expect(readdirSync(dir).filter((f) => f.startsWith('m.db'))).toEqual(['m.db']);
    expect(snapshot(db)).toBe(before);
    // The next writer switches it back to WAL.
    expect(mdl(['ingest', '--db', db, '--model', 'item', changes]).status).toBe(0);
    const after = new Database(db, { readonly: true });
    expect(after.pragma('journal_mode', { simple: true })).toBe('wal');
    after.close();
  });

  it('a missing mirror or change file: one line, nothing created or applied', () => {
    const { dir, db, file } = setup(100);
    const before = snapshot(db);
    oneLine(mdl(['ingest', '--db', join(dir, 'nope.db'), '--model', 'item', file]), /^mdl ingest: cannot open .*nope\.db.*; create a mirror with mdl push$/m);
    oneLine(mdl(['ingest', '--db', db, '--model', 'item', join(dir, 'nope.csv')]), /^mdl ingest: cannot read .*nope\.csv.*nothing was applied$/m);
    oneLine(mdl(['sql', '--db', join(dir, 'nope.db'), '-e', 'SELECT 1']), /^mdl sql: cannot open .*nope\.db/m);
    expect(snapshot(db)).toBe(before);
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout).not.toContain('nope.db');
  });

  it('a full disk (a file size limit): one line, the batch rolled back, the mirror still sound and usable', () => {
    const { db, file } = setup();
    const before = snapshot(db);
    // A file may not grow past 256 KiB: the batch's writes fail part way. SIGXFSZ is ignored,
    // as a daemon would, so that the write fails instead of the process being killed.
    const r = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 256; exec "${process.execPath}" "${BIN}" ingest --db "${db}" --model item "${file}"`], {
      encoding: 'utf8',
    });
    oneLine(r, /^mdl ingest: (the disk is full|reading or writing the mirror failed: a full disk, a file size limit or a failing device) \(SQLite: .*\)/);
    expect(snapshot(db)).toBe(before);
    // Once there is room, the same command applies the file.
    const again = mdl(['ingest', '--db', db, '--model', 'item', file]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('20,000 inserted');
  });

  it('a mirror locked by another process: waits, then one line; the mirror unchanged', async () => {
    const { dir, db, file } = setup(100);
    const before = snapshot(db);
    // Another process takes the write lock and keeps it.
    const holder = spawn(
      process.execPath,
      ['-e', `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(db)}); d.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => {}, 60000);`],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const started = Date.now();
      const r = spawnSync(process.execPath, [BIN, 'ingest', '--db', db, '--model', 'item', file], {
        encoding: 'utf8',
        env: { ...process.env, MDL_LOCK_WAIT_MS: '1500' },
      });
      oneLine(r, /^mdl ingest: the mirror is locked by another process \(SQLite: database is locked\); nothing more was applied, try again when it is done$/m);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      // Every command that writes waits for the lock as ingest does, then says so in one line.
      for (const args of [
        ['sql', '--db', db, '-e', 'DELETE FROM item WHERE id = 1'],
        ['push', join(dir, 'models'), '--db', db],
        ['vacuum', '--db', db, '--model', 'item', '--below', '1'],
      ]) {
        const t0 = Date.now();
        const w = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, MDL_LOCK_WAIT_MS: '1500' } });
        oneLine(w, new RegExp(`^mdl ${args[0]}: the mirror is locked by another process`, 'm'));
        expect(Date.now() - t0, args.join(' ')).toBeGreaterThanOrEqual(1500);
      }
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(snapshot(db)).toBe(before);
    expect(readFileSync(file, 'utf8').length).toBeGreaterThan(0);
  });
});
