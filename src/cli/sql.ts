/**
 * `mdl sql --db FILE (-e SQL | -f FILE) [--format table|json|csv] [--dry-run]`
 */

import { readFileSync } from 'node:fs';
import { Mirror, MirrorError } from '../mirror/mirror.js';
import { openAtEnd, runSql, SqlFailed, SqlRefused } from '../ingest/sql.js';
import { codeFrame } from '../diagnostics/render.js';
import { formatOutcome } from './results.js';
import { EXIT_ERRORS, EXIT_OK, oneOf, parse, UsageError, useColor } from './io.js';

export const help = `Usage: mdl sql --db FILE (-e SQL | -f FILE) [--format table|json|csv] [--dry-run]

Run SQL against a mirror (see mdl push), statement by statement:

  INSERT INTO model [(columns)] SELECT ... | VALUES ...
      applied as one batch of changes with the same rules as mdl ingest: the
      winner for each key is decided by version, bad rows go to _mdl_rejects.
      _change_request_type ('u' or 'd') may be named in the column list, or be
      the last output column when there is no list.
  DELETE FROM model WHERE ...
      a precision delete: follows every relationship's ON DELETE action
      (CASCADE, SET NULL, RESTRICT refuses, NO ACTION leaves orphans), leaves a
      tombstone at each deleted row's version so that replaying older changes
      cannot bring it back, and is recorded in _mdl_hygiene.
  SELECT ...
      read-only; printed as a table, JSON or CSV.
  ATTACH DATABASE 'file' AS name, DETACH DATABASE name
      make another SQLite database readable to the statements after it, as
      name.table (an INSERT INTO a model SELECT ... FROM it, say).

UPDATE of a model, DDL and other writes are refused with what to do instead.
Every statement is read and checked (unknown models and columns are reported
with suggestions) before the first one runs.

Options:
  --db FILE                  the mirror database
  -e, --execute SQL          the statements to run (-e again: more, in order)
  -f, --file FILE            read the statements from FILE
  --format table|json|csv    how to print SELECT results (default: table); with
                             json, an INSERT prints its accounting as JSON too,
                             each statement's on a line of its own; with csv,
                             an empty line comes between two results
  --dry-run                  show the accounting each INSERT would give and
                             what each DELETE would delete and clear per
                             model, each against the mirror as it is (not
                             after the statements before it); change nothing
  -h, --help                 show this help

Exit status: 0 ran, 1 a statement was refused or failed (nothing after it ran),
2 usage error.
`;

/** Between the statements of two -e: a line break ends a -- comment first. */
const SEPARATOR = '\n;\n';

/** How a message names the kth -e: `-e`, or `-e #2` when there are several. */
function pieceName(given: readonly string[], k: number): string {
  return given.length === 1 ? '-e' : `-e #${k + 1}`;
}

export function run(args: readonly string[]): number {
  const { values } = parse(args, {
    db: { type: 'string' },
    execute: { type: 'string', short: 'e', multiple: true },
    file: { type: 'string', short: 'f' },
    format: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  const db = values['db'];
  if (typeof db !== 'string') throw new UsageError('--db FILE is required');
  // -e given more than once: the statements of each, in order (a line break ends a comment).
  const given = Array.isArray(values['execute']) ? values['execute'].map(String) : undefined;
  // Each holds whole statements: one -e must not run on into the next (one alone is read as SQL).
  given?.forEach((text, k) => {
    const open = given.length > 1 ? openAtEnd(text) : undefined;
    if (open) throw new UsageError(`${pieceName(given, k)} ends inside ${open}: each -e holds whole statements`);
  });
  const inline = given?.join(SEPARATOR);
  const file = values['file'];
  if ((inline === undefined) === (file === undefined)) throw new UsageError('give exactly one of -e SQL and -f FILE');
  const format = oneOf(values['format'] ?? 'table', ['table', 'json', 'csv'] as const, '--format');
  let sql: string;
  try {
    sql = inline ?? readFileSync(String(file), 'utf8');
  } catch (e) {
    process.stderr.write(`mdl sql: cannot read ${String(file)}: ${(e as Error).message}\n`);
    return EXIT_ERRORS;
  }
  let mirror: Mirror | undefined;
  try {
    mirror = Mirror.open(db, { access: 'read-if-not-writable' });
    // Each statement's result is shown as it completes: a later failure does not hide it. As CSV,
    // an empty line separates one result from the next (each has its own header); as JSON, each
    // is one line.
    let shown = false;
    runSql(mirror, sql, {
      dryRun: values['dry-run'] === true,
      onOutcome: (o) => {
        const text = formatOutcome(o, format);
        if (text === '') return;
        process.stdout.write(shown && format === 'csv' ? '\n' + text : text);
        shown = true;
      },
    });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof MirrorError) {
      process.stderr.write(`mdl sql: ${e.message}\n`);
      const at = e instanceof SqlRefused || e instanceof SqlFailed ? e.at : undefined;
      // The frame points into the text as given: the file, or the -e it is in.
      if (at) {
        let source = { path: typeof file === 'string' ? file : '-e', text: sql };
        let offset = at.start + at.offset;
        for (let k = 0, start = 0; given && k < given.length; start += given[k]!.length + SEPARATOR.length, k++) {
          if (offset <= start + given[k]!.length) {
            source = { path: pieceName(given, k), text: given[k]! };
            offset -= start;
            break;
          }
        }
        process.stderr.write(codeFrame(source, offset, offset + at.length, useColor(process.stderr)));
      }
      return EXIT_ERRORS;
    }
    throw e;
  } finally {
    mirror?.close();
  }
}
