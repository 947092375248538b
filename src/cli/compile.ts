/**
 * `mdl compile [PATH...] [--target sqlite] [-o FILE]`: the SQL for a schema, deterministic.
 */

import { closeSync, openSync } from 'node:fs';
import { describeFsError } from '../project.js';
import { renderSqliteChunks } from '../compile/sqlite.js';
import { EXIT_ERRORS, EXIT_OK, oneOf, parse } from './io.js';
import { checkedSchema } from './checked.js';
import { encodeText, writeTextSync } from './write-text.js';

export const help = `Usage: mdl compile [PATH...] [--target sqlite] [-o FILE]

Compile every .mdl file below the given paths (default: the current directory)
into SQL: the tables, tombstone tables, indexes and metadata of the mirror, and
each model's apply statements. The same models always give the same text.

Options:
  --target sqlite   the database to compile for (default and, for now, only: sqlite)
  -o, --out FILE    write the SQL to FILE instead of standard output (- is it)
  -h, --help        show this help

Diagnostics go to standard error. Exit status: 0 compiled, 1 the models have
errors or the output cannot be written (nothing is written), 2 usage error.
`;

export function run(args: readonly string[]): number {
  const { values, positionals } = parse(args, { target: { type: 'string' }, out: { type: 'string', short: 'o' } });
  oneOf(values['target'] ?? 'sqlite', ['sqlite'] as const, '--target');
  const schema = checkedSchema(positionals);
  if (!schema) return EXIT_ERRORS;
  const chunks = renderSqliteChunks(schema);
  // -o - is standard output, as the path - is standard input for mdl fmt.
  const out = values['out'] === '-' ? undefined : values['out'];
  if (typeof out === 'string') {
    // Written as rendered: a large schema never needs its whole script in memory at once.
    let fd: number;
    try {
      fd = openSync(out, 'w');
    } catch (e) {
      process.stderr.write(`mdl compile: cannot write ${out}: ${describeFsError(e)}\n`);
      return EXIT_ERRORS;
    }
    try {
      writeTextSync(fd, chunks);
    } finally {
      closeSync(fd);
    }
    const n = schema.models.length;
    process.stderr.write(`wrote ${out}: ${n} model${n === 1 ? '' : 's'}\n`);
  } else {
    // Written as rendered, a megabyte at a time, so the script is never one string in memory (a
    // reader that stops early, as in mdl compile | head, is bin/mdl.js's to handle).
    encodeText(chunks, (bytes, length) => {
      // A copy: encodeText reuses its buffer, and a write may complete after this returns.
      process.stdout.write(Buffer.from(bytes.subarray(0, length)));
    });
  }
  return EXIT_OK;
}
