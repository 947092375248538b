/**
 * `mdl diagram [PATH...] [--format mermaid|dot] [-o FILE]`: the models and their relationships as
 * an entity-relationship diagram, for Mermaid (GitHub draws it in Markdown) or Graphviz.
 */

import { writeFileSync } from 'node:fs';
import { describeFsError } from '../project.js';
import { renderDiagram } from '../diagram/diagram.js';
import { EXIT_ERRORS, EXIT_OK, oneOf, parse } from './io.js';
import { checkedSchema } from './checked.js';

export const help = `Usage: mdl diagram [PATH...] [--format mermaid|dot] [-o FILE]

Check every .mdl file below the given paths (default: the current directory)
and draw the models and their relationships as an entity-relationship diagram.

Each model lists its columns and types, with PK (primary key), FK (references
another model), UK (part of a UNIQUE key), the version column and a time
series' event time marked. Each relationship joins the referencing model to the
one it references: at the referenced end "exactly one" when the referencing
columns are NOT NULL, "zero or one" when they may be NULL; at the referencing
end "zero or more" (MANY TO ONE) or "zero or one" (ONE TO ONE). The line is
solid when the referencing columns are part of the primary key (identifying),
dashed otherwise. Models come in file-path order, then as declared.

Formats:
  mermaid  an erDiagram: paste it into a \`\`\`mermaid block in Markdown. Types
           are single words (DECIMAL(18, 2) is written decimal_18_2); names
           Mermaid cannot read are quoted or have the offending characters
           replaced (a column's real name is then in its comment).
  dot      a Graphviz digraph (render with: dot -Tsvg): a table per model, an
           edge per relationship labelled with its columns, cardinality and
           ON DELETE action.

Options:
  --format mermaid|dot  the diagram language (default: mermaid)
  -o, --out FILE        write the diagram to FILE instead of standard output (- is it)
  -h, --help            show this help

Diagnostics go to standard error. Exit status: 0 drawn, 1 the models have
errors or the output cannot be written (nothing is written), 2 usage error.
`;

export function run(args: readonly string[]): number {
  const { values, positionals } = parse(args, { format: { type: 'string' }, out: { type: 'string', short: 'o' } });
  const format = oneOf(values['format'] ?? 'mermaid', ['mermaid', 'dot'] as const, '--format');
  const schema = checkedSchema(positionals);
  if (!schema) return EXIT_ERRORS;
  const text = renderDiagram(schema, format);
  // -o - is standard output, as the path - is standard input for mdl fmt.
  const out = values['out'] === '-' ? undefined : values['out'];
  if (typeof out !== 'string') {
    process.stdout.write(text);
    return EXIT_OK;
  }
  try {
    writeFileSync(out, text);
  } catch (e) {
    process.stderr.write(`mdl diagram: cannot write ${out}: ${describeFsError(e)}\n`);
    return EXIT_ERRORS;
  }
  const n = schema.models.length;
  process.stderr.write(`wrote ${out}: ${n} model${n === 1 ? '' : 's'}\n`);
  return EXIT_OK;
}
