/**
 * Tombstone retention with a contract (mdl vacuum): a model's tombstones older than a watermark
 * are removed, and the watermark is recorded. A tombstone is what tells a late, older change
 * that its key was deleted after it; once it is gone, such a change could neither be applied
 * (it would resurrect the row) nor ignored (it might be new to the mirror) with certainty. So
 * from then on every change below the watermark is rejected with a reason that names it
 * (rows.ts, code below-watermark): never applied silently, never dropped silently.
 */

import { tableNames } from '../compile/apply.js';
import { storageClass } from '../compile/storage.js';
import { MirrorSql, purgeTombstonesSql, WATERMARKS_DDL } from '../compile/mirror-sql.js';
import { convertField, Rejection, type StoredValue } from '../ingest/convert.js';
import { findColumn, type Model } from '../ir.js';
import { MirrorError, whileBusy, type Mirror } from './mirror.js';

export interface VacuumReport {
  readonly model: string;
  /** The watermark, as stored (the version column's canonical form). */
  readonly below: StoredValue;
  /** Tombstones removed by this run. */
  readonly removed: number;
  /** The watermark before, if there was one. */
  readonly previous: StoredValue | undefined;
}

/** Removes `model`'s tombstones below `below` (text, read as the version column's type). */
export function vacuumTombstones(mirror: Mirror, model: Model, below: string): VacuumReport {
  const column = findColumn(model, model.version!.column)!;
  const converted = convertField(column.type, below);
  if (converted instanceof Rejection || converted === null) {
    throw new MirrorError(`--below ${JSON.stringify(below)} is not a version of ${model.name}: ${converted === null ? 'it is empty' : converted.reason}`);
  }
  // An integer version is bound as an INTEGER (a JavaScript number would be bound as a REAL).
  const value = typeof converted === 'number' && storageClass(column.type) === 'INTEGER' ? BigInt(converted) : converted;
  const db = mirror.db;
  const names = tableNames(model);
  // Under the write lock from the first read: the watermark read is the one moved forward.
  return whileBusy(() =>
    db
      .transaction((): VacuumReport => {
        const previous = mirror.watermark(model);
        if (previous && value < previous.below!) {
          throw new MirrorError(
            `the watermark of ${model.name} is ${String(previous.below)} (set at ${previous.at}); it only moves forward, and ${String(value)} is below it`,
          );
        }
        db.exec(WATERMARKS_DDL);
        const removed = db.prepare(purgeTombstonesSql(names.tombstones, model.version!.column)).run(value).changes;
        db.prepare(MirrorSql.setWatermark).run(model.name, value, new Date().toISOString(), removed);
        return { model: model.name, below: value, removed, previous: previous?.below };
      })
      .immediate(),
  );
}
