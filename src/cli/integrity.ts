/**
 * `mdl integrity --db FILE [--strict] [--json]`: orphaned rows and cardinality breaches, per
 * relationship.
 */

import { Mirror, MirrorError } from '../mirror/mirror.js';
import { integrityReport, type IntegrityReport, type RelationshipIntegrity } from '../mirror/integrity.js';
import { EXIT_ERRORS, EXIT_OK, parse, UsageError } from './io.js';

export const help = `Usage: mdl integrity --db FILE [--strict] [--json]

Report, for every relationship of the mirror's models, the child rows whose
reference points at no row of the target (orphans), and for a ONE TO ONE
relationship the target rows referenced by more than one child. A mirror accepts
both (a child may arrive before its parent; NO ACTION leaves orphans), so this is
a report, not an error, unless --strict asks for one. A reference with a NULL in
any of its columns refers to nothing and is not an orphan.

Options:
  --db FILE     the mirror database
  --strict      exit 1 when there is any orphan or breach
  --json        print the report as one JSON object
  -h, --help    show this help

Exit status: 0 reported (with --strict: and nothing found), 1 --strict found
something or the mirror cannot be read, 2 usage error.
`;

export function run(args: readonly string[]): number {
  const { values } = parse(args, { db: { type: 'string' }, strict: { type: 'boolean' }, json: { type: 'boolean' } });
  const db = values['db'];
  if (typeof db !== 'string') throw new UsageError('--db FILE is required');
  let mirror: Mirror | undefined;
  try {
    mirror = Mirror.open(db, { access: 'read-if-not-writable' });
    const report = integrityReport(mirror);
    if (values['json']) process.stdout.write(reportJson(report) + '\n');
    else process.stdout.write(text(report.relationships) + `${plural(report.orphans, 'orphan')}, ${plural(report.breaches, 'cardinality breach', 'cardinality breaches')}\n`);
    return values['strict'] && report.orphans + report.breaches > 0 ? EXIT_ERRORS : EXIT_OK;
  } catch (e) {
    if (e instanceof MirrorError) {
      process.stderr.write(`mdl integrity: ${e.message}\n`);
      return EXIT_ERRORS;
    }
    throw e;
  } finally {
    mirror?.close();
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function text(rows: readonly RelationshipIntegrity[]): string {
  let out = '';
  for (const r of rows) {
    const head = `${r.model} (${r.columns.join(', ')}) -> ${r.target} (${r.targetColumns.join(', ')}) ${r.notation} [${r.relationship}]`;
    if (r.orphans === 0 && r.breaches === 0) {
      out += `ok    ${head}\n`;
      continue;
    }
    out += `FOUND ${head}\n`;
    if (r.orphans > 0) out += `        ${plural(r.orphans, 'orphan')}, e.g. ${r.model} ${r.orphanSamples.join(', ')}${r.orphans > r.orphanSamples.length ? ', ...' : ''}\n`;
    if (r.breaches > 0) {
      const e = r.breachSamples.map((b) => `${r.target} ${b.target} has ${b.children}`).join(', ');
      out += `        ${plural(r.breaches, `${r.target} row`)} with more than one ${r.model} (one to one), e.g. ${e}${r.breaches > r.breachSamples.length ? ', ...' : ''}\n`;
    }
  }
  return out;
}

/**
 * The report as JSON, each sample key as the JSON array it is (SQLite's text of it, put in as it
 * is, so that an integer beyond 2^53 keeps every digit), not as a string holding one.
 */
function reportJson(report: IntegrityReport): string {
  const keys: string[] = [];
  const mark = (key: string) => `\u0000${keys.push(key) - 1}\u0000`;
  const text = JSON.stringify(report, function (this: unknown, name, value: unknown) {
    if (name === 'orphanSamples') return (value as string[]).map(mark);
    if (name === 'target' && typeof value === 'string' && typeof this === 'object' && this !== null && 'children' in this) return mark(value);
    return value;
  });
  return text.replace(/"\\u0000(\d+)\\u0000"/g, (_, i: string) => keys[Number(i)]!);
}

