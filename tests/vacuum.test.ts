/**
 * Tombstone retention with a contract: `mdl vacuum` removes a model's tombstones below a
 * watermark and records it; afterwards every change below the watermark is rejected with a
 * reason naming it, whatever path it comes by, and the watermark only moves forward.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyChanges, openMirror, pushProject, runSql } from '../src/index.js';
import { mdl, project } from './helpers.js';

const MODELS = `
CREATE MODEL item (id BIGINT NOT NULL PRIMARY KEY, label STRING, seq BIGINT NOT NULL VERSION);
CREATE MODEL reading (sensor STRING NOT NULL PRIMARY KEY, value DOUBLE, at TIMESTAMP NOT NULL VERSION);
`;

function setup() {
  const dir = project({ 'models/m.mdl': MODELS });
  const db = join(dir, 'm.db');
  const mirror = openMirror(db, { create: true });
  pushProject(mirror, [join(dir, 'models')]);
  applyChanges(mirror, 'item', [
    { id: 1, label: 'one', seq: 1 },
    { id: 1, seq: 5, _change_request_type: 'd' },
    { id: 2, seq: 2, _change_request_type: 'd' },
    { id: 3, seq: 9, _change_request_type: 'd' },
  ]);
  mirror.close();
  return { dir, db };
}

describe('mdl vacuum', () => {
  it('removes the tombstones below the watermark, and then rejects older changes by every path', () => {
    const { dir, db } = setup();
    const r = mdl(['vacuum', '--db', db, '--model', 'item', '--below', '6']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('item: removed 2 tombstones below 6; changes below it will be rejected\n');

    const mirror = openMirror(db);
    expect(mirror.db.prepare('SELECT id, seq FROM item__tombstones').all()).toEqual([{ id: 3, seq: 9 }]);
    expect(mirror.db.prepare('SELECT model, below, removed FROM _mdl_watermarks').all()).toEqual([{ model: 'item', below: 6, removed: 2 }]);

    // The library: below the watermark rejected (upsert and delete alike); at it and above, the usual rules.
    const report = applyChanges(mirror, 'item', [
      { id: 1, label: 'late', seq: 3 },
      { id: 2, seq: 4, _change_request_type: 'd' },
      { id: 1, label: 'back', seq: 6 },
      { id: 3, label: 'older than its delete', seq: 8 },
    ]);
    expect(report).toMatchObject({ received: 4, rejected: 2, inserted: 1, stale: 1 });
    const rejects = mirror.db.prepare(`SELECT code, reason FROM _mdl_rejects ORDER BY id`).all() as { code: string; reason: string }[];
    expect(rejects.map((x) => x.code)).toEqual(['below-watermark', 'below-watermark']);
    expect(rejects[0]!.reason).toMatch(/^version 3 is below the watermark 6 set by mdl vacuum at \d{4}-\d\d-\d\dT/);

    // SQL: the same.
    const [o] = runSql(mirror, `INSERT INTO item VALUES (7, 'seven', 5)`);
    expect(o).toMatchObject({ kind: 'applied', report: { rejected: 1 } });
    mirror.close();

    // Files, through mdl ingest's reading thread: the same.
    const file = join(dir, 'c.csv');
    writeFileSync(file, 'id,label,seq\n8,eight,1\n9,nine,7\n');
    const ingest = mdl(['ingest', '--db', db, '--model', 'item', file]);
    expect(ingest.stdout).toContain('2 received: 1 inserted, 0 updated, 0 deleted, 0 tombstoned, 0 stale, 0 duplicate, 1 rejected');
  });

  it('only moves forward, reads the version by its type, and refuses what it cannot read', () => {
    const { db } = setup();
    expect(mdl(['vacuum', '--db', db, '--model', 'item', '--below', '6']).status).toBe(0);
    const back = mdl(['vacuum', '--db', db, '--model', 'item', '--below', '4']);
    expect(back.status).toBe(1);
    expect(back.stderr).toContain('it only moves forward, and 4 is below it');
    // A negative version is the option's value, not an option.
    expect(mdl(['vacuum', '--db', db, '--model', 'item', '--below', '-5']).stderr).toContain('it only moves forward, and -5 is below it');
    const forward = mdl(['vacuum', '--db', db, '--model', 'item', '--below', '10', '--json']);
    expect(JSON.parse(forward.stdout)).toEqual({ model: 'item', below: 10, removed: 1, previous: 6 });
    const bad = mdl(['vacuum', '--db', db, '--model', 'item', '--below', 'soon']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('is not a version of item');
    const ts = mdl(['vacuum', '--db', db, '--model', 'reading', '--below', '2024-01-01T01:00:00+01:00']);
    expect(ts.stdout).toBe('reading: removed 0 tombstones below 2024-01-01T00:00:00.000000Z; changes below it will be rejected\n');
    const unknown = mdl(['vacuum', '--db', db, '--model', 'iten', '--below', '1']);
    expect(unknown.stderr).toContain('did you mean item');
  });
});
