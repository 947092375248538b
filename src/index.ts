/**
 * mdl's public API.
 *
 *   import { checkText, compileProject } from 'mdl';
 *
 * Everything here is pure except the *Project functions, which read .mdl files from disk.
 */

import type { SourceFile } from './source.js';
import { checkSources, compileSources, type CheckResult, type CompileResult } from './pipeline.js';
import { loadProject } from './project.js';
import { renderDiagnostics, type RenderMode } from './diagnostics/render.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';

export type { SourceFile, Span, Position } from './source.js';
export type { Diagnostic } from './diagnostics/diagnostic.js';
export type { Severity } from './diagnostics/codes.js';
export { Codes } from './diagnostics/codes.js';
export type { JsonDiagnostic, RenderMode } from './diagnostics/render.js';
export type * from './ir.js';
export type { CheckResult, CompileResult } from './pipeline.js';
export type { SqliteProgram, ModelSql } from './compile/sqlite.js';
export type { ApplyStatements, Outcome } from './compile/apply.js';
export { checkSources, compileSources } from './pipeline.js';
export { parseSource } from './syntax/parse.js';
export { Diagnostics } from './diagnostics/diagnostic.js';
export { loadProject } from './project.js';
export { canonicalTimestamp, canonicalDate, canonicalDecimal } from './values.js';

/** Check one piece of .mdl text (named `path` in messages). */
export function checkText(text: string, path = 'input.mdl'): CheckResult {
  return checkSources([{ path, text }]);
}

/** Compile one piece of .mdl text to SQLite. */
export function compileText(text: string, path = 'input.mdl'): CompileResult {
  return compileSources([{ path, text }]);
}

/** Check every .mdl file below the given paths as one schema. */
export function checkProject(paths: readonly string[]): CheckResult & { sources: SourceFile[] } {
  const loaded = loadProject(paths);
  const result = checkSources(loaded.sources, loaded.diagnostics);
  return { ...result, sources: loaded.sources };
}

/** Compile every .mdl file below the given paths to SQLite. */
export function compileProject(paths: readonly string[]): CompileResult & { sources: SourceFile[] } {
  const loaded = loadProject(paths);
  const result = compileSources(loaded.sources, loaded.diagnostics);
  return { ...result, sources: loaded.sources };
}

/** Diagnostics as text: pretty (colour), plain, or json. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], sources: readonly SourceFile[], mode: RenderMode = 'plain'): string {
  return renderDiagnostics(diagnostics, new Map(sources.map((s) => [s.path, s])), mode);
}
