/**
 * mdl's public API.
 *
 *   import { checkText, compileProject } from 'mdl';
 *
 * Everything here is pure except the *Project functions, which read .mdl files from disk, and
 * the mirror functions, which read and write a SQLite mirror database.
 */

import type { SourceFile } from './source.js';
import { checkSources, compileSources, type CheckResult, type CompileResult } from './pipeline.js';
import { loadProject } from './project.js';
import { renderDiagnostics, type RenderMode } from './diagnostics/render.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import { Mirror, MirrorError, type BatchReport, type RejectRow } from './mirror/mirror.js';
import { push, type PushReport } from './mirror/push.js';
import { ingestFiles, type IngestOptions, type IngestReport } from './ingest/ingest.js';
import { objectChanges, type ChangeObject } from './mirror/changes.js';
import { batchBuilder, convertChange, isRejected, rowShape } from './mirror/rows.js';
import type { StoredValue } from './ingest/convert.js';

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
export { Mirror, MirrorError, type BatchReport } from './mirror/mirror.js';
export { PushRefused, type PushReport } from './mirror/push.js';
export type { IngestReport, IngestOptions, IngestFormat, IngestProgress } from './ingest/ingest.js';
export type { ChangeObject } from './mirror/changes.js';
export { runSql, SqlRefused, SqlFailed, type SqlOutcome } from './ingest/sql.js';
export { HygieneRefused, type HygieneReport } from './mirror/hygiene.js';
export { keyHistory, historyAsOf, type HistoryRow } from './mirror/history.js';
export { formatSource } from './format/format.js';
export { renderMermaid, renderDot } from './diagram/diagram.js';

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

/**
 * Open the mirror in `file` (see Mirror.open); with `create`, a missing file becomes an empty one.
 * `access: 'read'` opens it for queries only; 'read-if-not-writable' does when it cannot be written.
 */
export function openMirror(file: string, options: Parameters<typeof Mirror.open>[1] = {}): Mirror {
  return Mirror.open(file, options);
}

/**
 * Make the mirror hold the models below `paths` (mdl push). Throws MirrorError with the
 * diagnostics when the models have errors, PushRefused when a held model changed.
 */
export function pushProject(mirror: Mirror, paths: readonly string[]): PushReport {
  const compiled = compileProject(paths);
  if (!compiled.ok || !compiled.program) {
    throw new MirrorError(`the models have errors; nothing pushed\n${formatDiagnostics(compiled.diagnostics, compiled.sources)}`);
  }
  return push(mirror, compiled.schema, compiled.program, compiled.sources);
}

/** Apply change files to one model (mdl ingest). */
export function ingest(mirror: Mirror, model: string, files: readonly string[], options: IngestOptions = {}): IngestReport {
  return ingestFiles(mirror, model, files, options);
}

/**
 * Apply changes given as objects to one model, as one batch: rows that cannot be applied are
 * rejected into _mdl_rejects (with `raw` their JSON), the rest apply.
 */
export function applyChanges(mirror: Mirror, modelName: string, rows: readonly ChangeObject[], source: string | null = null): BatchReport {
  const model = mirror.model(modelName);
  if (!model) throw new MirrorError(`the mirror has no model ${modelName}`);
  const shape = rowShape(model, mirror.watermark(model));
  const batch = batchBuilder(shape);
  const values = new Array<StoredValue>(model.columns.length);
  const rejects: RejectRow[] = [];
  objectChanges(model, rows).forEach((input, i) => {
    const op = convertChange(shape, input, values);
    if (isRejected(op)) {
      rejects.push({ line: null, record: i + 1, raw: JSON.stringify(rows[i], (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)), code: op.code, reason: op.reason });
    } else batch.add(op, values);
  });
  return mirror.applyBatch(model, batch.finish(), rejects, source);
}

/** Diagnostics as text: pretty (colour), plain, or json. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], sources: readonly SourceFile[], mode: RenderMode = 'plain'): string {
  return renderDiagnostics(diagnostics, new Map(sources.map((s) => [s.path, s])), mode);
}
