/**
 * The stage order, written once: parse each file, check the project as one schema, compile.
 *
 * | stage    | in                  | out                       | file                  |
 * | tokenize | text                | tokens, comments          | syntax/lexer.ts       |
 * | parse    | tokens              | CST                       | syntax/parser.ts      |
 * | to-ast   | CST                 | AST per file              | syntax/to-ast.ts      |
 * | resolve  | ASTs of all files   | IR (names resolved)       | check/resolve.ts      |
 * | check    | IR                  | diagnostics               | check/*.ts            |
 * | compile  | IR (no errors)      | SQL statements and script | compile/sqlite.ts     |
 *
 * Pure: sources in, results out; reading files is project.ts's job.
 */

import type { SourceFile } from './source.js';
import { Diagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import { parseSource } from './syntax/parse.js';
import { check } from './check/check.js';
import { compileSqlite, renderSqlite, type SqliteProgram } from './compile/sqlite.js';
import type { SourceUnit } from './syntax/ast.js';
import type { Schema } from './ir.js';

export interface CheckResult {
  readonly schema: Schema;
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
}

export interface CompileResult extends CheckResult {
  /** Present exactly when ok. */
  readonly program?: SqliteProgram;
  /** The whole script; present exactly when ok. */
  readonly sql?: string;
}

export function parseAll(sources: readonly SourceFile[], diagnostics: Diagnostics): SourceUnit[] {
  return sources.map((s) => parseSource(s, diagnostics).ast);
}

export function checkSources(sources: readonly SourceFile[], into = new Diagnostics()): CheckResult {
  const units = parseAll(sources, into);
  const schema = check(units, into);
  return { schema, diagnostics: into.items, ok: !into.hasErrors() };
}

export function compileSources(sources: readonly SourceFile[], into = new Diagnostics()): CompileResult {
  const checked = checkSources(sources, into);
  if (!checked.ok) return checked;
  const program = compileSqlite(checked.schema);
  return { ...checked, program, sql: renderSqlite(checked.schema, program) };
}
