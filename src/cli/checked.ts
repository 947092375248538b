/**
 * What commands that turn models into output share (compile, diagram): read the project below the
 * paths, check it, show any diagnostics on stderr, and stop with a summary when there are errors.
 */

import type { Schema } from '../ir.js';
import { loadProject } from '../project.js';
import { checkSources } from '../pipeline.js';
import { renderDiagnostics, summarize } from '../diagnostics/render.js';
import { useColor } from './io.js';

/** The checked schema, or undefined when the models have errors (then reported, with "nothing written"). */
export function checkedSchema(paths: readonly string[]): Schema | undefined {
  const project = loadProject(paths);
  const result = checkSources(project.sources, project.diagnostics);
  if (result.diagnostics.length > 0) {
    const sources = new Map(project.sources.map((s) => [s.path, s]));
    process.stderr.write(renderDiagnostics(result.diagnostics, sources, useColor(process.stderr) ? 'pretty' : 'plain') + '\n');
  }
  if (!result.ok) {
    process.stderr.write(`failed: ${summarize(result.diagnostics)}; nothing written\n`);
    return undefined;
  }
  return result.schema;
}
