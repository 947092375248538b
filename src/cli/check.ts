/**
 * `mdl check [PATH...] [--format pretty|plain|json]`: parse and check, print the diagnostics.
 */

import { loadProject } from '../project.js';
import { checkSources } from '../pipeline.js';
import { renderDiagnostics, summarize, toJson } from '../diagnostics/render.js';
import { sortDiagnostics } from '../diagnostics/diagnostic.js';
import { EXIT_ERRORS, EXIT_OK, oneOf, parse, useColor } from './io.js';

export const help = `Usage: mdl check [PATH...] [--format pretty|plain|json] [--verbose]

Parse and check every .mdl file below the given paths (default: the current
directory) as one schema, and report every problem found.

Options:
  --format pretty|plain|json  how to print diagnostics (default: pretty; pretty has
                              colour only on a terminal and never with NO_COLOR)
  --verbose                   also list each model's relationships and cardinality
  -h, --help                  show this help

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.
`;

export function run(args: readonly string[]): number {
  const { values, positionals } = parse(args, { format: { type: 'string' }, verbose: { type: 'boolean' } });
  const format = oneOf(values['format'] ?? 'pretty', ['pretty', 'plain', 'json'] as const, '--format');
  const project = loadProject(positionals);
  const result = { ...checkSources(project.sources, project.diagnostics), sources: project.sources };
  const sources = new Map(result.sources.map((s) => [s.path, s]));
  const relationships = result.schema.models.flatMap((m) =>
    m.relationships.map((r) => ({
      model: m.name,
      name: r.name,
      columns: r.columns,
      target: r.target,
      targetColumns: r.targetColumns,
      cardinality: r.cardinality,
      notation: r.notation,
      onDelete: r.onDelete,
    })),
  );

  if (format === 'json') {
    const out = {
      ok: result.ok,
      files: result.sources.map((s) => s.path),
      models: result.schema.models.map((m) => m.name),
      relationships,
      diagnostics: sortDiagnostics(result.diagnostics).map((d) => toJson(d, sources)),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return result.ok ? EXIT_OK : EXIT_ERRORS;
  }

  const mode = format === 'pretty' && useColor(process.stdout) ? 'pretty' : 'plain';
  if (result.diagnostics.length > 0) process.stdout.write(renderDiagnostics(result.diagnostics, sources, mode) + '\n');
  const files = result.sources.length;
  const models = result.schema.models.length;
  const counts = `${models} model${models === 1 ? '' : 's'}, ${relationships.length} relationship${relationships.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
  if (result.ok) {
    const warnings = result.diagnostics.length > 0 ? ` (${summarize(result.diagnostics)})` : '';
    process.stdout.write(`ok: ${counts}${warnings}\n`);
  } else {
    process.stdout.write(`failed: ${summarize(result.diagnostics)} in ${counts}\n`);
  }
  if (values['verbose']) {
    for (const r of relationships) {
      process.stdout.write(
        `  ${r.model} (${r.columns.join(', ')}) -> ${r.target} (${r.targetColumns.join(', ')})  ${r.notation}  ON DELETE ${r.onDelete.replace('-', ' ').toUpperCase()}\n`,
      );
    }
  }
  return result.ok ? EXIT_OK : EXIT_ERRORS;
}
