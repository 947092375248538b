/**
 * `mdl integrity`: orphans per relationship (a NULL reference is none), ONE TO ONE breaches,
 * --strict and --json, through the CLI.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyChanges, openMirror, pushProject } from '../src/index.js';
import { mdl, project } from './helpers.js';

const MODELS = `
CREATE MODEL account (id BIGINT NOT NULL PRIMARY KEY, region STRING NOT NULL, v BIGINT NOT NULL VERSION, UNIQUE (id, region));
CREATE MODEL contact (
  id BIGINT NOT NULL PRIMARY KEY,
  account_id BIGINT, region STRING,
  v BIGINT NOT NULL VERSION,
  FOREIGN KEY (account_id, region) REFERENCES account (id, region)
);
CREATE MODEL billing (
  id BIGINT NOT NULL PRIMARY KEY,
  account_id BIGINT NOT NULL UNIQUE REFERENCES account ONE TO ONE,
  v BIGINT NOT NULL VERSION
);`;

function setup(): string {
  const dir = project({ 'models/m.mdl': MODELS });
  const db = join(dir, 'm.db');
  const mirror = openMirror(db, { create: true });
  pushProject(mirror, [join(dir, 'models')]);
  applyChanges(mirror, 'account', [{ id: 1, region: 'eu', v: 1 }]);
  applyChanges(mirror, 'contact', [
    { id: 10, account_id: 1, region: 'eu', v: 1 }, // fine
    { id: 11, account_id: 1, region: 'us', v: 1 }, // orphan: no (1, us)
    { id: 12, account_id: 2, region: 'eu', v: 1 }, // orphan: the parent has not arrived
    { id: 13, account_id: 2, region: null, v: 1 }, // a NULL in the reference: refers to nothing
  ]);
  applyChanges(mirror, 'billing', [
    { id: 20, account_id: 1, v: 1 },
    { id: 21, account_id: 1, v: 1 }, // a second billing row for account 1: a ONE TO ONE breach
  ]);
  mirror.close();
  return db;
}

describe('mdl integrity', () => {
  it('lists orphans and ONE TO ONE breaches per relationship, with sample keys', () => {
    const db = setup();
    const r = mdl(['integrity', '--db', db]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('FOUND contact (account_id, region) -> account (id, region) M:0 [fk_account_id_region]');
    expect(r.stdout).toContain('2 orphans, e.g. contact [11], [12]');
    expect(r.stdout).toContain('FOUND billing (account_id) -> account (id) 1:1 [fk_account_id]');
    expect(r.stdout).toContain('1 account row with more than one billing (one to one), e.g. account [1] has 2');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('2 orphans, 1 cardinality breach');
  });

  it('--strict exits 1 when something is found, 0 when nothing is; --json gives the report', () => {
    const db = setup();
    expect(mdl(['integrity', '--db', db, '--strict']).status).toBe(1);
    const json = JSON.parse(mdl(['integrity', '--db', db, '--json']).stdout);
    expect(json).toMatchObject({ orphans: 2, breaches: 1 });
    // Each sample key is the JSON array it is, not a string holding one.
    expect(json.relationships.find((x: { model: string }) => x.model === 'contact')).toMatchObject({ orphans: 2, orphanSamples: [[11], [12]] });
    expect(json.relationships.find((x: { model: string }) => x.model === 'billing')).toMatchObject({ breaches: 1, breachSamples: [{ target: [1], children: 2 }] });
    const clean = project({ 'models/m.mdl': MODELS });
    const cleanDb = join(clean, 'c.db');
    const mirror = openMirror(cleanDb, { create: true });
    pushProject(mirror, [join(clean, 'models')]);
    mirror.close();
    const ok = mdl(['integrity', '--db', cleanDb, '--strict']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('0 orphans, 0 cardinality breaches');
  });
});
