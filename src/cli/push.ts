/**
 * `mdl push [PATH...] --db FILE`: create or update a mirror database to hold the models.
 */

import { loadProject } from '../project.js';
import { compileSources } from '../pipeline.js';
import { renderDiagnostics, summarize } from '../diagnostics/render.js';
import { Mirror, MirrorError } from '../mirror/mirror.js';
import { push, PushRefused } from '../mirror/push.js';
import { EXIT_ERRORS, EXIT_OK, parse, UsageError, useColor } from './io.js';

export const help = `Usage: mdl push [PATH...] --db FILE

Make the SQLite database FILE a mirror of the models in every .mdl file below the
given paths (default: the current directory): create it if needed, and create the
tables of each model it does not hold yet. Models it already holds unchanged are
left alone; running push again on unchanged models changes nothing. A model whose
definition changed is refused (changing a mirrored model needs a migration, which
mdl does not do yet), and then nothing is changed. Data is never dropped.

Options:
  --db FILE     the mirror database (created if missing)
  -h, --help    show this help

Exit status: 0 pushed (or already up to date), 1 the models have errors or a
model changed, 2 usage error.
`;

export function run(args: readonly string[]): number {
  const { values, positionals } = parse(args, { db: { type: 'string' } });
  const db = values['db'];
  if (typeof db !== 'string') throw new UsageError('--db FILE is required');
  const project = loadProject(positionals);
  const compiled = { ...compileSources(project.sources, project.diagnostics), sources: project.sources };
  if (compiled.diagnostics.length > 0) {
    const sources = new Map(compiled.sources.map((s) => [s.path, s]));
    process.stderr.write(renderDiagnostics(compiled.diagnostics, sources, useColor(process.stderr) ? 'pretty' : 'plain') + '\n');
  }
  if (!compiled.ok || !compiled.program) {
    process.stderr.write(`failed: ${summarize(compiled.diagnostics)}; nothing pushed\n`);
    return EXIT_ERRORS;
  }
  let mirror: Mirror;
  try {
    mirror = Mirror.open(db, { create: true });
  } catch (e) {
    if (e instanceof MirrorError) {
      process.stderr.write(`mdl push: ${e.message}\n`);
      return EXIT_ERRORS;
    }
    throw e;
  }
  try {
    const report = push(mirror, compiled.schema, compiled.program, compiled.sources);
    const parts: string[] = [];
    if (report.created.length > 0) parts.push(`created ${report.created.length} model${report.created.length === 1 ? '' : 's'} (${report.created.join(', ')})`);
    if (report.unchanged.length > 0) parts.push(`${report.unchanged.length} unchanged`);
    process.stdout.write(report.created.length === 0 ? `${db}: up to date, ${report.unchanged.length} ${report.unchanged.length === 1 ? 'model' : 'models'} unchanged\n` : `${db}: ${parts.join(', ')}\n`);
    if (report.kept.length > 0) {
      process.stdout.write(`kept ${report.kept.join(', ')}: in the mirror but not in the models (mdl never drops data)\n`);
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof PushRefused || e instanceof MirrorError) {
      process.stderr.write(`mdl push: ${e.message}\n`);
      return EXIT_ERRORS;
    }
    throw e;
  } finally {
    mirror.close();
  }
}
