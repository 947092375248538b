/**
 * Shared by the end-to-end tests: run the real `mdl` binary as a user would.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StoredValue } from '../src/ingest/convert.js';
import { BatchReader } from '../src/mirror/batch.js';
import { BatchBuilder } from '../src/mirror/within-batch.js';

export const root = join(import.meta.dirname, '..');
export const bin = join(root, 'bin', 'mdl.js');

export interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function mdl(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  delete env['FORCE_COLOR'];
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary project folder holding the given files. */
export function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mdl-test-'));
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

/**
 * Apply one batch with a model's generated statements, as the runtime does: stage the rows,
 * run the steps in one transaction, read the counts, clear the stage. Each row is
 * [op (0 upsert, 1 delete), ...values in the order of apply.stageColumns].
 *
 * `settled` drives them as the runtime does for a large batch: the changes are first settled
 * within the batch in JavaScript and encoded (BatchBuilder), then decoded for staging; a batch left with one change per key is then
 * staged and classified in one statement and runs only the write steps.
 */
export function applyBatch(
  db: import('better-sqlite3').Database,
  apply: import('../src/index.js').ApplyStatements,
  rows: readonly (readonly unknown[])[],
  how: { settled?: { keyIndexes: readonly number[]; versionIndex: number } } = {},
): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (k: string, n: number) => {
    if (n > 0) counts[k] = (counts[k] ?? 0) + n;
  };
  let staged = rows;
  let classified = false;
  if (how.settled) {
    const builder = new BatchBuilder(apply.stageColumns.length, how.settled.keyIndexes, how.settled.versionIndex);
    for (const [op, ...values] of rows) builder.add(op as number, values as StoredValue[]);
    const s = builder.finish();
    add('duplicate', s.duplicate);
    add('stale', s.stale);
    staged = BatchReader.rows(s);
    classified = !s.repeats;
  }
  const stage = db.prepare(classified ? apply.insertClassifiedRows(1) : apply.insertStage);
  db.transaction(() => {
    staged.forEach((row, i) => stage.run(i + 1, ...row));
    for (const step of apply.steps) if (!classified || step.phase === 'write' || step.phase === 'history') db.prepare(step.sql).run();
    for (const [outcome, n] of Object.entries(db.prepare(apply.count).get() as Record<string, number | bigint>)) add(outcome, Number(n));
    db.prepare(apply.clear).run();
  })();
  return counts;
}
