/**
 * `mdl compile [PATH...] [--target sqlite] [-o FILE]`: the SQL for a schema, deterministic.
 */

import { writeFileSync } from 'node:fs';
import { compileProject } from '../index.js';
import { renderDiagnostics, summarize } from '../diagnostics/render.js';
import { EXIT_ERRORS, EXIT_OK, oneOf, parse, useColor } from './io.js';

export const help = `Usage: mdl compile [PATH...] [--target sqlite] [-o FILE]

Compile every .mdl file below the given paths (default: the current directory)
into SQL: the tables, tombstone tables, indexes and metadata of the mirror, and
each model's apply statements. The same models always give the same text.

Options:
  --target sqlite   the database to compile for (default and, for now, only: sqlite)
  -o, --out FILE    write the SQL to FILE instead of standard output
  -h, --help        show this help

Diagnostics go to standard error. Exit status: 0 compiled, 1 the models have
errors (nothing is written), 2 usage error.
`;

export function run(args: readonly string[]): number {
  const { values, positionals } = parse(args, { target: { type: 'string' }, out: { type: 'string', short: 'o' } });
  oneOf(values['target'] ?? 'sqlite', ['sqlite'] as const, '--target');
  const result = compileProject(positionals);
  const sources = new Map(result.sources.map((s) => [s.path, s]));
  if (result.diagnostics.length > 0) {
    const mode = useColor(process.stderr) ? 'pretty' : 'plain';
    process.stderr.write(renderDiagnostics(result.diagnostics, sources, mode) + '\n');
  }
  if (!result.ok || result.sql === undefined) {
    process.stderr.write(`failed: ${summarize(result.diagnostics)}; nothing written\n`);
    return EXIT_ERRORS;
  }
  const out = values['out'];
  if (typeof out === 'string') {
    writeFileSync(out, result.sql);
    const n = result.schema.models.length;
    process.stderr.write(`wrote ${out}: ${n} model${n === 1 ? '' : 's'}\n`);
  } else {
    process.stdout.write(result.sql);
  }
  return EXIT_OK;
}
