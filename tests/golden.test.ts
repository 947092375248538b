/**
 * The golden runner: every example project and every case under tests/cases is compiled, and the
 * result compared with the expected output committed beside it.
 *
 *   examples/<name>/             a project (all .mdl files below it) -> expected/schema.sql
 *   tests/cases/<group>/<x>.mdl  one file                            -> <x>.sql or <x>.errors.txt
 *   tests/cases/<group>/<x>/     a multi-file project                -> <x>.sql or <x>.errors.txt
 *
 * `npm run golden:accept` writes what is produced now; CI never writes. A golden that no case
 * produces any more fails, and every .sql golden is executed in SQLite (twice: compiled output
 * must be safe to run again).
 */

import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { compileProject, formatDiagnostics, type SqliteProgram } from '../src/index.js';

const root = join(import.meta.dirname, '..');
const accept = process.env['MDL_ACCEPT'] === '1' && process.env['CI'] !== 'true';

function rel(p: string): string {
  return relative(root, p).split('\\').join('/');
}

/** Compile with paths relative to the repository, so goldens read the same everywhere. */
function compileAt(path: string) {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    return compileProject([rel(path)]);
  } finally {
    process.chdir(cwd);
  }
}

function compare(file: string, actual: string): void {
  if (accept) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `${rel(file)} is missing; run npm run golden:accept`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/**
 * Runs the script twice (it must be idempotent), then prepares the statements the script shows
 * only as comments because they take parameters: each model's staging statements.
 */
export function executeTwice(sql: string, program?: SqliteProgram): void {
  const db = new Database(':memory:');
  try {
    db.exec(sql);
    db.exec(sql);
    for (const m of program?.models ?? []) {
      db.prepare(m.apply.insertStage);
      db.prepare(m.apply.insertClassifiedRows(1));
      db.prepare(m.apply.insertClassifiedRows(3));
    }
  } finally {
    db.close();
  }
}

function errorsText(result: ReturnType<typeof compileProject>): string {
  return formatDiagnostics(result.diagnostics, result.sources, 'plain');
}

const examplesDir = join(root, 'examples');
const examples = existsSync(examplesDir)
  ? readdirSync(examplesDir).filter((d) => statSync(join(examplesDir, d)).isDirectory())
  : [];

describe('examples compile to their expected SQL', () => {
  it.each(examples)('%s', (name) => {
    const result = compileAt(join(examplesDir, name));
    expect(result.diagnostics.filter((d) => d.severity === 'error'), errorsText(result)).toEqual([]);
    const sql = result.sql!;
    compare(join(examplesDir, name, 'expected', 'schema.sql'), sql);
    executeTwice(sql, result.program);
  });
});

interface Case {
  readonly input: string;
  readonly base: string;
}

/** tests/cases/<group>/<case>.mdl is a one-file case; tests/cases/<group>/<case>/ a project. */
function findCases(dir: string): Case[] {
  const out: Case[] = [];
  for (const group of readdirSync(dir).sort()) {
    const g = join(dir, group);
    if (!statSync(g).isDirectory()) continue;
    for (const entry of readdirSync(g).sort()) {
      const p = join(g, entry);
      if (statSync(p).isDirectory()) out.push({ input: p, base: p });
      else if (entry.endsWith('.mdl')) out.push({ input: p, base: p.slice(0, -'.mdl'.length) });
    }
  }
  return out;
}

const casesDir = join(root, 'tests', 'cases');
const cases = findCases(casesDir);

describe('cases produce their expected SQL or errors', () => {
  it.each(cases.map((c) => [rel(c.input), c] as const))('%s', (_name, c) => {
    const result = compileAt(c.input);
    const sqlFile = `${c.base}.sql`;
    const errorsFile = `${c.base}.errors.txt`;
    if (result.ok) {
      compare(sqlFile, result.sql!);
      if (accept && existsSync(errorsFile)) unlinkSync(errorsFile);
      expect(existsSync(errorsFile), `${rel(errorsFile)} is stale: the case compiles now`).toBe(false);
      executeTwice(result.sql!, result.program);
      // Warnings have a baseline too, so that a warning that appears or disappears is noticed.
      const warningsFile = `${c.base}.warnings.txt`;
      if (result.diagnostics.length > 0) compare(warningsFile, errorsText(result));
      else {
        if (accept && existsSync(warningsFile)) unlinkSync(warningsFile);
        expect(existsSync(warningsFile), `${rel(warningsFile)} is stale: the case has no warnings now`).toBe(false);
      }
    } else {
      compare(errorsFile, errorsText(result));
      if (accept && existsSync(sqlFile)) unlinkSync(sqlFile);
      expect(existsSync(sqlFile), `${rel(sqlFile)} is stale: the case has errors now`).toBe(false);
    }
  });
});

describe('every golden file is produced by a case', () => {
  it('has no orphaned expected output', () => {
    const known = new Set(cases.map((c) => c.base));
    const orphans: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const p = join(dir, entry);
        if (statSync(p).isDirectory()) walk(p);
        else {
          const m = /^(.*)\.(sql|errors\.txt|warnings\.txt)$/.exec(p);
          if (m && !known.has(m[1]!)) orphans.push(rel(p));
        }
      }
    };
    walk(casesDir);
    expect(orphans).toEqual([]);
  });
});
