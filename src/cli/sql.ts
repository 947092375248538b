/**
 * `mdl sql --db FILE (-e SQL | -f FILE) [--format table|json|csv] [--dry-run]`
 */

import { readFileSync } from 'node:fs';
import { Mirror, MirrorError } from '../mirror/mirror.js';
import { runSql, type SqlOutcome } from '../ingest/sql.js';
import { EXIT_ERRORS, EXIT_OK, oneOf, parse, UsageError } from './io.js';

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

UPDATE of a model, DDL and other writes are refused with what to do instead.
Every statement is read and checked (unknown models and columns are reported
with suggestions) before the first one runs.

Options:
  --db FILE                  the mirror database
  -e, --execute SQL          the statements to run
  -f, --file FILE            read the statements from FILE
  --format table|json|csv    how to print SELECT results (default: table); with
                             json, an INSERT prints its accounting as JSON too
  --dry-run                  evaluate INSERTs and count their rows, show what
                             each DELETE would delete and clear per model;
                             change nothing
  -h, --help                 show this help

Exit status: 0 ran, 1 a statement was refused or failed (nothing after it ran),
2 usage error.
`;

export function run(args: readonly string[]): number {
  const { values } = parse(args, {
    db: { type: 'string' },
    execute: { type: 'string', short: 'e' },
    file: { type: 'string', short: 'f' },
    format: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  const db = values['db'];
  if (typeof db !== 'string') throw new UsageError('--db FILE is required');
  const inline = values['execute'];
  const file = values['file'];
  if ((inline === undefined) === (file === undefined)) throw new UsageError('give exactly one of -e SQL and -f FILE');
  const format = oneOf(values['format'] ?? 'table', ['table', 'json', 'csv'] as const, '--format');
  let sql: string;
  try {
    sql = typeof inline === 'string' ? inline : readFileSync(String(file), 'utf8');
  } catch (e) {
    process.stderr.write(`mdl sql: cannot read ${String(file)}: ${(e as Error).message}\n`);
    return EXIT_ERRORS;
  }
  let mirror: Mirror | undefined;
  try {
    mirror = Mirror.open(db);
    const outcomes = runSql(mirror, sql, { dryRun: values['dry-run'] === true });
    for (const o of outcomes) process.stdout.write(show(o, format));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof MirrorError) {
      process.stderr.write(`mdl sql: ${e.message}\n`);
      return EXIT_ERRORS;
    }
    throw e;
  } finally {
    mirror?.close();
  }
}

const text = (v: unknown): string => (v === null || v === undefined ? 'NULL' : Buffer.isBuffer(v) ? `x'${v.toString('hex')}'` : String(v));

function show(o: SqlOutcome, format: 'table' | 'json' | 'csv'): string {
  if (o.kind === 'planned') {
    return format === 'json' ? JSON.stringify({ model: o.model, rows: o.rows, applied: false }) + '\n' : `${o.model}: ${o.rows} rows (dry run: nothing applied)\n`;
  }
  if (o.kind === 'hygiene') {
    const r = o.report;
    if (format === 'json') return JSON.stringify(r) + '\n';
    const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    const head = r.dryRun
      ? `${r.model}: would delete ${plural(r.deleted, 'row', 'rows')} and clear ${plural(r.cleared, 'reference', 'references')} (dry run: nothing changed)`
      : `${r.model}: deleted ${plural(r.deleted, 'row', 'rows')}, cleared ${plural(r.cleared, 'reference', 'references')} (hygiene ledger ${r.ledgerId})`;
    const width = Math.max(0, ...r.models.map((m) => m.model.length));
    const lines = r.models.map((m) => `  ${m.model.padEnd(width)}  ${m.deleted} deleted, ${m.cleared} cleared`);
    return [head, ...lines].join('\n') + '\n';
  }
  if (o.kind === 'applied') {
    const r = o.report;
    if (format === 'json') return JSON.stringify(r) + '\n';
    return (
      `${r.model}: ${r.received} received: ${r.inserted} inserted, ${r.updated} updated, ${r.deleted} deleted, ` +
      `${r.tombstoned} tombstoned, ${r.stale} stale, ${r.duplicate} duplicate, ${r.rejected} rejected\n`
    );
  }
  if (format === 'json') {
    return JSON.stringify(o.rows, (_k, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v)) + '\n';
  }
  if (format === 'csv') {
    const cell = (v: unknown) => {
      if (v === null || v === undefined) return '';
      const s = text(v);
      return /[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
    };
    return [o.columns.map(cell).join(','), ...o.rows.map((r) => o.columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
  }
  const width = o.columns.map((c) => Math.max(c.length, ...o.rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join('  ').trimEnd();
  return [line([...o.columns]), line(width.map((w) => '-'.repeat(w))), ...o.rows.map((r) => line(o.columns.map((c) => text(r[c])))), `(${o.rows.length} row${o.rows.length === 1 ? '' : 's'})`].join('\n') + '\n';
}
