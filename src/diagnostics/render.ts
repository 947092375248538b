/**
 * Diagnostics to text: pretty (colour, code frame with carets), plain (the same frame without
 * colour, for golden files and pipes) and json (for tools). One function per mode, one shape of
 * data in; line and column are computed here and nowhere earlier.
 */

import kleur from 'kleur';
import { lineText, positionAt, type SourceFile } from '../source.js';
import { sortDiagnostics, type Diagnostic } from './diagnostic.js';

export type RenderMode = 'pretty' | 'plain' | 'json';

export interface JsonDiagnostic {
  code: string;
  name: string;
  severity: string;
  message: string;
  file: string | null;
  /** 1-based, like the pretty output. */
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  hint: string | null;
  related: { message: string; file: string; line: number; column: number }[];
}

type Sources = ReadonlyMap<string, SourceFile>;

export function renderDiagnostics(items: readonly Diagnostic[], sources: Sources, mode: RenderMode): string {
  const sorted = sortDiagnostics(items);
  if (mode === 'json') return JSON.stringify(sorted.map((d) => toJson(d, sources)), null, 2) + '\n';
  const color = mode === 'pretty';
  return sorted.map((d) => renderOne(d, sources, color)).join('\n');
}

export function toJson(d: Diagnostic, sources: Sources): JsonDiagnostic {
  const source = d.span ? sources.get(d.span.file) : undefined;
  const start = source && d.span ? positionAt(source, d.span.start) : undefined;
  const end = source && d.span ? positionAt(source, d.span.end) : undefined;
  return {
    code: d.code,
    name: d.name,
    severity: d.severity,
    message: d.message,
    file: d.span?.file ?? null,
    line: start?.line ?? null,
    column: start?.column ?? null,
    endLine: end?.line ?? null,
    endColumn: end?.column ?? null,
    hint: d.hint ?? null,
    related: (d.related ?? []).flatMap((r) => {
      const s = sources.get(r.span.file);
      if (!s) return [];
      const p = positionAt(s, r.span.start);
      return [{ message: r.message, file: r.span.file, line: p.line, column: p.column }];
    }),
  };
}

/** "2 errors, 1 warning" */
export function summarize(items: readonly Diagnostic[]): string {
  const errors = items.filter((d) => d.severity === 'error').length;
  const warnings = items.filter((d) => d.severity === 'warning').length;
  const parts = [`${errors} error${errors === 1 ? '' : 's'}`];
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(', ');
}

function renderOne(d: Diagnostic, sources: Sources, color: boolean): string {
  const c = kleurFor(color);
  const sevColor = d.severity === 'error' ? c.red : d.severity === 'warning' ? c.yellow : c.cyan;
  const [first, ...rest] = d.message.split('\n');
  const out: string[] = [`${c.bold(sevColor(`${d.severity}[${d.code}]`))}${c.bold(`: ${first}`)}`];
  for (const line of rest) out.push(`  ${line}`);
  const source = d.span ? sources.get(d.span.file) : undefined;
  if (d.span && source) {
    out.push(...frame(source, d.span.start, d.span.end, c, sevColor));
  } else if (d.span) {
    out.push(`  ${c.blue('-->')} ${d.span.file}`);
  }
  for (const r of d.related ?? []) {
    const s = sources.get(r.span.file);
    if (!s) continue;
    const p = positionAt(s, r.span.start);
    out.push(`  ${c.blue('=')} note: ${r.message} at ${r.span.file}:${p.line}:${p.column}`);
  }
  if (d.hint) {
    const [head, ...more] = d.hint.split('\n');
    out.push(`  ${c.blue('=')} ${c.bold('help')}: ${head}`);
    for (const line of more) out.push(line === '' ? '' : `    ${line}`);
  }
  return out.join('\n') + '\n';
}

/**
 * An error that is not a diagnostic (a SQL statement mdl refused or SQLite failed to run): the
 * message, and the code frame of `at` in `source` when it points somewhere.
 */
export function renderError(message: string, at: { source: SourceFile; start: number; end: number } | undefined, color: boolean): string {
  const c = kleurFor(color);
  const [first, ...rest] = message.split('\n');
  const out = [`${c.bold(c.red('error'))}${c.bold(`: ${first}`)}`, ...rest.map((l) => `  ${l}`)];
  return out.join('\n') + '\n' + (at ? codeFrame(at.source, at.start, at.end, color) : '');
}

/** The code frame alone: where, then the lines from `start` to `end` with carets under them. */
export function codeFrame(source: SourceFile, start: number, end: number, color: boolean): string {
  const c = kleurFor(color);
  return frame(source, start, end, c, c.red).join('\n') + '\n';
}

type Paint = (s: string) => string;
interface Palette {
  red: Paint;
  yellow: Paint;
  cyan: Paint;
  blue: Paint;
  bold: Paint;
}

function kleurFor(color: boolean): Palette {
  if (!color) {
    const id: Paint = (s) => s;
    return { red: id, yellow: id, cyan: id, blue: id, bold: id };
  }
  // The caller decided: kleur's own guess looks at standard output and NO_COLOR's presence, and
  // would turn colour off for errors on a terminal while the output goes to a pipe. Its switch
  // is the process's, so it is put back after each use (a host application may use kleur too).
  const paint =
    (colour: (s: string) => string): Paint =>
    (s) => {
      const was = kleur.enabled;
      kleur.enabled = true;
      try {
        return colour(s);
      } finally {
        kleur.enabled = was;
      }
    };
  return { red: paint(kleur.red), yellow: paint(kleur.yellow), cyan: paint(kleur.cyan), blue: paint(kleur.blue), bold: paint(kleur.bold) };
}

/** The code frame: the lines the span touches (at most three shown), carets under the span. */
function frame(source: SourceFile, start: number, end: number, c: Palette, mark: Paint): string[] {
  const from = positionAt(source, start);
  const to = positionAt(source, Math.max(start, end));
  const lastLine = Math.min(to.line, from.line + 2);
  const gutter = String(lastLine).length;
  const pad = ' '.repeat(gutter);
  const out = [`${pad}${c.blue('-->')} ${source.path}:${from.line}:${from.column}`, `${pad} ${c.blue('|')}`];
  for (let line = from.line; line <= lastLine; line++) {
    const text = expandTabs(lineText(source, line));
    out.push(`${c.blue(String(line).padStart(gutter) + ' |')} ${text.replace(/\s+$/, '')}`);
    const caretFrom = line === from.line ? visualColumn(lineText(source, line), from.column) : 1;
    const raw = lineText(source, line);
    const caretTo = visualColumn(raw, line === to.line ? to.column : raw.length + 1);
    const width = Math.max(1, caretTo - caretFrom);
    out.push(`${pad} ${c.blue('|')} ${' '.repeat(caretFrom - 1)}${mark('^'.repeat(width))}`);
  }
  return out;
}

function expandTabs(s: string): string {
  return s.replace(/\t/g, '    ');
}

/**
 * The terminal column where a UTF-16 column is shown, so the carets sit under the right text:
 * a tab shows as four spaces, a wide (East Asian, emoji) character as two cells, a surrogate pair
 * as one character and a combining mark as none.
 */
function visualColumn(line: string, column: number): number {
  let v = 1;
  let i = 0;
  while (i < column - 1 && i < line.length) {
    const cp = line.codePointAt(i)!;
    v += cp === 9 ? 4 : cellWidth(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return v + Math.max(0, column - 1 - i);
}

function cellWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}
