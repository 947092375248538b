/**
 * Several processes at once on one mirror: two and four `mdl ingest` processes on different files
 * finish without a busy error reaching anyone and leave the state of one process applying every
 * file; a REPL reading during the ingests only ever sees whole batches.
 */

import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mdl, project, root } from './helpers.js';

const MODEL = 'CREATE MODEL item (id BIGINT NOT NULL PRIMARY KEY, label STRING, seq BIGINT NOT NULL VERSION);';
const BATCH = 500;
const QUERIES = 3000;

/** File f: changes to keys shared with the other files, at versions no other file uses, some deletes. */
function contended(path: string, f: number, rows: number): void {
  const lines = ['id,label,seq,_change_request_type'];
  for (let i = 0; i < rows; i++) {
    const key = (i * 7 + f * 13) % 3000;
    const seq = i * 4 + f; // distinct across files: the winner per key is never a tie
    lines.push(i % 11 === 0 ? `${key},,${seq},d` : `${key},file ${f} row ${i},${seq},`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** File f: inserts of keys of its own. */
function inserts(path: string, f: number, rows: number): void {
  const lines = ['id,label,seq'];
  for (let i = 0; i < rows; i++) lines.push(`${f * 1_000_000 + i},row ${i},1`);
  writeFileSync(path, lines.join('\n') + '\n');
}

function ingestProcess(db: string, files: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'mdl.js'), 'ingest', '--db', db, '--model', 'item', '--batch-size', String(BATCH), ...files], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

function contents(db: string) {
  const conn = new Database(db, { readonly: true });
  try {
    return {
      rows: conn.prepare('SELECT * FROM item ORDER BY id').all(),
      tombstones: conn.prepare('SELECT * FROM item__tombstones ORDER BY id').all(),
      integrity: conn.pragma('integrity_check', { simple: true }),
    };
  } finally {
    conn.close();
  }
}

describe('several processes on one mirror', () => {
  it('two and four ingests at once: no busy error, and the state of one process applying every file', { timeout: 120_000 }, async () => {
    const dir = project({ 'models/m.mdl': MODEL });
    const files = [0, 1, 2, 3].map((f) => {
      const path = join(dir, `f${f}.csv`);
      contended(path, f, 12_000);
      return path;
    });
    const push = (name: string) => {
      const db = join(dir, name);
      expect(mdl(['push', join(dir, 'models'), '--db', db]).status).toBe(0);
      return db;
    };
    const reference = push('reference.db');
    expect(spawnSync(process.execPath, [join(root, 'bin', 'mdl.js'), 'ingest', '--db', reference, '--model', 'item', ...files]).status).toBe(0);
    const expected = contents(reference);

    for (const groups of [[files.slice(0, 2), files.slice(2)], files.map((f) => [f])]) {
      const db = push(`together-${groups.length}.db`);
      const runs = await Promise.all(groups.map((g) => ingestProcess(db, g)));
      for (const r of runs) {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
      }
      expect(contents(db)).toEqual(expected);
    }
  });

  it('an ingest waits out a writer that keeps the lock longer than SQLite waits, and then applies', { timeout: 60_000 }, async () => {
    const dir = project({ 'models/m.mdl': MODEL });
    const db = join(dir, 'm.db');
    expect(mdl(['push', join(dir, 'models'), '--db', db]).status).toBe(0);
    const file = join(dir, 'i.csv');
    inserts(file, 0, 1_000);
    // Another process holds the write lock for 6.5 s: past SQLite's own 5 s wait, so only the
    // retries with backoff get the batch in.
    const holder = spawn(
      process.execPath,
      ['-e', `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(db)}); d.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => { d.exec('COMMIT'); d.close(); }, 6500);`],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const started = Date.now();
    const run = await ingestProcess(db, [file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(Date.now() - started).toBeGreaterThan(5_000);
    expect(contents(db).rows).toHaveLength(1_000);
  });

  it('a REPL reading during the ingests sees only whole batches', { timeout: 120_000 }, async () => {
    const dir = project({ 'models/m.mdl': MODEL });
    const db = join(dir, 'm.db');
    expect(mdl(['push', join(dir, 'models'), '--db', db]).status).toBe(0);
    const files = [0, 1, 2, 3].map((f) => {
      const path = join(dir, `i${f}.csv`);
      inserts(path, f, 30_000);
      return path;
    });
    // The reader and the writers start together; the reader queries the whole time they write.
    const check = `SELECT (SELECT count(*) FROM item) AS rows, (SELECT coalesce(sum(inserted), 0) FROM _mdl_batches) AS ledger;`;
    const script = ['.mode csv', ...Array.from({ length: QUERIES }, () => check)].join('\n');
    const repl = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(root, 'bin', 'mdl.js'), 'repl', '--db', db]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(script);
    });
    const runs = await Promise.all(files.map((f) => ingestProcess(db, [f])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const read = await repl;
    expect(read.code, read.stderr).toBe(0);
    const seen = read.stdout
      .split('\n')
      .filter((l) => /^\d+,\d+$/.test(l))
      .map((l) => l.split(',').map(Number) as [number, number]);
    expect(seen).toHaveLength(QUERIES);
    for (const [rows, ledger] of seen) {
      expect(rows).toBe(ledger);
      expect(rows % BATCH).toBe(0);
    }
    // The reader ran while the ingests did: it saw the mirror part way, not only before or after.
    expect(seen.some(([rows]) => rows > 0 && rows < 120_000), JSON.stringify([seen[0], seen.at(-1)])).toBe(true);
    expect(contents(db).rows).toHaveLength(120_000);
  });
});
