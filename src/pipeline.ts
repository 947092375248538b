/**
 * The stage order, written once: parse each file, check the project as one schema, compile.
 *
 * | stage    | in                  | out                       | file                         |
 * | (direct) | text of a correct   | IR models, unchecked      | check/direct.ts: parse and   |
 * |          | file                |                           | resolve in one, no AST       |
 * | parse    | text                | AST per file              | syntax/parse.ts: the fast    |
 * |          |                     |                           | path, or on a mistake        |
 * |          |                     |                           | lexer.ts, parser.ts (CST),   |
 * |          |                     |                           | to-ast.ts (Chevrotain)       |
 * | resolve  | each file's AST     | IR (names resolved)       | check/resolve.ts             |
 * | check    | IR                  | diagnostics               | check/*.ts                   |
 * | compile  | IR (no errors)      | SQL statements and script | compile/sqlite.ts            |
 *
 * Files are parsed and resolved one at a time, in path order, so that each AST can be dropped
 * once resolved. Pure: sources in, results out; reading files is project.ts's job.
 */

import type { SourceFile } from './source.js';
import { Diagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import { parseSource } from './syntax/parse.js';
import { checkRules } from './check/check.js';
import { Resolver } from './check/resolve.js';
import { resolveDirect } from './check/direct.js';
import { compileSqlite, renderSqlite, type SqliteProgram } from './compile/sqlite.js';
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

export function checkSources(sources: readonly SourceFile[], into = new Diagnostics()): CheckResult {
  // File by file, in path order. A correct file goes straight from text to resolved models (the
  // direct path); any other is parsed, and its AST resolved as soon as it is parsed and dropped,
  // so a large project never holds every file's tree at once.
  const resolver = new Resolver(into);
  for (const source of [...sources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const drafts = resolveDirect(source.path, source.text);
    if (drafts) resolver.addDrafts(drafts);
    else resolver.add(parseSource(source, into).ast);
  }
  const schema = checkRules(resolver.finish(), into);
  return { schema, diagnostics: into.items, ok: !into.hasErrors() };
}

export function compileSources(sources: readonly SourceFile[], into = new Diagnostics()): CompileResult {
  const checked = checkSources(sources, into);
  if (!checked.ok) return checked;
  const program = compileSqlite(checked.schema);
  return { ...checked, program, sql: renderSqlite(checked.schema, program) };
}
