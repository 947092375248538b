/**
 * Shared by the end-to-end tests: run the real `mdl` binary as a user would.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

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
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, env, encoding: 'utf8' });
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
 */
export function applyBatch(
  db: import('better-sqlite3').Database,
  apply: import('../src/index.js').ApplyStatements,
  rows: readonly (readonly unknown[])[],
): Record<string, number> {
  const stage = db.prepare(apply.insertStage);
  const counts: Record<string, number> = {};
  db.transaction(() => {
    rows.forEach((row, i) => stage.run(i + 1, ...row));
    for (const step of apply.steps) db.prepare(step.sql).run();
    for (const r of db.prepare(apply.count).all() as { outcome: string; rows: number | bigint }[]) counts[r.outcome] = Number(r.rows);
    db.prepare(apply.clear).run();
  })();
  return counts;
}
