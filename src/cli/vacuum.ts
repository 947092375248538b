/**
 * `mdl vacuum --db FILE --model NAME --below VERSION [--json]`
 */

import { Mirror, MirrorError } from '../mirror/mirror.js';
import { modelFor } from '../ingest/ingest.js';
import { vacuumTombstones } from '../mirror/vacuum.js';
import { EXIT_ERRORS, EXIT_OK, parse, UsageError } from './io.js';

export const help = `Usage: mdl vacuum --db FILE --model NAME --below VERSION [--json]

Remove the tombstones of one model whose version is below VERSION, and record
VERSION as the model's watermark. Tombstones are how a late change learns that
its key was deleted after it; without them such a change can be neither applied
nor ignored safely. So from then on, every change to the model with a version
below the watermark is rejected into _mdl_rejects (code below-watermark) with a
reason that names the watermark: nothing older is applied or dropped silently.
A watermark only moves forward.

VERSION is read as the model's version column: an integer, or a timestamp such
as 2024-01-01T00:00:00Z (any offset; normalised to UTC), or a date.

Options:
  --db FILE        the mirror database
  --model NAME     the model whose tombstones to remove
  --below VERSION  the watermark
  --json           print the report as one JSON object
  -h, --help       show this help

Exit status: 0 done, 1 the model, the version or the mirror cannot be used
(nothing changed), 2 usage error.
`;

export function run(args: readonly string[]): number {
  const { values } = parse(args, { db: { type: 'string' }, model: { type: 'string' }, below: { type: 'string' }, json: { type: 'boolean' } });
  const db = values['db'];
  const model = values['model'];
  const below = values['below'];
  if (typeof db !== 'string') throw new UsageError('--db FILE is required');
  if (typeof model !== 'string') throw new UsageError('--model NAME is required');
  if (typeof below !== 'string') throw new UsageError('--below VERSION is required');
  let mirror: Mirror | undefined;
  try {
    mirror = Mirror.open(db);
    const r = vacuumTombstones(mirror, modelFor(mirror, model), below);
    const json = (v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v);
    if (values['json']) process.stdout.write(JSON.stringify(r, (_k, v: unknown) => json(v)) + '\n');
    else {
      process.stdout.write(
        `${r.model}: removed ${r.removed.toLocaleString('en-US')} tombstone${r.removed === 1 ? '' : 's'} below ${String(r.below)}; ` +
          `changes below it will be rejected${r.previous === undefined ? '' : ` (the watermark was ${String(r.previous)})`}\n`,
      );
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof MirrorError) {
      process.stderr.write(`mdl vacuum: ${e.message}\n`);
      return EXIT_ERRORS;
    }
    throw e;
  } finally {
    mirror?.close();
  }
}
