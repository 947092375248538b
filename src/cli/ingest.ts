/**
 * `mdl ingest --db FILE --model NAME FILE... [--format csv|jsonl] [--batch-size N] [--json] [--quiet]`
 */

import { Mirror, MirrorError, type TimeRange } from '../mirror/mirror.js';
import { DEFAULT_BATCH_SIZE, MAX_BATCH_BYTES, type IngestReport } from '../ingest/ingest.js';
import { ingestFilesParallel } from '../ingest/parallel.js';
import { EXIT_ERRORS, EXIT_OK, oneOf, parse, UsageError } from './io.js';
import { ProgressLine } from './progress.js';

export const help = `Usage: mdl ingest --db FILE --model NAME FILE... [--format csv|jsonl]
                  [--batch-size N] [--json] [--quiet] [--force]

Apply change files to one model of a mirror (see mdl push). Each row is an upsert,
or a delete when its _change_request_type is d; the winner for each key is decided
by version, so files may arrive late, twice or out of order. Rows that cannot be
applied go to the _mdl_rejects table with the reason; the rows beside them apply.

Options:
  --db FILE          the mirror database
  --model NAME       the model the files hold changes for
  --format F         csv or jsonl (default: from each file's extension)
  --batch-size N     input rows per batch; each batch is one transaction
                     (default: ${DEFAULT_BATCH_SIZE.toLocaleString('en-US')}); a batch also ends at ${MAX_BATCH_BYTES / 1048576} MiB
                     of data, so that wide rows stay within memory
  --json             print the accounting report as one JSON object
  --force            apply files this mirror has ingested before (found by
                     their content and format) from their first record;
                     without it, such a file is skipped, and one an earlier
                     run stopped part way through (a crash, a kill) is
                     resumed after its last batch
  --quiet            no progress line (it is shown only on a terminal anyway:
                     rows, rows per second, how much of the input is read, and
                     the time left)
  -h, --help         show this help

Exit status: 0 applied (rejected rows included: they are accounted for), 1 the
files or the mirror cannot be used (nothing of the file was applied), 2 usage error.
`;

export async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    db: { type: 'string' },
    model: { type: 'string' },
    format: { type: 'string' },
    'batch-size': { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    force: { type: 'boolean' },
  });
  const db = values['db'];
  const model = values['model'];
  if (typeof db !== 'string') throw new UsageError('--db FILE is required');
  if (typeof model !== 'string') throw new UsageError('--model NAME is required');
  if (positionals.length === 0) throw new UsageError('give at least one change file');
  const format = values['format'] === undefined ? undefined : oneOf(values['format'], ['csv', 'jsonl'] as const, '--format');
  let batchSize: number | undefined;
  if (values['batch-size'] !== undefined) {
    batchSize = Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError('--batch-size must be a positive integer');
  }
  let mirror: Mirror | undefined;
  try {
    mirror = Mirror.open(db);
    // Read and convert on a second thread while this one applies to SQLite.
    const progress = process.stderr.isTTY && values['quiet'] !== true ? new ProgressLine(process.stderr, model) : undefined;
    let report;
    try {
      report = await ingestFilesParallel(mirror, model, positionals, {
        format,
        batchSize,
        force: values['force'] === true,
        onBatch: (_r, p) => progress?.update(p),
      });
    } finally {
      progress?.clear();
    }
    // A time series also says which span of time the mirror now holds.
    const timeRange = mirror.timeRange(mirror.model(model)!);
    if (values['json']) process.stdout.write(JSON.stringify(timeRange ? { ...report, timeRange } : report) + '\n');
    else process.stdout.write(summary(report) + (timeRange ? `; ${rangeText(timeRange)}` : '') + '\n' + resumed(report));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof MirrorError || isFsError(e)) {
      process.stderr.write(`mdl ingest: ${(e as Error).message}\n`);
      return EXIT_ERRORS;
    }
    throw e;
  } finally {
    mirror?.close();
  }
}

function isFsError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!);
}

function rangeText(r: TimeRange): string {
  return r.from === null ? `no ${r.column} yet` : `${r.column} from ${r.from} to ${r.to}`;
}

/** What an earlier run had applied: a file ingested whole before, or one resumed part way. */
function resumed(r: IngestReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  let out = '';
  for (const f of r.files) {
    if (f.alreadyIngested) out += `  ${f.file}: ingested before (the same content, read as the same format), nothing applied again; --force applies it again\n`;
    else if (f.skipped > 0) out += `  ${f.file}: resumed after record ${n(f.skipped)}, which an earlier run applied\n`;
  }
  return out;
}

export function summary(r: IngestReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return (
    `${r.model}: ${n(r.received)} received: ${n(r.inserted)} inserted, ${n(r.updated)} updated, ${n(r.deleted)} deleted, ` +
    `${n(r.tombstoned)} tombstoned, ${n(r.stale)} stale, ${n(r.duplicate)} duplicate, ${n(r.rejected)} rejected`
  );
}
