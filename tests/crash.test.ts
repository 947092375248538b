/**
 * Crash safety and resumable ingest: `mdl ingest` of a file of many batches is killed with
 * SIGKILL, at random moments and just before and after a commit, then run again. Each time the
 * mirror ends equal to an uninterrupted run, SQLite's integrity check is ok, and the ledger holds
 * every batch of the file exactly once. Running a completed ingest again applies nothing;
 * --force applies it all again, which changes nothing.
 */

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mdl, project, root } from './helpers.js';

const MODEL = `CREATE MODEL item (
  id     BIGINT NOT NULL PRIMARY KEY,
  label  STRING,
  price  DECIMAL(10, 2),
  seq    BIGINT NOT NULL VERSION
);`;

const ROWS = 40_000;
const KEYS = 8_000;
const BATCH = 1_000;

/** A deterministic change file: versions of each key, some late, some deletes, some duplicates, some bad rows. */
function changeFile(path: string): void {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const next = new Array<number>(KEYS).fill(0);
  const lines = ['id,label,price,seq,_change_request_type'];
  const late: string[] = [];
  while (lines.length + late.length <= ROWS) {
    const k = Math.floor(rnd() * KEYS);
    const v = ++next[k]!;
    const r = rnd();
    const line = r < 0.1 ? `${k},,,${v},d` : r < 0.12 ? `${k},bad,not-a-number,${v},` : `${k},"item ${k}, v${v}",${(rnd() * 1000).toFixed(2)},${v},`;
    if (rnd() < 0.15) late.push(line);
    else lines.push(line);
    if (rnd() < 0.02) lines.push(line);
    if (late.length > 500) lines.push(late.splice(Math.floor(rnd() * late.length), 1)[0]!);
  }
  lines.push(...late);
  writeFileSync(path, lines.slice(0, ROWS + 1).join('\n') + '\n');
}

function mirror(dir: string, name: string): string {
  const db = join(dir, name);
  expect(mdl(['push', join(dir, 'models'), '--db', db]).status).toBe(0);
  return db;
}

const ingestArgs = (db: string, file: string, extra: string[] = []) => [join(root, 'bin', 'mdl.js'), 'ingest', '--db', db, '--model', 'item', '--batch-size', String(BATCH), ...extra, file];

/** What must be equal after any crash and rerun: the rows, the tombstones, the rejects, the ledger's batches. */
function state(db: string) {
  const conn = new Database(db, { readonly: true });
  try {
    return {
      integrity: conn.pragma('integrity_check', { simple: true }),
      rows: conn.prepare('SELECT * FROM item ORDER BY id').all(),
      tombstones: conn.prepare('SELECT * FROM item__tombstones ORDER BY id').all(),
      rejects: conn.prepare('SELECT line, record, code FROM _mdl_rejects ORDER BY line').all(),
      batches: conn
        .prepare('SELECT first_record, last_record, file_done, received, rejected FROM _mdl_batches ORDER BY first_record, id')
        .all(),
    };
  } finally {
    conn.close();
  }
}

/** Starts an ingest and kills it with SIGKILL after `ms` (or lets a failpoint kill it); resolves when it is gone. */
function killed(args: string[], ms: number | undefined, env: Record<string, string> = {}): Promise<{ signal: NodeJS.Signals | null; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, ...env } });
    const timer = ms === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('crash safety and resumable ingest', () => {
  it('a SIGKILL at any moment, then the same command again: the mirror of an uninterrupted run, each batch once', { timeout: 300_000 }, async () => {
    const dir = project({ 'models/m.mdl': MODEL });
    const file = join(dir, 'changes.csv');
    changeFile(file);

    // The uninterrupted run, and how long it takes.
    const reference = mirror(dir, 'reference.db');
    const t0 = Date.now();
    expect(spawnSync(process.execPath, ingestArgs(reference, file)).status).toBe(0);
    const duration = Date.now() - t0;
    const expected = state(reference);
    expect(expected.integrity).toBe('ok');
    expect(expected.batches).toHaveLength(ROWS / BATCH);

    // Kills: at the boundaries of a commit (failpoints), and at random moments across the run.
    const plans: { ms?: number; failpoint?: string }[] = [
      { failpoint: 'before-commit:1' },
      { failpoint: 'after-commit:1' },
      { failpoint: 'before-commit:17' },
      { failpoint: 'after-commit:17' },
      { failpoint: 'before-commit:40' },
      { failpoint: 'after-commit:39' },
    ];
    let seed = 11;
    for (let i = 0; i < 24; i++) {
      seed = (seed * 48271) % 2147483647;
      plans.push({ ms: (seed / 2147483647) * 0.95 });
    }
    let interrupted = 0;
    let runTime = duration;
    for (const [n, plan] of plans.entries()) {
      const db = mirror(dir, `run-${n}.db`);
      const env: Record<string, string> = plan.failpoint ? { MDL_FAILPOINT: plan.failpoint } : {};
      // A random moment of the run: a share of how long a run takes. The machine may be faster
      // than when it was measured: a run that finished first is run again, killed sooner.
      let first = await killed(ingestArgs(db, file), plan.ms === undefined ? undefined : Math.floor(plan.ms * runTime), env);
      for (let tries = 0; first.signal !== 'SIGKILL' && plan.ms !== undefined && tries < 5; tries++) {
        runTime /= 2;
        for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
        mirror(dir, `run-${n}.db`);
        first = await killed(ingestArgs(db, file), Math.floor(plan.ms * runTime), env);
      }
      if (first.signal === 'SIGKILL') interrupted++;
      const again = spawnSync(process.execPath, ingestArgs(db, file), { encoding: 'utf8' });
      expect(again.status, again.stderr).toBe(0);
      const got = state(db);
      expect(got.integrity).toBe('ok');
      expect(got.rows).toEqual(expected.rows);
      expect(got.tombstones).toEqual(expected.tombstones);
      expect(got.rejects).toEqual(expected.rejects);
      // Every batch exactly once, at the same places as in the uninterrupted run.
      expect(got.batches).toEqual(expected.batches);
    }
    expect(interrupted).toBe(plans.length);
  });

  it('a completed ingest run again applies nothing; --force applies it again and changes nothing', () => {
    const dir = project({ 'models/m.mdl': MODEL });
    const file = join(dir, 'changes.csv');
    changeFile(file);
    const db = mirror(dir, 'm.db');
    expect(spawnSync(process.execPath, ingestArgs(db, file)).status).toBe(0);
    const before = state(db);
    const again = spawnSync(process.execPath, ingestArgs(db, file), { encoding: 'utf8' });
    expect(again.stdout).toContain('ingested before (the same content, read as the same format), nothing applied again');
    expect(state(db)).toEqual(before);
    // The same content under another name is the same file.
    const copy = join(dir, 'copy.csv');
    copyFileSync(file, copy);
    expect(spawnSync(process.execPath, ingestArgs(db, copy), { encoding: 'utf8' }).stdout).toContain('nothing applied again');
    const forced = spawnSync(process.execPath, ingestArgs(db, file, ['--force']), { encoding: 'utf8' });
    expect(forced.status).toBe(0);
    expect(forced.stdout).toMatch(/^item: 40,000 received: 0 inserted, 0 updated, 0 deleted, 0 tombstoned, [\d,]+ stale, [\d,]+ duplicate, [\d,]+ rejected\n$/);
    const after = state(db);
    expect(after.rows).toEqual(before.rows);
    expect(after.tombstones).toEqual(before.tombstones);
    expect(after.batches).toHaveLength(2 * before.batches.length);
  });
});
