/**
 * `mdl fmt [PATH...] [--check]`: rewrite .mdl files in the canonical layout (format/format.ts).
 *
 * Each file is formatted on its own: a file with a syntax error is reported and left untouched,
 * and the others are still formatted. Before a file is written, the checker must give the same
 * IR and the same diagnostics for the new text as for the old: a formatter bug then costs a
 * refusal, never a changed model.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { describeFsError, loadProject } from '../project.js';
import { checkSources } from '../pipeline.js';
import { formatSource } from '../format/format.js';
import { Diagnostics } from '../diagnostics/diagnostic.js';
import { renderDiagnostics } from '../diagnostics/render.js';
import type { SourceFile } from '../source.js';
import { EXIT_ERRORS, EXIT_OK, UsageError, parse, useColor } from './io.js';

export const help = `Usage: mdl fmt [PATH...] [--check]

Rewrite every .mdl file below the given paths (default: the current directory)
in the canonical layout: keywords in upper case, one element per line with the
names, types and modifiers of the columns aligned, elements and modifiers in a
fixed order, comments kept beside what they describe. Formatting never changes
what the models mean, and formatting a formatted file changes nothing.
PATH '-' formats standard input to standard output.

A file with syntax errors is left untouched and its errors are reported; the
other files are still formatted. The files changed (with --check: the files
that would change) are listed on standard output, one per line.

Options:
  --check     write nothing; exit 1 if any file would change
  -h, --help  show this help

Exit status: 0 done (with --check: every file is formatted already), 1 a file
has syntax errors, cannot be read or written, or (with --check) would change,
2 usage error.
`;

export function run(args: readonly string[]): number {
  const { values, positionals } = parse(args, { check: { type: 'boolean' } });
  const check = values['check'] === true;
  if (positionals.includes('-')) {
    if (positionals.length > 1) throw new UsageError("'-' (standard input) cannot be combined with other paths");
    return formatStdin(check);
  }

  const project = loadProject(positionals);
  const errors = new Diagnostics();
  errors.items.push(...project.diagnostics.items);
  const unformatted: string[] = [];
  const changed: string[] = [];
  for (const source of project.sources) {
    const outcome = formatChecked(source, errors);
    if (outcome === undefined) {
      unformatted.push(source.path);
      continue;
    }
    if (outcome === source.text) continue;
    if (!check) {
      try {
        writeFileSync(source.path, outcome);
      } catch (e) {
        process.stderr.write(`mdl fmt: cannot write ${source.path}: ${describeFsError(e)}\n`);
        unformatted.push(source.path);
        continue;
      }
    }
    changed.push(source.path);
    process.stdout.write(`${source.path}\n`);
  }

  if (errors.items.length > 0) {
    const mode = useColor(process.stderr) ? 'pretty' : 'plain';
    const sources = new Map(project.sources.map((s) => [s.path, s]));
    process.stderr.write(renderDiagnostics(errors.items, sources, mode) + '\n');
  }
  const files = `${project.sources.length} file${project.sources.length === 1 ? '' : 's'}`;
  let summary = check ? `${changed.length} of ${files} would be reformatted` : `reformatted ${changed.length} of ${files}`;
  if (unformatted.length > 0) summary += `; ${unformatted.length} not formatted: ${unformatted.join(', ')}`;
  if (project.sources.length > 0) process.stderr.write(`${summary}\n`);
  const failed = errors.hasErrors() || unformatted.length > 0 || (check && changed.length > 0);
  return failed ? EXIT_ERRORS : EXIT_OK;
}

function formatStdin(check: boolean): number {
  const source = { path: '<stdin>', text: readFileSync(0, 'utf8') };
  const errors = new Diagnostics();
  const outcome = formatChecked(source, errors);
  if (errors.items.length > 0) {
    const mode = useColor(process.stderr) ? 'pretty' : 'plain';
    process.stderr.write(renderDiagnostics(errors.items, new Map([[source.path, source]]), mode) + '\n');
  }
  if (outcome === undefined) return EXIT_ERRORS;
  if (check) {
    if (outcome === source.text) return EXIT_OK;
    process.stdout.write(`${source.path}\n`);
    return EXIT_ERRORS;
  }
  process.stdout.write(outcome);
  return EXIT_OK;
}

/**
 * The formatted text, or undefined when the file is to be left as it is: it has a syntax error
 * (reported), or the new text would not mean what the old one did (a formatter bug, reported).
 */
function formatChecked(source: SourceFile, errors: Diagnostics): string | undefined {
  const syntax = new Diagnostics();
  const formatted = formatSource(source, syntax);
  if (formatted === undefined) {
    errors.items.push(...syntax.items.filter((d) => d.severity === 'error'));
    return undefined;
  }
  if (formatted === source.text) return formatted;
  if (meaning({ ...source, text: formatted }) !== meaning(source)) {
    process.stderr.write(
      `mdl fmt: internal error: formatting ${source.path} would change what it means; left untouched (please report this)\n`,
    );
    return undefined;
  }
  return formatted;
}

/** What the checker makes of one file, spans aside: its IR and its diagnostics. */
export function meaning(source: SourceFile): string {
  const result = checkSources([source]);
  const diagnostics = result.diagnostics.map((d) => `${d.code} ${d.message} ${d.hint ?? ''}`).sort();
  return JSON.stringify({ schema: withoutSpans(result.schema), diagnostics });
}

/** A copy of an IR value without its spans, which formatting moves by design. */
export function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'span' || k.endsWith('Span')) continue;
    out[k] = withoutSpans(v);
  }
  return out;
}
