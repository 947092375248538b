/**
 * Hostile and broken input, enumerated case by case, end to end through the CLI and the library:
 *
 * 1. names: quotes, spaces, SQL and mdl keywords, Unicode (accents, CJK, emoji, right-to-left),
 *    case, great length, in models WITH HISTORY and TIME SERIES related to one another; each
 *    compiles, pushes, ingests, reads back, precision-deletes across CASCADE and SET NULL,
 *    reports its integrity, vacuums and reads its history;
 * 2. values at the edges of every type: each is stored exactly or rejected with a reason, and
 *    what is read back equals what was sent;
 * 3. broken CSV and JSON Lines files: each gives a reject with a reason, or one clear line of
 *    error for the whole file with nothing applied; every row is accounted for;
 * 4. injection through every place a user names something: nothing but the intended effect;
 * 5. a source-level check that no SQL in src/compile/ is built from text that was not quoted
 *    (a taint analysis with the TypeScript checker), and that nothing outside it builds SQL.
 *
 * tests/fuzz.test.ts throws random input at the same surfaces; these are the cases chosen by hand.
 */

import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { applyChanges, compileProject, historyAsOf, ingest, keyHistory, MirrorError, openMirror, runSql, type Mirror } from '../src/index.js';
import { MAX_RECORD_CHARS, readCsv } from '../src/ingest/csv.js';
import { readJsonl } from '../src/ingest/jsonl.js';
import { bin, project, root, type Run } from './helpers.js';
import type { Counts } from '../src/ingest/ingest.js';

// --- helpers ---------------------------------------------------------------------------------

/** The real mdl binary, with `input` piped to it (the REPL reads a script from stdin). */
function mdl(args: readonly string[], options: { input?: string } = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  delete env['FORCE_COLOR'];
  // Output holds megabyte values: more than spawnSync's default buffer.
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, env, input: options.input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A name as mdl and SQL both quote it. */
const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** A string literal as mdl and SQL both write it. */
const lit = (text: string): string => `'${text.replace(/'/g, "''")}'`;
/** A CSV line, every field quoted; null is an empty unquoted field (NULL). */
const csvLine = (fields: readonly (string | null)[]): string => fields.map((f) => (f === null ? '' : `"${f.replace(/"/g, '""')}"`)).join(',');


interface IngestJson extends Counts {
  readonly model: string;
  readonly files: readonly (Counts & { readonly file: string })[];
}

function accounted(r: Counts): void {
  expect(r.received, JSON.stringify(r)).toBe(r.inserted + r.updated + r.deleted + r.tombstoned + r.stale + r.duplicate + r.rejected);
}

/** The command succeeded and said nothing on stderr; its stdout. */
function ok(r: Run): string {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

function json<T>(r: Run): T {
  return JSON.parse(ok(r)) as T;
}

/** The command failed with exit 1 and one line on stderr that matches. */
function failsInOneLine(r: Run, pattern: RegExp): void {
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n') && !r.stderr.slice(0, -1).includes('\n'), r.stderr).toBe(true);
  expect(r.stderr.trimEnd()).toMatch(pattern);
  expect(r.status).toBe(1);
}

/** Every object of the database, and every row of every table: what "nothing changed" compares. */
function snapshot(file: string): { objects: unknown[]; rows: Record<string, unknown[]> } {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.defaultSafeIntegers(true);
    const objects = db.prepare(`SELECT "type", "name", "tbl_name", "sql" FROM "sqlite_master" ORDER BY "type", "name"`).all() as { type: string; name: string }[];
    const rows: Record<string, unknown[]> = {};
    for (const o of objects) if (o.type === 'table') rows[o.name] = db.prepare(`SELECT * FROM ${q(o.name)} ORDER BY rowid`).all();
    return { objects, rows };
  } finally {
    db.close();
  }
}

/** Rows of a query on a mirror, integers exact (bigint). */
function rows(m: Mirror, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  return m.db.prepare(sql).safeIntegers(true).all(...params) as Record<string, unknown>[];
}

function rejects(m: Mirror, source: string): { line: number | bigint | null; raw: string; code: string; reason: string }[] {
  return rows(m, `SELECT "line", "raw", "code", "reason" FROM "_mdl_rejects" WHERE "source" = ? ORDER BY "id"`, source) as never;
}

// --- 1. names ----------------------------------------------------------------------------------

/** Both quotes, a space, an accent and CJK. */
const P = `pa"rent 'é' 表`;
/** An SQL keyword. */
const C = 'table';
/** Emoji, and right-to-left text between direction marks. */
const T = '🚀 events \u200fשלום\u200e';
/**
 * A long name. SQLite limits names only through the length of a statement (a billion bytes),
 * and a name appears in a statement dozens of times: 100,000 bytes of UTF-8 stands for "as long
 * as anyone will write", and stays under the 128 KiB a single command-line argument may hold.
 */
const LONG = `ℓ${'名'.repeat(33_333)}`;
const LONG_KEY = `k${'é'.repeat(49_999)}`;

const NAMES_MDL = `
-- Every name here needs quoting; some differ in case from where they are declared.
CREATE MODEL ${q(P)} (
  ${q('select')} STRING NOT NULL PRIMARY KEY,
  ${q('order')} BIGINT NOT NULL VERSION,
  ${q(`na"me 'x'`)} STRING,
  ${q('שלום עולם')} STRING,
  ${q('Ключ')} STRING,
  ${q('👩‍👩‍👧')} STRING
) WITH HISTORY COMMENT ${lit(`parent: it's "quoted" -- not SQL */`)};

CREATE MODEL ${q(C)} (
  ${q('primary')} STRING NOT NULL PRIMARY KEY,
  ${q('version')} BIGINT NOT NULL VERSION,
  ${q('parent ref')} STRING REFERENCES ${q(P.toUpperCase())} ON DELETE CASCADE,
  ${q('nullable ref')} STRING,
  CONSTRAINT ${q('fk "x"; DROP TABLE _mdl_models; --')} FOREIGN KEY (${q('NULLABLE REF')}) REFERENCES ${q(P)} (${q('SELECT')}) ON DELETE SET NULL
);

CREATE MODEL ${q(T)} (
  ${q('id')} STRING NOT NULL,
  ${q('at time')} TIMESTAMP NOT NULL,
  ${q('seq')} BIGINT NOT NULL,
  ${q('to table')} STRING REFERENCES ${q('TABLE')} ON DELETE SET NULL,
  ${q('note')} STRING,
  PRIMARY KEY (${q('id')}, ${q('at time')}),
  VERSION (${q('seq')}),
  TIMESTAMP (${q('at time')})
) BEHAVIOR TIME SERIES WITH HISTORY;

CREATE MODEL ${q(LONG)} (
  ${q(LONG_KEY)} STRING NOT NULL PRIMARY KEY,
  v BIGINT NOT NULL VERSION,
  owner STRING REFERENCES ${q(P)} ON DELETE CASCADE
);
`;

const P_HEADER = ['SELECT', 'ORDER', `NA"ME 'X'`, 'שלום עולם', 'ключ', '👩‍👩‍👧'];
const P_ROWS: (string | null)[][] = [
  ['p1', '1', 'x "quoted", with a comma', 'line 1\nline 2', 'значение', '😀'],
  [`p2 "q"`, '1', null, null, null, null],
  [`p3';--`, '1', '', '', '', ''],
  ['p1', '2', 'x "quoted", with a comma', 'line 1\r\nline 2', 'значение', '😀'],
];

describe('names with quotes, spaces, keywords, Unicode, case and length', () => {
  it('compile, push, ingest, read back, delete across CASCADE and SET NULL, report, vacuum and read history', () => {
    const dir = project({ 'models/names.mdl': NAMES_MDL });
    const models = join(dir, 'models');
    const db = join(dir, 'names.db');
    expect(ok(mdl(['check', models]))).toMatch(/^ok: 4 models, 4 relationships in 1 file/);

    // The compiled script runs as it is, and builds exactly these tables.
    const script = join(dir, 'schema.sql');
    expect(mdl(['compile', models, '-o', script]).status).toBe(0);
    const fresh = new Database(':memory:');
    fresh.exec(readFileSync(script, 'utf8'));
    const built = (fresh.prepare(`SELECT "name" FROM "_mdl_models" ORDER BY "name"`).all() as { name: string }[]).map((r) => r.name);
    expect(built).toEqual([C, P, LONG, T].sort());
    const objects = new Set((fresh.prepare(`SELECT "name" FROM "sqlite_master"`).all() as { name: string }[]).map((r) => r.name));
    for (const n of [P, C, T, LONG]) expect(objects.has(n) && objects.has(`${n}__tombstones`)).toBe(true);
    for (const n of [P, T]) for (const s of ['__versions', '__history', '__history_erased']) expect(objects.has(`${n}${s}`)).toBe(true);
    fresh.close();

    expect(ok(mdl(['push', models, '--db', db]))).toContain('created 4 models');

    // The CSV header and the JSON Lines keys name the columns in another case.
    const pCsv = join(dir, 'parent.csv');
    writeFileSync(pCsv, [P_HEADER, ...P_ROWS].map(csvLine).join('\r\n') + '\r\n');
    const pReport = json<IngestJson>(mdl(['ingest', '--db', db, '--model', P, pCsv, '--json']));
    expect(pReport).toMatchObject({ model: P, received: 4, rejected: 0 });
    accounted(pReport);
    const cJsonl = join(dir, 'table.jsonl');
    writeFileSync(
      cJsonl,
      [
        { PRIMARY: 'c1', Version: 1, 'Parent Ref': 'p1', 'nullable REF': `p2 "q"` },
        { primary: 'c2', version: 1, 'parent ref': `p2 "q"`, 'nullable ref': 'p1' },
        { primary: 'c3', version: 1, 'parent ref': 'nobody' },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    expect(json<IngestJson>(mdl(['ingest', '--db', db, '--model', 'TABLE', cJsonl, '--json']))).toMatchObject({ model: C, received: 3, inserted: 3 });
    const tJsonl = join(dir, 'events.jsonl');
    writeFileSync(
      tJsonl,
      [
        { id: 't1', 'AT TIME': '2024-01-01T00:00:00+02:00', seq: 1, 'to table': 'c1', note: 'first' },
        { id: 't1', 'at time': '2023-12-31T22:00:00Z', seq: 2, 'to table': 'c1', note: 'second' },
        { id: 't2', 'at time': '2024-01-02T00:00:00Z', seq: 1, 'to table': 'c2' },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n') + '\n',
    );
    expect(json<IngestJson>(mdl(['ingest', '--db', db, '--model', T, tJsonl, '--json']))).toMatchObject({ received: 3, inserted: 2, rejected: 0 });
    const lJsonl = join(dir, 'long.jsonl');
    writeFileSync(lJsonl, `${JSON.stringify({ [LONG_KEY]: 'l1', V: 1, owner: 'p1' })}\n${JSON.stringify({ [LONG_KEY.toUpperCase()]: 'l2', v: 1, OWNER: `p2 "q"` })}\n`);
    expect(json<IngestJson>(mdl(['ingest', '--db', db, '--model', LONG, lJsonl, '--json']))).toMatchObject({ received: 2, inserted: 2 });

    // Read back through mdl sql, exactly.
    const back = json<Record<string, unknown>[]>(mdl(['sql', '--db', db, '--format', 'json', '-e', `SELECT * FROM ${q(P)} ORDER BY ${q('select')}`]));
    const columns = ['select', 'order', `na"me 'x'`, 'שלום עולם', 'Ключ', '👩‍👩‍👧'];
    const expected = [P_ROWS[3]!, P_ROWS[1]!, P_ROWS[2]!].map((r) => Object.fromEntries(columns.map((c, i) => [c, i === 1 ? Number(r[i]) : r[i]])));
    expect(back).toEqual(expected);

    // The orphan, reported under the relationships' own names.
    const integrity = json<{ relationships: { model: string; relationship: string; target: string; orphans: number; orphanSamples: unknown[][] }[] }>(
      mdl(['integrity', '--db', db, '--json']),
    );
    expect(integrity.relationships.map((r) => [r.model, r.relationship, r.target, r.orphans, r.orphanSamples]).sort()).toEqual(
      [
        [C, 'fk_parent ref', P, 1, [['c3']]],
        [C, 'fk "x"; DROP TABLE _mdl_models; --', P, 0, []],
        [T, 'fk_to table', C, 0, []],
        [LONG, 'fk_owner', P, 0, []],
      ].sort(),
    );

    // A precision delete: p1 goes, with its children (CASCADE) and their children's references
    // (SET NULL), across every hostile name. node-sql-parser cannot read a doubled quote in a
    // name, so the statement quotes P with backticks, which SQLite reads the same.
    const deleted = ok(mdl(['sql', '--db', db, '-e', `DELETE FROM \`${P}\` WHERE ${q('select')} = 'p1'`]));
    expect(deleted).toMatch(/deleted 3 rows, cleared 2 references/);
    const m = openMirror(db);
    try {
      expect(rows(m, `SELECT ${q('select')} AS k FROM ${q(P)} ORDER BY 1`).map((r) => r['k'])).toEqual([`p2 "q"`, `p3';--`]);
      expect(rows(m, `SELECT * FROM ${q(`${P}__tombstones`)}`)).toEqual([{ select: 'p1', order: 2n }]);
      expect(rows(m, `SELECT ${q('primary')} AS k, ${q('nullable ref')} AS n FROM ${q(C)} ORDER BY 1`)).toEqual([
        { k: 'c2', n: null },
        { k: 'c3', n: null },
      ]);
      expect(rows(m, `SELECT * FROM ${q(`${C}__tombstones`)}`)).toEqual([{ primary: 'c1', version: 1n }]);
      expect(rows(m, `SELECT ${q('id')} AS id, ${q('to table')} AS t FROM ${q(T)} ORDER BY 1`)).toEqual([
        { id: 't1', t: null },
        { id: 't2', t: 'c2' },
      ]);
      expect(rows(m, `SELECT ${q(LONG_KEY)} AS k FROM ${q(LONG)}`)).toEqual([{ k: 'l2' }]);
      expect(rows(m, `SELECT "model", "deleted", "cleared" FROM "_mdl_hygiene"`)).toEqual([{ model: P, deleted: 3n, cleared: 2n }]);

      // History: p1's is erased; t1's current version carries the cleared reference.
      expect(keyHistory(m, P, ['p1'])).toEqual([]);
      expect(keyHistory(m, P, [`p2 "q"`]).map((r) => [r['select'], r.valid_from, r.valid_to])).toEqual([[`p2 "q"`, 1, null]]);
      expect(keyHistory(m, T, ['t1', '2024-01-01T00:00:00+02:00']).map((r) => [r['seq'], r['to table'], r['note']])).toEqual([
        [1, 'c1', 'first'],
        [2, null, 'second'],
      ]);
      expect(historyAsOf(m, T, 1).map((r) => [r['id'], r['to table']])).toEqual([
        ['t1', 'c1'],
        ['t2', 'c2'],
      ]);
    } finally {
      m.close();
    }

    // Replaying every file changes nothing: the tombstones and the cleared references hold.
    const before = snapshot(db);
    const again = openMirror(db);
    try {
      for (const [model, file] of [[P, pCsv], [C, cJsonl], [T, tJsonl], [LONG, lJsonl]] as const) {
        // force: the same content would otherwise be recognised and not applied at all.
        const r = ingest(again, model, [file], { force: true });
        expect(r.received).toBeGreaterThan(0);
        expect(r.inserted + r.updated + r.deleted + r.rejected).toBe(0);
      }
    } finally {
      again.close();
    }
    const after = snapshot(db);
    for (const table of [P, C, T, LONG, `${P}__tombstones`, `${P}__versions`, `${T}__versions`]) expect(after.rows[table]).toEqual(before.rows[table]);

    // Vacuum below p1's tombstone; an older change is then rejected, naming the watermark.
    expect(json<{ model: string; removed: number }>(mdl(['vacuum', '--db', db, '--model', P, '--below', '3', '--json']))).toMatchObject({ model: P, removed: 1 });
    const old = join(dir, 'old.csv');
    writeFileSync(old, `${csvLine(P_HEADER)}\n${csvLine([`p2 "q"`, '2', 'late', null, null, null])}\n`);
    expect(json<IngestJson>(mdl(['ingest', '--db', db, '--model', P, old, '--json']))).toMatchObject({ received: 1, rejected: 1 });

    // The REPL names them too: quoted as in SQL.
    const repl = mdl(['repl', '--db', db], { input: `.describe ${q(P)}\n.history ${q(T)} t2 "2024-01-02T00:00:00Z"\n.mode json\nSELECT ${q('na"me \'x\'')} AS v FROM ${q(P)} ORDER BY 1;\n` });
    expect(repl.stderr).toBe('');
    expect(repl.status).toBe(0);
    for (const c of columns) expect(repl.stdout).toContain(c);
    expect(repl.stdout).toContain('2024-01-02T00:00:00.000000Z');
    expect(repl.stdout).toContain('[{"v":null},{"v":""}]');

    // Diagrams and formatting keep every name.
    const dot = ok(mdl(['diagram', models, '--format', 'dot']));
    for (const n of [P, C, T, LONG]) expect(dot).toContain(`"${n.replace(/"/g, '\\"')}"`);
    const mermaid = ok(mdl(['diagram', models]));
    expect(mermaid.split('\n').filter((l) => /^ {4}\S.*\{$/.test(l))).toHaveLength(4);
    const copy = join(dir, 'formatted');
    cpSync(models, copy, { recursive: true });
    expect(mdl(['fmt', copy]).status).toBe(0);
    const check = mdl(['fmt', '--check', copy]);
    expect([check.status, check.stdout]).toEqual([0, '']);
    const fingerprints = (paths: string[]) => compileProject(paths).program!.models.map((x) => [x.model, x.sourceHash]);
    expect(fingerprints([copy])).toEqual(fingerprints([models]));
  });

  it('names that differ only in case are one name: a second declaration is an error', () => {
    const dir = project({
      'm.mdl': `
CREATE MODEL Mixed (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION, "Név" STRING, "NÉV" STRING);
CREATE MODEL MIXED (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);
CREATE MODEL "Ünï" (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);
CREATE MODEL "üNÏ" (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);
`,
    });
    const r = mdl(['check', dir, '--format', 'json']);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { diagnostics: { name: string; message: string }[] };
    expect(out.diagnostics.map((d) => [d.name, d.message])).toEqual([
      ['duplicate-column', 'column NÉV is declared more than once in model Mixed'],
      ['duplicate-model', 'model MIXED is declared more than once'],
      ['duplicate-model', 'model üNÏ is declared more than once'],
    ]);
  });

  // SQLite reads SQL only up to a NUL: a name cannot hold one (MDL4003), nor get as far as push.
  it('a NUL in a name is an error of the model, not of SQLite', () => {
    const dir = project({ 'm.mdl': `CREATE MODEL "a\u0000b" (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\n` });
    const r = mdl(['check', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr + r.stdout).toContain('MDL4003');
    const push = mdl(['push', dir, '--db', join(dir, 'm.db')]);
    expect(push.status).toBe(1);
    expect(push.stderr).toContain('nothing pushed');
  });
});

// --- 2. values -----------------------------------------------------------------------------------

const VALUES_MDL = `
CREATE MODEL v (
  id   STRING NOT NULL PRIMARY KEY,
  seq  BIGINT NOT NULL VERSION,
  s    STRING,
  vc   VARCHAR(3),
  i    BIGINT,
  si   SMALLINT,
  d    DOUBLE,
  dec  DECIMAL(10, 2),
  big  DECIMAL(38, 0),
  b    BOOLEAN,
  dt   DATE,
  ts   TIMESTAMP,
  j    JSON
);
`;

/** A megabyte of text with everything a reader must not trip on: quotes, commas, line breaks, NUL, emoji. */
const MEGABYTE_UNIT = `a"b',c\r\nd\ne\rf\u0000g😀é表 `;
const MEGABYTE = MEGABYTE_UNIT.repeat(Math.ceil((1 << 20) / MEGABYTE_UNIT.length));

/**
 * [id, column, the value as JSON Lines writes it, what is stored (exactly) or why it is rejected].
 * Integers come back as bigint (read with safeIntegers), decimals of scale > 0 or precision > 18
 * as their canonical text.
 */
const VALUE_CASES: readonly (readonly [string, string, string, unknown])[] = [
  ['quotes', 's', JSON.stringify(`she said "hi" and 'bye' \`x\``), `she said "hi" and 'bye' \`x\``],
  ['line breaks', 's', JSON.stringify('a\nb\r\nc\rd'), 'a\nb\r\nc\rd'],
  ['nul', 's', JSON.stringify('a\u0000b'), 'a\u0000b'],
  ['emoji', 's', JSON.stringify('😀👩‍👩‍👧🇫🇷'), '😀👩‍👩‍👧🇫🇷'],
  ['surrogate pair escaped', 's', '"\\ud83d\\ude00"', '😀'],
  ['lone high surrogate', 's', '"\\ud800"', /lone surrogate/],
  ['lone low surrogate', 's', '"x\\udc00y"', /lone surrogate/],
  ['megabyte', 's', JSON.stringify(MEGABYTE), MEGABYTE],
  ['long number as text', 's', '1'.repeat(1000), '1'.repeat(1000)],
  ['decimal as text', 's', '123456789012345678901234567890.000', '123456789012345678901234567890.000'],
  ['3 emoji in VARCHAR(3)', 'vc', JSON.stringify('😀😀😀'), '😀😀😀'],
  ['4 emoji in VARCHAR(3)', 'vc', JSON.stringify('😀😀😀😀'), /is 4 characters, longer than VARCHAR\(3\) allows/],
  ['2^63 - 1', 'i', '9223372036854775807', 9223372036854775807n],
  ['-2^63', 'i', '-9223372036854775808', -9223372036854775808n],
  ['2^63', 'i', '9223372036854775808', /out of range for BIGINT/],
  ['-2^63 - 1', 'i', '-9223372036854775809', /out of range for BIGINT/],
  ['1000 digits', 'i', '9'.repeat(1000), /out of range for BIGINT/],
  ['integer in text', 'i', '"  42  "', 42n],
  ['integer -0', 'i', '-0', 0n],
  ['integer 1.0', 'i', '1.0', /not an integer/],
  ['2^15', 'si', '32768', /out of range for SMALLINT/],
  ['double -0', 'd', '-0', 0],
  ['double -0.0e5', 'd', '"-0.0e5"', 0],
  ['NaN', 'd', '"NaN"', /not a number/],
  ['Infinity', 'd', '"Infinity"', /not a number/],
  ['-Infinity', 'd', '"-Infinity"', /not a number/],
  ['1e400', 'd', '1e400', /out of range for DOUBLE/],
  ['1000 digit double', 'd', '9'.repeat(1000), /out of range for DOUBLE/],
  ['1e-400', 'd', '1e-400', /too small for DOUBLE/],
  ['smallest subnormal', 'd', '5e-324', 5e-324],
  ['0.1', 'd', '0.1', 0.1],
  ['decimal that fits', 'dec', '12345678.12', '12345678.12'],
  ['decimal padded', 'dec', '1.5', '1.50'],
  ['decimal -0', 'dec', '"-0.00"', '0.00'],
  ['decimal, a digit too many after the point', 'dec', '1.234', /is not a decimal that fits DECIMAL\(10, 2\)/],
  ['decimal, a digit too many before it', 'dec', '123456789.12', /is not a decimal that fits DECIMAL\(10, 2\)/],
  ['decimal with an exponent', 'dec', '1e2', /is not a decimal that fits/],
  ['38 digits', 'big', '3'.repeat(38), '3'.repeat(38)],
  ['39 digits', 'big', '3'.repeat(39), /is not a decimal that fits DECIMAL\(38, 0\)/],
  ['boolean YES', 'b', '"YES"', 1n],
  ['boolean maybe', 'b', '"maybe"', /not a boolean/],
  ['first date', 'dt', '"0001-01-01"', '0001-01-01'],
  ['last date', 'dt', '"9999-12-31"', '9999-12-31'],
  ['leap day', 'dt', '"2024-02-29"', '2024-02-29'],
  ['no leap day', 'dt', '"2023-02-29"', /not a date/],
  ['month 13', 'dt', '"2024-13-01"', /not a date/],
  ['year 10000', 'dt', '"10000-01-01"', /not a date/],
  ['first instant', 'ts', '"0001-01-01T00:00:00Z"', '0001-01-01T00:00:00.000000Z'],
  ['last instant', 'ts', '"9999-12-31T23:59:59.999999Z"', '9999-12-31T23:59:59.999999Z'],
  ['past the last instant by its offset', 'ts', '"9999-12-31T23:59:59-01:00"', /not a timestamp/],
  ['an offset across the date line', 'ts', '"2024-03-10T02:30:00+14:00"', '2024-03-09T12:30:00.000000Z'],
  ['leap second', 'ts', '"2016-12-31T23:59:60Z"', /not a timestamp/],
  ['nanoseconds', 'ts', '"2024-01-01T00:00:00.123456789Z"', /finer than a microsecond/],
  ['nanoseconds that are zero', 'ts', '"2024-01-01T00:00:00.123456000Z"', '2024-01-01T00:00:00.123456Z'],
  ['JSON with big numbers and a lone surrogate escaped', 'j', '{"a":[1,{"b":"\\ud800"}],"n":123456789012345678901234567890}', '{"a":[1,{"b":"\\ud800"}],"n":123456789012345678901234567890}'],
  ['JSON broken', 'j', '"{not json"', /not a JSON document/],
];

describe('values at the edges of every type', () => {
  function setup(): { dir: string; db: string } {
    const dir = project({ 'models/v.mdl': VALUES_MDL });
    const db = join(dir, 'v.db');
    ok(mdl(['push', join(dir, 'models'), '--db', db]));
    return { dir, db };
  }

  it('from JSON Lines: each stored exactly or rejected with a reason, and read back as sent', () => {
    const { dir, db } = setup();
    const lines = VALUE_CASES.map(([id, column, value]) => `{"id":${JSON.stringify(id)},"seq":1,${JSON.stringify(column)}:${value}}`);
    // Keys and versions at their edges too: a NUL in a key, a megabyte key, the greatest version.
    lines.push(`{"id":"nul\\u0000key","seq":1}`, `{"id":${JSON.stringify(`k${MEGABYTE}`)},"seq":1}`, `{"id":"max version","seq":9223372036854775807}`);
    lines.push(`{"id":"version past 2^63","seq":9223372036854775808}`, `{"id":"version 1.5","seq":1.5}`, `{"id":"\\udfff","seq":1}`);
    const file = join(dir, 'values.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const report = json<IngestJson>(mdl(['ingest', '--db', db, '--model', 'v', file, '--json']));
    accounted(report);
    const rejectedCases = VALUE_CASES.filter((c) => c[3] instanceof RegExp);
    expect(report).toMatchObject({ received: lines.length, inserted: lines.length - rejectedCases.length - 3, rejected: rejectedCases.length + 3 });

    const m = openMirror(db);
    try {
      const stored = new Map(rows(m, 'SELECT * FROM v').map((r) => [r['id'] as string, r]));
      const why = new Map(rejects(m, file).map((r) => [Number(r.line), r]));
      VALUE_CASES.forEach(([id, column, , expected], i) => {
        if (expected instanceof RegExp) {
          expect(stored.has(id), id).toBe(false);
          const r = why.get(i + 1)!;
          expect(r.raw, id).toBe(lines[i]);
          expect(r.reason, id).toMatch(expected);
          expect(r.code, id).toBe(expected.source.includes('surrogate') ? 'malformed-row' : 'bad-value');
        } else {
          const value = stored.get(id)?.[column];
          expect(value, id).toEqual(expected);
          if (expected === 0) expect(Object.is(value, 0), `${id} is +0`).toBe(true);
        }
      });
      expect(stored.has('nul\u0000key')).toBe(true);
      expect(stored.has(`k${MEGABYTE}`)).toBe(true);
      expect(stored.get('max version')!['seq']).toBe(9223372036854775807n);
      expect([...why.values()].slice(-3).map((r) => [r.code, r.reason])).toEqual([
        ['missing-version', expect.stringMatching(/out of range for BIGINT/)],
        ['missing-version', expect.stringMatching(/not an integer/)],
        ['malformed-row', expect.stringMatching(/lone surrogate/)],
      ]);
      // A key holding a NUL is a key like any other: a delete finds it.
      expect(applyChanges(m, 'v', [{ id: 'nul\u0000key', seq: 2, _change_request_type: 'd' }])).toMatchObject({ deleted: 1 });
    } finally {
      m.close();
    }

    // mdl sql prints them back exactly (JSON escapes the NUL; the megabyte comes back whole).
    const out = json<{ id: string; s: string | null }[]>(mdl(['sql', '--db', db, '--format', 'json', '-e', `SELECT id, s FROM v WHERE s IS NOT NULL ORDER BY id`]));
    const texts = VALUE_CASES.filter(([, c, , e]) => c === 's' && typeof e === 'string');
    expect(Object.fromEntries(out.map((r) => [r.id, r.s]))).toEqual(Object.fromEntries(texts.map(([id, , , e]) => [id, e])));
  });

  it('from CSV: quotes, line breaks in quoted fields, NUL bytes, empty and NULL, a megabyte, read back as sent', () => {
    const { dir, db } = setup();
    const cases: [string, string | null, string][] = [
      ['quotes', `she said "hi", then 'bye'`, csvLine([`she said "hi", then 'bye'`])],
      ['crlf inside quotes', 'a\r\nb', csvLine(['a\r\nb'])],
      ['cr inside quotes', 'a\rb', csvLine(['a\rb'])],
      ['nul quoted', 'a\u0000b', csvLine(['a\u0000b'])],
      ['nul unquoted', 'a\u0000b', 'a\u0000b'],
      ['spaces kept in text', '  padded  ', '  padded  '],
      ['quoted empty is empty', '', '""'],
      ['unquoted empty is NULL', null, ''],
      ['megabyte', MEGABYTE, csvLine([MEGABYTE])],
    ];
    const file = join(dir, 'values.csv');
    writeFileSync(file, `id,seq,s\n${cases.map(([id, , field]) => `${csvLine([id, '1'])},${field}`).join('\n')}\n`);
    const report = json<IngestJson>(mdl(['ingest', '--db', db, '--model', 'v', file, '--json']));
    expect(report).toMatchObject({ received: cases.length, inserted: cases.length, rejected: 0 });
    const out = json<{ id: string; s: string | null }[]>(mdl(['sql', '--db', db, '--format', 'json', '-e', 'SELECT id, s FROM v ORDER BY id']));
    expect(Object.fromEntries(out.map((r) => [r.id, r.s]))).toEqual(Object.fromEntries(cases.map(([id, s]) => [id, s])));
  });

  it('from the library and from INSERT INTO: JavaScript values and SQL expressions', () => {
    const { db } = setup();
    const m = openMirror(db);
    try {
      const report = applyChanges(m, 'v', [
        { id: 'js lone surrogate', seq: 1, s: 'a\ud800b' },
        { id: 'js lone surrogate key \udfff', seq: 1 },
        { id: 'js -0', seq: 1, d: -0 },
        { id: 'js NaN', seq: 1, d: NaN },
        { id: 'js -Infinity', seq: 1, d: -Infinity },
        { id: 'js bigint', seq: 2n ** 63n - 1n, i: -(2n ** 63n) },
        { id: 'js bigint past 2^63', seq: 2n ** 63n },
        { id: 'js Date', seq: 1, ts: new Date('0001-01-01T00:00:00Z') },
        { id: 'js object', seq: 1, s: { a: 1 } },
      ]);
      accounted(report);
      expect(report).toMatchObject({ received: 9, inserted: 3, rejected: 6 });
      expect(rows(m, 'SELECT code, reason FROM _mdl_rejects ORDER BY id').map((r) => `${String(r['code'])}: ${String(r['reason'])}`)).toEqual([
        expect.stringMatching(/^bad-value: column s: "a\\ud800b" holds a lone surrogate \(U\+D800 at character 2\)/),
        expect.stringMatching(/^missing-key: the primary key column id: .*lone surrogate \(U\+DFFF/),
        expect.stringMatching(/^bad-value: column d: "NaN" is not a number/),
        expect.stringMatching(/^bad-value: column d: "-Infinity" is not a number/),
        expect.stringMatching(/^missing-version: .*out of range for BIGINT/),
        expect.stringMatching(/^bad-value: column s: expected STRING, found a JSON object/),
      ]);
      expect(rows(m, 'SELECT id, seq, i, d, ts FROM v ORDER BY id')).toEqual([
        { id: 'js -0', seq: 1n, i: null, d: 0, ts: null },
        { id: 'js Date', seq: 1n, i: null, d: null, ts: '0001-01-01T00:00:00.000000Z' },
        { id: 'js bigint', seq: 9223372036854775807n, i: -9223372036854775808n, d: null, ts: null },
      ]);

      // SQL expressions: quotes, a NUL made by char(0), the greatest integer, and a literal
      // past it (SQLite reads that as a REAL, which no BIGINT holds).
      const [applied] = runSql(
        m,
        `INSERT INTO v (id, seq, s, i, d) VALUES ('it''s', 1, 'x' || char(0) || 'y', 9223372036854775807, -0.0), ('past 2^63', 1, NULL, 9223372036854775808, NULL)`,
      );
      expect(applied).toMatchObject({ kind: 'applied', report: { received: 2, inserted: 1, rejected: 1 } });
      expect(rows(m, `SELECT s, i, d FROM v WHERE id = 'it''s'`)).toEqual([{ s: 'x\u0000y', i: 9223372036854775807n, d: 0 }]);
      expect(rows(m, `SELECT reason FROM _mdl_rejects WHERE raw LIKE '["past 2^63"%'`)).toEqual([{ reason: expect.stringMatching(/out of range for BIGINT/) }]);
    } finally {
      m.close();
    }
  });

  // String() would write 2 ** 60 as 1152921504606847000, a different integer.
  it('a JavaScript number beyond 2^53 is stored as the integer it is', () => {
    const { db } = setup();
    const m = openMirror(db);
    try {
      applyChanges(m, 'v', [{ id: 'big', seq: 1, i: 2 ** 60 }]);
      expect(rows(m, `SELECT i FROM v`)).toEqual([{ i: 2n ** 60n }]);
    } finally {
      m.close();
    }
  });
});

// --- 3. broken files -------------------------------------------------------------------------------

const CHANGES_MDL = `CREATE MODEL c (id STRING NOT NULL PRIMARY KEY, seq BIGINT NOT NULL VERSION, s STRING, n BIGINT);\n`;

interface FileCase {
  readonly text: string | Buffer;
  /** The data rows in the file: every one is received, as a change or a reject. */
  readonly rows: number;
  /** Why each rejected row was rejected, in file order. */
  readonly reasons: readonly RegExp[];
}

/** Files whose bad rows are rejected one by one while the good rows beside them apply. */
const CSV_REJECTS: Record<string, FileCase> = {
  'ragged.csv': { text: 'id,seq,s,n\na,1,x,1\nb,1,x\nc,1,x,1,extra\nd,1,,\n', rows: 4, reasons: [/^has 3 fields, the header has 4$/, /^has 5 fields, the header has 4$/] },
  // The quote opened on line 3 closes on line 5 and text follows it: the lines it swallowed are
  // rejected one by one, each with its own line number.
  'quote-mid-file.csv': {
    text: 'id,seq,s,n\ne,1,x,1\nf,1,"open,1\ng,1,x,1\nh,1,"close",1\ni,1,x,1\n',
    rows: 5,
    reasons: [/after the closing quote of field 3 \(the field runs in quotes from line 3 to line 5: a quote may be missing\)/, /quotes do not pair up/, /quotes do not pair up/],
  },
  'quote-at-eof.csv': { text: 'id,seq,s,n\nj,1,x,1\nk,1,"never closed,2\nl,1,x,1\n', rows: 3, reasons: [/^unterminated quoted field$/, /quotes do not pair up/] },
  'quote-then-text.csv': { text: 'id,seq,s,n\nm,1,"x"y,1\n', rows: 1, reasons: [/^unexpected text after the closing quote of field 3$/] },
  'bom.csv': { text: '\ufeffid,seq,s,n\nn,1,x,1\n', rows: 1, reasons: [] },
  'crlf.csv': { text: 'id,seq,s,n\r\no,1,"two\r\nlines",1\r\np,1,x,2\r\n', rows: 2, reasons: [] },
  'lone-cr.csv': { text: 'id,seq,s,n\rq,1,"two\rlines",1\rr,1,x,2\r', rows: 2, reasons: [] },
  'mixed-line-ends.csv': { text: 'id,seq,s,n\ns,1,x,1\r\nt,1,x,1\ru,1,x,1', rows: 3, reasons: [] },
  'header-only.csv': { text: 'id,seq,s,n\n', rows: 0, reasons: [] },
  'header-only-no-line-end.csv': { text: 'id,seq,s,n', rows: 0, reasons: [] },
  'blank-lines.csv': { text: 'id,seq,s,n\n\n\nv,1,x,1\n\n', rows: 1, reasons: [] },
  'nul.csv': { text: 'id,seq,s,n\nw,1,"a\u0000b",1\nx,1,a\u0000b,1\n', rows: 2, reasons: [] },
  'no-final-line-end.csv': { text: 'id,seq,s,n\ny,1,x,1', rows: 1, reasons: [] },
  // Bytes that are not UTF-8 reject their row alone: the raw text shows each as U+FFFD.
  'not-utf8.csv': {
    text: Buffer.concat([Buffer.from('id,seq,s,n\nna,1,fine,1\nnb,1,"ab'), Buffer.from([0xff, 0xfe]), Buffer.from('cd",1\nnc,1,x,1\nnd,1,'), Buffer.from([0xe4, 0xb8])]),
    rows: 4,
    reasons: [/^bytes that are not UTF-8 at column 9 /, /^bytes that are not UTF-8 at column 6 /],
  },
  'bad-values.csv': { text: 'ID,SEQ,S,N\nz,,x,1\n,1,x,1\nz,one,x,1\nz,1,x,1.5\nz,1,x,1\n', rows: 5, reasons: [/version column seq is NULL/, /primary key column id is NULL/, /seq: "one" is not an integer/, /column n: "1.5" is not an integer/] },
};

/** Files that cannot be used at all: one line of error, and nothing applied. */
const CSV_FILE_ERRORS: Record<string, [string | Buffer, RegExp]> = {
  'empty.csv': ['', /empty\.csv is empty: a CSV change file starts with a header row; nothing was applied$/],
  'only-bom.csv': ['\ufeff', /only-bom\.csv is empty/],
  'only-blank-lines.csv': ['\n\r\n\n', /only-blank-lines\.csv is empty/],
  'duplicate-header.csv': ['id,seq,s,ID\na,1,x,y\n', /the header names column "ID" twice; nothing was applied$/],
  'unknown-column.csv': ['id,seq,s,nope\na,1,x,1\n', /model c has no column "nope".*; nothing was applied$/],
  'no-header.csv': ['a,1,x,2\nb,2,y,3\n', /model c has no column "a", "1", "x", "2".*; nothing was applied$/],
  'empty-header-name.csv': ['id,seq,,n\na,1,x,1\n', /model c has no column ""/],
  // Without its key or version, every row would be rejected: the file is refused whole.
  'no-version-column.csv': ['id,s\na,x\nb,y\n', /no-version-column\.csv: the header has no column seq, which every change to c needs \(its primary key is id, its version seq\); nothing was applied$/],
  'no-key-column.csv': ['seq,s\n1,x\n', /the header has no column id, which every change to c needs/],
  'header-quote-open.csv': ['id,"seq\na,1\n', /the header row has an unterminated quoted field; nothing was applied$/],
  'header-not-utf8.csv': [Buffer.from([...Buffer.from('id,se'), 0xff, ...Buffer.from('q,s,n\na,1,x,1\n')]), /header-not-utf8\.csv: the header row has bytes that are not UTF-8 at column 6; nothing was applied$/],
};

const JSONL_REJECTS: Record<string, FileCase> = {
  'broken-line.jsonl': { text: '{"id":"a","seq":1}\n{"id":"b","seq":\n{"id":"c","seq":1}\n', rows: 3, reasons: [/^invalid JSON at column 17: expected a value$/] },
  'not-objects.jsonl': {
    text: '[1,2]\n"a string"\n42\nnull\ntrue\n{"id":"d","seq":1}\n',
    rows: 6,
    reasons: [/found an array/, /found a string/, /found a number/, /found null/, /found true/],
  },
  'blank-lines.jsonl': { text: '{"id":"e","seq":1}\n\n   \n\t\r\n{"id":"f","seq":1}\n', rows: 2, reasons: [] },
  'not-utf8.jsonl': { text: Buffer.from([...Buffer.from('{"id":"'), 0xc3, 0x28, ...Buffer.from('","seq":1}\n{"id":"ea","seq":1}\n')]), rows: 2, reasons: [/^bytes that are not UTF-8 at column 8 /] },
  'no-final-line-end.jsonl': { text: '{"id":"g","seq":1}\n{"id":"h","seq":1}', rows: 2, reasons: [] },
  'duplicate-keys.jsonl': {
    text: '{"id":"i","seq":1,"seq":2}\n{"id":"j","seq":1,"S":"a","s":"b"}\n{"id":"k","seq":1}\n',
    rows: 3,
    reasons: [/^key "seq" appears twice \(at column 19\)/, /^keys "S" and "s" name the same column/],
  },
  'crlf.jsonl': { text: '{"id":"l","seq":1}\r\n{"id":"m","seq":1}\r\n', rows: 2, reasons: [] },
  'bom.jsonl': { text: '\ufeff{"id":"n","seq":1}\n', rows: 1, reasons: [] },
  // A lone CR is not a line break in JSON Lines: the two objects are one line, which is invalid.
  'lone-cr.jsonl': { text: '{"id":"o","seq":1}\r{"id":"p","seq":1}\n', rows: 1, reasons: [/expected the end of the line after the object/] },
  'raw-control-character.jsonl': { text: '{"id":"q\u0001","seq":1}\n', rows: 1, reasons: [/control character U\+0001 in a string must be escaped/] },
  'nested-for-a-string.jsonl': { text: `{"id":"r","seq":1,"s":${'['.repeat(5000)}${']'.repeat(5000)}}\n`, rows: 1, reasons: [/expected STRING, found a JSON array/] },
  'empty.jsonl': { text: '', rows: 0, reasons: [] },
};

const JSONL_FILE_ERRORS: Record<string, [string | Buffer, RegExp]> = {
  'unknown-key.jsonl': ['{"id":"a","seq":1}\n{"id":"b","seq":1,"nope":1}\n', /model c has no column "nope"; nothing was applied$/],
};

describe('broken files: a reject with a reason, or one line of error and nothing applied', () => {
  function setup(): { dir: string; db: string } {
    const dir = project({ 'models/c.mdl': CHANGES_MDL });
    const db = join(dir, 'c.db');
    ok(mdl(['push', join(dir, 'models'), '--db', db]));
    return { dir, db };
  }

  /** Ingests the files in one run; checks each file's accounting and each reject's reason and raw line. */
  function ingestAll(dir: string, db: string, cases: Record<string, FileCase>, lineEnds: RegExp): void {
    const files = Object.entries(cases).map(([name, c]) => {
      const file = join(dir, name);
      writeFileSync(file, c.text);
      return file;
    });
    const report = json<IngestJson>(mdl(['ingest', '--db', db, '--model', 'c', ...files, '--json']));
    accounted(report);
    const m = openMirror(db);
    try {
      Object.entries(cases).forEach(([name, c], i) => {
        const f = report.files[i]!;
        accounted(f);
        expect([name, f.received, f.rejected]).toEqual([name, c.rows, c.reasons.length]);
        const found = rejects(m, files[i]!);
        expect(found.map((r) => r.reason)).toEqual(c.reasons.map((r) => expect.stringMatching(r)));
        // Each reject carries the line it came from, as written in the file.
        // Bytes that are not UTF-8 show as U+FFFD, as a lenient decoder shows them.
        const text = typeof c.text === 'string' ? c.text : new TextDecoder().decode(c.text);
        const lines = text.replace(/^\ufeff/, '').split(lineEnds);
        for (const r of found) expect(lines[Number(r.line) - 1], name).toBe(r.raw);
      });
    } finally {
      m.close();
    }
  }

  it('CSV: ragged rows, quotes that do not pair up, a BOM, CRLF and lone CR, no header row, NUL', () => {
    const { dir, db } = setup();
    ingestAll(dir, db, CSV_REJECTS, /\r\n|\r|\n/);
    // Every data line of quote-mid-file.csv is either in the mirror or a reject of its own.
    const m = openMirror(db);
    try {
      expect(rows(m, `SELECT id FROM c WHERE id IN ('e', 'f', 'g', 'h', 'i') ORDER BY id`).map((r) => r['id'])).toEqual(['e', 'i']);
      expect(rows(m, `SELECT id FROM c WHERE id LIKE 'n_' ORDER BY id`).map((r) => r['id'])).toEqual(['na', 'nc']);
      expect(rows(m, `SELECT s FROM c WHERE id IN ('o', 'q', 'w', 'x') ORDER BY id`).map((r) => r['s'])).toEqual(['two\r\nlines', 'two\rlines', 'a\u0000b', 'a\u0000b']);
    } finally {
      m.close();
    }

    const before = snapshot(db);
    for (const [name, [text, message]] of Object.entries(CSV_FILE_ERRORS)) {
      const file = join(dir, name);
      writeFileSync(file, text);
      failsInOneLine(mdl(['ingest', '--db', db, '--model', 'c', file]), message);
    }
    // A good file before a bad one: the bad one is found before anything is applied.
    const good = join(dir, 'good.csv');
    writeFileSync(good, 'id,seq,s,n\nnew,1,x,1\n');
    failsInOneLine(mdl(['ingest', '--db', db, '--model', 'c', good, join(dir, 'unknown-column.csv')]), /unknown-column\.csv: model c has no column "nope"/);
    expect(snapshot(db)).toEqual(before);
  });

  it('JSON Lines: a broken line, lines that are not objects, blank lines, repeated keys, no final line end', () => {
    const { dir, db } = setup();
    ingestAll(dir, db, JSONL_REJECTS, /\r?\n/);
    const m = openMirror(db);
    try {
      expect(rows(m, `SELECT id FROM c WHERE id = 'ea'`)).toHaveLength(1);
    } finally {
      m.close();
    }
    const before = snapshot(db);
    for (const [name, [text, message]] of Object.entries(JSONL_FILE_ERRORS)) {
      const file = join(dir, name);
      writeFileSync(file, text);
      failsInOneLine(mdl(['ingest', '--db', db, '--model', 'c', file]), message);
    }
    expect(snapshot(db)).toEqual(before);
  });

  it('a quote never closed near the start of a huge file stops it with one line of error, not with memory', () => {
    const { dir, db } = setup();
    const file = join(dir, 'huge.csv');
    const line = Buffer.from('c,1,x,1\n'.repeat(1 << 16));
    writeFileSync(file, Buffer.concat([Buffer.from('id,seq,s,n\na,1,x,1\nb,1,"open,1\n'), ...Array<Buffer>(Math.ceil(MAX_RECORD_CHARS / line.length) + 1).fill(line)]));
    const before = snapshot(db);
    failsInOneLine(
      mdl(['ingest', '--db', db, '--model', 'c', file]),
      /huge\.csv: the record that starts on line 3 runs past 67108864 characters, inside a quoted field that opens on line 3: a quote is probably missing; 0 batches of .*huge\.csv \(0 rows\) were applied before it$/,
    );
    expect(snapshot(db)).toEqual(before);
    // The limit holds for a JSON Lines line without a line break, and for any limit given.
    writeFileSync(join(dir, 'long.jsonl'), `{"id":"a","seq":1}\n{"id":"${'x'.repeat(300)}`);
    expect(() => [...readJsonl(join(dir, 'long.jsonl'), { maxRecordChars: 100, chunkSize: 64 })]).toThrow(/long\.jsonl: line 2 runs past 100 characters without a line break/);
    writeFileSync(join(dir, 'long.csv'), `id,seq\na,"${'x'.repeat(300)}`);
    expect(() => [...readCsv(join(dir, 'long.csv'), { maxRecordChars: 100, chunkSize: 64 }).records]).toThrow(/long\.csv: the record that starts on line 2 runs past 100 characters/);
  });
});

// --- 4. injection ----------------------------------------------------------------------------------

/** SQL written to escape a double-quoted name, a string literal, a bracket or backtick name, a comment. */
const X = {
  dq: `x"; DROP TABLE _mdl_models; --`,
  sq: `'); DELETE FROM _mdl_rejects; --`,
  bracket: `x] OR 1=1`,
  backtick: 'x` OR 1=1; --',
  comment: `*/ DROP TABLE _mdl_batches; /*`,
  schema: `main"."_mdl_models`,
} as const;

/** Every name a user gives, and every text that reaches SQL, carries a payload. */
const INJECTION_MDL = `
CREATE MODEL ${q(X.dq)} (
  ${q(X.sq)} STRING NOT NULL PRIMARY KEY,
  ${q(X.bracket)} BIGINT NOT NULL VERSION,
  ${q(X.backtick)} STRING DEFAULT ${lit(X.dq)} COMMENT ${lit(X.comment)},
  ${q(X.comment)} STRING,
  nul STRING DEFAULT 'a\u0000b' COMMENT 'c\u0000d'
) WITH HISTORY COMMENT ${lit(`${X.sq} ${X.dq} ${X.comment} \u0000 -- a NUL ends SQL text in SQLite`)};

CREATE MODEL ${q(X.schema)} (
  ${q(X.dq)} STRING NOT NULL PRIMARY KEY,
  v BIGINT NOT NULL VERSION,
  ${q(X.bracket)} STRING,
  CONSTRAINT ${q(X.sq)} FOREIGN KEY (${q(X.bracket)}) REFERENCES ${q(X.dq)} ON DELETE CASCADE
) COMMENT ${lit(X.sq)};
`;

describe('injection through every place a user names something', () => {
  function setup(): { dir: string; db: string; tables: string[] } {
    const dir = project({ 'models/x.mdl': INJECTION_MDL });
    const db = join(dir, 'x.db');
    ok(mdl(['push', join(dir, 'models'), '--db', db]));
    const d = new Database(db);
    const tables = (d.prepare(`SELECT "name" FROM "sqlite_master" WHERE "type" IN ('table', 'view') ORDER BY "name"`).all() as { name: string }[]).map((r) => r.name);
    d.close();
    return { dir, db, tables };
  }

  const METADATA = ['_mdl_batches', '_mdl_hygiene', '_mdl_meta', '_mdl_models', '_mdl_rejects', '_mdl_relationships', '_mdl_watermarks'];

  it('model, column and constraint names, a relationship target, COMMENT and DEFAULT text: exactly what was declared', () => {
    const { dir, db, tables } = setup();
    expect(tables).toEqual(
      [...METADATA, X.dq, `${X.dq}__history`, `${X.dq}__history_erased`, `${X.dq}__tombstones`, `${X.dq}__versions`, X.schema, `${X.schema}__tombstones`].sort(),
    );
    const d = new Database(db);
    try {
      expect(d.prepare(`SELECT "name", "primary_key", "version_column" FROM "_mdl_models" ORDER BY "name"`).all()).toEqual(
        [
          { name: X.dq, primary_key: JSON.stringify([X.sq]), version_column: X.bracket },
          { name: X.schema, primary_key: JSON.stringify([X.dq]), version_column: 'v' },
        ].sort((a, b) => (a.name < b.name ? -1 : 1)),
      );
      expect(d.prepare(`SELECT "model", "name", "columns", "target" FROM "_mdl_relationships"`).all()).toEqual([
        { model: X.schema, name: X.sq, columns: JSON.stringify([X.bracket]), target: X.dq },
      ]);
      // The DEFAULT is one string literal, holding the payload as text; one with a NUL holds it too.
      expect(d.prepare(`SELECT "dflt_value" FROM pragma_table_info(?) WHERE "name" = ?`).get(X.dq, X.backtick)).toEqual({ dflt_value: lit(X.dq) });
      const nul = d.prepare(`SELECT "dflt_value" FROM pragma_table_info(?) WHERE "name" = 'nul'`).get(X.dq) as { dflt_value: string };
      expect(d.prepare(`SELECT ${nul.dflt_value} AS "v"`).get()).toEqual({ v: 'a\u0000b' });
    } finally {
      d.close();
    }
    // The compiled script (COMMENT text in its comment lines, a NUL among it) builds the same tables.
    const script = ok(mdl(['compile', join(dir, 'models')]));
    const fresh = new Database(':memory:');
    fresh.exec(script);
    expect((fresh.prepare(`SELECT "name" FROM "sqlite_master" WHERE "type" IN ('table', 'view') ORDER BY "name"`).all() as { name: string }[]).map((r) => r.name)).toEqual(tables);
    fresh.close();
  });

  it('CSV headers, JSON Lines keys and values, --model, --below and .history keys: only what was asked', () => {
    const { dir, db } = setup();
    const csv = join(dir, 'a.csv');
    writeFileSync(csv, `${csvLine([X.sq, X.bracket, X.backtick, X.comment])}\n${csvLine([X.dq, '1', X.sq, X.schema])}\n${csvLine([X.sq, '1', null, X.comment])}\n`);
    expect(json<IngestJson>(mdl(['ingest', '--db', db, '--model', X.dq, csv, '--json']))).toMatchObject({ received: 2, inserted: 2 });
    const jsonl = join(dir, 'b.jsonl');
    writeFileSync(jsonl, `${JSON.stringify({ [X.dq]: X.backtick, v: 1, [X.bracket]: X.dq })}\n${JSON.stringify({ [X.dq]: X.comment, V: 1, [X.bracket.toUpperCase()]: X.sq })}\n`);
    expect(json<IngestJson>(mdl(['ingest', '--db', db, '--model', X.schema.toUpperCase(), jsonl, '--json']))).toMatchObject({ received: 2, inserted: 2 });
    const m = openMirror(db);
    try {
      expect(rows(m, `SELECT * FROM ${q(X.dq)} ORDER BY 1`)).toEqual([
        { [X.sq]: X.sq, [X.bracket]: 1n, [X.backtick]: null, [X.comment]: X.comment, nul: null },
        { [X.sq]: X.dq, [X.bracket]: 1n, [X.backtick]: X.sq, [X.comment]: X.schema, nul: null },
      ]);
      expect(rows(m, `SELECT * FROM ${q(X.schema)} ORDER BY 1`)).toEqual([
        { [X.dq]: X.comment, v: 1n, [X.bracket]: X.sq },
        { [X.dq]: X.backtick, v: 1n, [X.bracket]: X.dq },
      ]);
    } finally {
      m.close();
    }

    const before = snapshot(db);
    for (const model of [`nope'; DROP TABLE _mdl_models; --`, `${X.dq}x`, `"${X.dq}"`]) {
      failsInOneLine(mdl(['ingest', '--db', db, '--model', model, csv]), /the mirror has no model/);
      failsInOneLine(mdl(['vacuum', '--db', db, '--model', model, '--below', '1']), /the mirror has no model/);
    }
    for (const below of ['1; DROP TABLE _mdl_models', '1 OR 1=1', `1'); DELETE FROM _mdl_watermarks; --`, '0x10']) {
      failsInOneLine(mdl(['vacuum', '--db', db, '--model', X.dq, '--below', below]), /--below .* is not a version of/);
    }
    // .history reads only: a payload as a key finds nothing, the payload stored as a key finds its row.
    const repl = mdl(['repl', '--db', db], {
      input: `.mode json\n.history ${q(X.dq)} ${q(`x'; DROP TABLE _mdl_models; --`)}\n.history ${q(X.dq)} ${q(X.dq)}\n`,
    });
    expect(repl.stderr).toBe('');
    expect(repl.stdout).toContain(JSON.stringify(X.schema));
    expect(repl.status).toBe(0);
    expect(snapshot(db)).toEqual(before);
    // The real model, named by its payload, vacuums.
    expect(json<{ model: string }>(mdl(['vacuum', '--db', db, '--model', X.dq, '--below', '1', '--json']))).toMatchObject({ model: X.dq, removed: 0 });
  });

  it('DELETE WHERE text and INSERT INTO ... SELECT text: one statement, one model, nothing else', () => {
    const { dir, db } = setup();
    const m0 = openMirror(db);
    applyChanges(m0, X.dq, [
      { [X.sq]: X.dq, [X.bracket]: 1 },
      { [X.sq]: 'keep', [X.bracket]: 1 },
    ]);
    applyChanges(m0, X.schema, [{ [X.dq]: 'child', v: 1, [X.bracket]: X.dq }]);
    m0.close();
    const A = `\`${X.dq}\``;
    const B = `\`${X.schema}\``;

    // Statements that carry a second one, or reach a table by another name: refused, nothing changed.
    const refused = [
      `DELETE FROM ${A} WHERE ${q(X.sq)} = 'keep'; DROP TABLE _mdl_models; --`,
      `DELETE FROM ${A} WHERE ${q(X.sq)} = 'keep' /* ; */; DELETE FROM _mdl_rejects`,
      `INSERT INTO ${B} (${q(X.dq)}, v) SELECT 'x', 1; DROP TABLE _mdl_batches`,
      `INSERT INTO main.${B} (\`${X.dq}\`, v) VALUES ('direct', 9)`,
      `REPLACE INTO main.${B} (\`${X.dq}\`, v) VALUES ('child', 9)`,
      `DELETE FROM main.${A} WHERE 1`,
      `UPDATE ${A} SET ${q(X.comment)} = 'x'`,
      `DROP TABLE ${A}`,
      `ATTACH DATABASE ${lit(join(dir, 'other.db'))} AS other`,
      `PRAGMA writable_schema = 1`,
      `CREATE TEMP TRIGGER t AFTER INSERT ON _mdl_batches BEGIN DELETE FROM _mdl_models; END`,
      `SELECT 1; DELETE FROM _mdl_models`,
      `SELECT load_extension('x')`,
    ];
    const before = snapshot(db);
    // Through mdl sql for the first three, through the library (the same code, without a process
    // each) for the rest.
    for (const statement of refused.slice(0, 3)) {
      const r = mdl(['sql', '--db', db, '-e', statement]);
      expect([statement, r.status]).toEqual([statement, 1]);
      expect(r.stdout).toBe('');
    }
    const m1 = openMirror(db);
    try {
      for (const statement of refused.slice(3)) expect(() => runSql(m1, statement), statement).toThrow(MirrorError);
    } finally {
      m1.close();
    }
    expect(snapshot(db)).toEqual(before);

    // A payload inside a string literal is a value: it deletes the row that holds it, and its child.
    expect(ok(mdl(['sql', '--db', db, '-e', `DELETE FROM ${A} WHERE ${q(X.sq)} = ${lit(X.dq)}`]))).toMatch(/deleted 2 rows/);
    // INSERT INTO ... SELECT over the mirror's own catalogue applies changes to that model only.
    // (node-sql-parser cannot read a doubled quote inside a name: the columns are quoted with backticks.)
    const [inserted] = runSqlOn(db, `INSERT INTO ${B} (\`${X.dq}\`, v, \`${X.bracket}\`) SELECT "name", 1, NULL FROM "sqlite_master" WHERE "type" = 'table' AND "name" LIKE '!_mdl!_m%' ESCAPE '!'`);
    expect(inserted).toMatchObject({ kind: 'applied', report: { received: 2, inserted: 2 } });
    const after = snapshot(db);
    const changed = Object.keys(after.rows).filter((t) => JSON.stringify(after.rows[t], big) !== JSON.stringify(before.rows[t], big));
    expect(changed.sort()).toEqual(['_mdl_batches', '_mdl_hygiene', X.dq, `${X.dq}__history_erased`, `${X.dq}__tombstones`, `${X.dq}__versions`, X.schema, `${X.schema}__tombstones`].sort());
    expect(after.objects).toEqual(before.objects);
    expect(after.rows[X.dq]).toEqual([{ [X.sq]: 'keep', [X.bracket]: 1n, [X.backtick]: null, [X.comment]: null, nul: null }]);
    expect((after.rows[X.schema] as Record<string, unknown>[]).map((r) => r[X.dq]).sort()).toEqual(['_mdl_meta', '_mdl_models']);
  });

  it('a name SQLite reads otherwise than the statement parser cannot reach past the precision delete', () => {
    // node-sql-parser alone reads "a""b" as the model a (aliased b); SQLite reads the table a"b.
    // mdl gives the parser a stand-in for the doubled quote (ingest/sql.ts), so the statement is
    // a precision delete of a"b; were it misread, it must change nothing: the tables of a model
    // whose name needs quoting are guarded while a DELETE is captured, and the guard refuses it.
    const dir = project({
      'm.mdl': `CREATE MODEL a (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\nCREATE MODEL "a""b" (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\n`,
    });
    const db = join(dir, 'm.db');
    ok(mdl(['push', dir, '--db', db]));
    const m = openMirror(db);
    applyChanges(m, 'a', [{ id: 'x', v: 1 }]);
    applyChanges(m, 'a"b', [{ id: 'x', v: 1 }]);
    applyChanges(m, 'a"b', [{ id: 'gone', v: 1, _change_request_type: 'd' }]);
    m.close();
    const before = snapshot(db);
    for (const statement of [`DELETE FROM "a""b" WHERE id = 'x'`, `DELETE FROM "a""b__tombstones" WHERE 1`]) {
      const r = mdl(['sql', '--db', db, '-e', statement]);
      if (r.status === 0) {
        // Read as the model it names (a fixed parser): then it is a precision delete of a"b.
        expect(r.stdout).toMatch(/^a"b: /);
        return;
      }
      expect(r.status).toBe(1);
      expect(snapshot(db)).toEqual(before);
    }
  });
});

/** JSON.stringify that writes bigints. */
const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);

function runSqlOn(db: string, sql: string): ReturnType<typeof runSql> {
  const m = openMirror(db);
  try {
    return runSql(m, sql);
  } finally {
    m.close();
  }
}

// ---------------------------------------------------------------------------------------------
// No SQL built from unquoted text: a taint analysis of src/compile/ with the TypeScript checker.
//
// A value is *safe* when the text it can hold is SQL written by mdl: string and number literals,
// values whose type allows only literals (storageClass's 'TEXT' | 'INTEGER' | 'REAL', numbers),
// the output of the quoting functions of sql-text.ts, and anything built from safe values only
// (templates, +, ?:, arrays and their join and map, local variables all of whose writes are safe,
// calls of functions whose every return is safe, object properties all of whose writes are safe).
// Everything else is user text: the IR's names, comments and defaults, and the parameters of
// exported functions. Every value that src/compile/ exports must be safe, except the quoting
// functions themselves, the helpers that only join pieces their callers quoted, and the few
// exports and properties that are names or hashes rather than SQL (listed below, with why).
// ---------------------------------------------------------------------------------------------

/** Functions of sql-text.ts whose output is safe whatever their input. */
const QUOTING = new Set(['ident', 'stringLiteral', 'sqlComment']);

/**
 * Functions that join pieces their callers quoted: safe when every argument is. Those of
 * sql-text.ts, and template.ts's prepare (splits text a builder made) and fill (puts parts in).
 */
const COMPOSING = new Set(['sql-text.ts:equalities', 'sql-text.ts:rowValue', 'template.ts:prepare', 'template.ts:fill']);

/**
 * Exports of src/compile/ that are not SQL, so not sinks: the quoting functions; helpers that
 * join pieces already quoted (their output is checked wherever they are called); names, types
 * and hashes.
 */
const NOT_SQL_EXPORTS = new Set(['ident', 'stringLiteral', 'sqlComment', 'equalities', 'rowValue', 'prepare', 'fill', 'tableNames', 'storageClass', 'modelFingerprint']);

/** Properties of compile/'s results that hold names (bound as values or quoted by the runtime), not SQL. */
const NOT_SQL_PROPERTIES = new Set(['ModelSql.model', 'ModelSql.table', 'ModelSql.tombstones', 'ModelSql.sourceHash', 'ApplyStatements.stageColumns']);

/**
 * User text that is safe by construction elsewhere, each with its reason: a numeric DEFAULT is
 * the text of a number token (the lexer's `-?digits[.digits][e±digits]`, and checkColumns holds
 * it to the column's type), and canonicalDecimal returns only digits, a sign and a point.
 */
const VALIDATED = new Set(['storage.ts:d.text', 'storage.ts:canonicalDecimal']);

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

class SqlTaint {
  private readonly checker: ts.TypeChecker;
  private readonly files: readonly ts.SourceFile[];
  private readonly cache = new Map<ts.Node | ts.Symbol, boolean>();
  private readonly busy = new Set<ts.Node | ts.Symbol>();
  private assumed = 0;
  /** Per interface or object property: every expression written to it in the analysed files. */
  private readonly writes = new Map<ts.Symbol, ts.Expression[]>();
  /** The unsafe values met, innermost first, while judging a sink. */
  private trail: ts.Node[] = [];

  constructor(program: ts.Program, fileNames: readonly string[]) {
    this.checker = program.getTypeChecker();
    this.files = fileNames.map((f) => program.getSourceFile(f)!);
    for (const f of this.files) this.indexWrites(f);
  }

  /** Each exported value of each file that is not on the list above, judged; the unsafe ones found. */
  findings(): Finding[] {
    const out: Finding[] = [];
    for (const f of this.files) {
      const moduleSymbol = this.checker.getSymbolAtLocation(f)!;
      for (const exported of this.checker.getExportsOfModule(moduleSymbol)) {
        if (NOT_SQL_EXPORTS.has(exported.name)) continue;
        for (const decl of exported.declarations ?? []) {
          let ok = true;
          this.trail = [];
          if (ts.isFunctionDeclaration(decl)) ok = this.returnsSafe(decl);
          else if (ts.isVariableDeclaration(decl) && decl.initializer) ok = this.safe(decl.initializer);
          else continue;
          if (!ok) {
            const at = this.trail[0] ?? decl;
            const sf = at.getSourceFile();
            out.push({
              file: relative(root, sf.fileName),
              line: sf.getLineAndCharacterOfPosition(at.getStart()).line + 1,
              text: `${exported.name}: ${at.getText().slice(0, 100)}`,
            });
          }
        }
      }
    }
    return out;
  }

  private indexWrites(f: ts.SourceFile): void {
    const visit = (n: ts.Node): void => {
      if (ts.isObjectLiteralExpression(n)) {
        const context = this.checker.getContextualType(n);
        for (const p of n.properties) {
          if (!p.name || !(ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) continue;
          const value = ts.isPropertyAssignment(p) ? p.initializer : p.name;
          const name = p.name.getText();
          const targets: ts.Symbol[] = [];
          const own = this.checker.getSymbolAtLocation(p.name);
          if (own) targets.push(own);
          for (const t of context ? (context.isUnion() ? context.types : [context]) : []) {
            const s = t.getProperty(name);
            if (s) targets.push(s);
          }
          for (const s of targets) this.writes.set(s, [...(this.writes.get(s) ?? []), value]);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(f);
  }

  private symbolOf(n: ts.Node): ts.Symbol | undefined {
    let s = ts.isShorthandPropertyAssignment(n.parent) && n.parent.name === n ? this.checker.getShorthandAssignmentValueSymbol(n.parent) : this.checker.getSymbolAtLocation(n);
    if (s && s.flags & ts.SymbolFlags.Alias) s = this.checker.getAliasedSymbol(s);
    return s;
  }

  /** Whether the type admits only literals, numbers, booleans and nothing: no user text fits. */
  private literalTyped(n: ts.Node): boolean {
    const t = this.checker.getTypeAtLocation(n);
    const parts = t.isUnion() ? t.types : [t];
    const fixed =
      ts.TypeFlags.StringLiteral |
      ts.TypeFlags.NumberLike |
      ts.TypeFlags.BigIntLike |
      ts.TypeFlags.BooleanLike |
      ts.TypeFlags.Undefined |
      ts.TypeFlags.Null |
      ts.TypeFlags.Void |
      ts.TypeFlags.Never;
    return parts.every((p) => (p.flags & fixed) !== 0);
  }

  private validated(n: ts.Node): boolean {
    const base = n.getSourceFile().fileName.split('/').pop()!.replace(/\.mutant-\d+/, '');
    const name = ts.isCallExpression(n) ? n.expression.getText() : n.getText();
    return VALIDATED.has(`${base}:${name}`);
  }

  private inCompile(n: ts.Node): boolean {
    return this.files.includes(n.getSourceFile());
  }

  /**
   * Memoised, and assumed safe while being judged: a value built from itself and safe parts is
   * safe. A judgement that leaned on such an assumption is not kept (it may be revised).
   */
  private memo(key: ts.Node | ts.Symbol, judge: () => boolean): boolean {
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    if (this.busy.has(key)) {
      this.assumed++;
      return true;
    }
    this.busy.add(key);
    const before = this.assumed;
    let ok: boolean;
    try {
      ok = judge();
    } finally {
      this.busy.delete(key);
    }
    if (this.assumed === before || this.busy.size === 0 || !ok) this.cache.set(key, ok);
    return ok;
  }

  safe(e: ts.Expression): boolean {
    const ok = this.judge(e);
    if (!ok && this.trail.length === 0) this.trail.push(e);
    return ok;
  }

  private judge(e: ts.Expression): boolean {
    while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    if (
      ts.isStringLiteral(e) ||
      ts.isNoSubstitutionTemplateLiteral(e) ||
      ts.isNumericLiteral(e) ||
      ts.isBigIntLiteral(e) ||
      ts.isRegularExpressionLiteral(e) ||
      e.kind === ts.SyntaxKind.TrueKeyword ||
      e.kind === ts.SyntaxKind.FalseKeyword ||
      e.kind === ts.SyntaxKind.NullKeyword
    ) {
      return true;
    }
    if (this.validated(e)) return true;
    if (this.literalTyped(e)) return true;
    if (ts.isTemplateExpression(e)) return e.templateSpans.every((s) => this.safe(s.expression));
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) return this.safe(e.left) && this.safe(e.right);
      return false;
    }
    if (ts.isConditionalExpression(e)) return this.safe(e.whenTrue) && this.safe(e.whenFalse);
    if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => this.safe(ts.isSpreadElement(x) ? x.expression : x));
    if (ts.isObjectLiteralExpression(e)) return this.objectSafe(e);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return this.returnsSafe(e);
    if (ts.isCallExpression(e)) return this.callSafe(e);
    if (ts.isNewExpression(e)) return (e.arguments ?? []).every((a) => this.safe(a));
    if (ts.isIdentifier(e)) return this.identifierSafe(e);
    if (ts.isPropertyAccessExpression(e)) return this.propertySafe(e);
    if (ts.isElementAccessExpression(e)) return this.safe(e.expression);
    return false;
  }

  private objectSafe(o: ts.ObjectLiteralExpression): boolean {
    const context = this.checker.getContextualType(o);
    const owner = context?.aliasSymbol?.name ?? context?.getSymbol()?.name;
    return o.properties.every((p) => {
      if (ts.isSpreadAssignment(p)) return this.safe(p.expression);
      if (owner && p.name && NOT_SQL_PROPERTIES.has(`${owner}.${p.name.getText()}`)) return true;
      if (ts.isPropertyAssignment(p)) return this.safe(p.initializer);
      if (ts.isShorthandPropertyAssignment(p)) return this.identifierSafe(p.name);
      if (ts.isMethodDeclaration(p)) return this.returnsSafe(p);
      return false;
    });
  }

  /** The function's every return (and yield) is safe. */
  returnsSafe(fn: ts.FunctionLikeDeclaration): boolean {
    const body = fn.body;
    if (!body) return false;
    if (this.isQuoting(fn)) return true;
    return this.memo(fn, () => {
      if (!ts.isBlock(body)) return this.safe(body);
      const results: ts.Expression[] = [];
      const visit = (n: ts.Node): void => {
        if (n !== body && ts.isFunctionLike(n)) return;
        if ((ts.isReturnStatement(n) || ts.isYieldExpression(n)) && n.expression) results.push(n.expression);
        ts.forEachChild(n, visit);
      };
      visit(body);
      return results.every((r) => this.safe(r));
    });
  }

  private isQuoting(fn: ts.Node): boolean {
    return ts.isFunctionDeclaration(fn) && fn.name !== undefined && QUOTING.has(fn.name.text) && fn.getSourceFile().fileName.endsWith('/sql-text.ts');
  }

  private isComposing(fn: ts.Node): boolean {
    return ts.isFunctionDeclaration(fn) && fn.name !== undefined && COMPOSING.has(`${fn.getSourceFile().fileName.split('/').pop()}:${fn.name.text}`);
  }

  /** The function an expression names: a declaration, or a const initialised with a function. */
  private functionOf(e: ts.Expression): ts.FunctionLikeDeclaration | undefined {
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
    const s = ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) ? this.symbolOf(ts.isIdentifier(e) ? e : e.name) : undefined;
    for (const d of s?.declarations ?? []) {
      if (ts.isFunctionDeclaration(d)) return d;
      if (ts.isVariableDeclaration(d) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) return d.initializer;
      // `const q = ident`: another name for a function.
      if (ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.initializer) && d.parent.flags & ts.NodeFlags.Const) {
        return this.functionOf(d.initializer);
      }
    }
    return undefined;
  }

  private callSafe(c: ts.CallExpression): boolean {
    const callee = c.expression;
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const recv = callee.expression;
      switch (method) {
        case 'join':
          return this.safe(recv) && c.arguments.every((a) => this.safe(a));
        case 'map':
        case 'flatMap': {
          // The callback's element parameter is judged by the array it comes from (identifierSafe).
          const fn = this.functionOf(c.arguments[0]!);
          return fn !== undefined && this.returnsSafe(fn);
        }
        case 'filter':
        case 'slice':
        case 'reverse':
        case 'sort':
        case 'flat':
        case 'values':
          return this.safe(recv);
        case 'concat':
        case 'repeat':
        case 'toUpperCase':
        case 'toLowerCase':
        case 'trim':
        case 'padStart':
        case 'padEnd':
        case 'replace':
        case 'replaceAll':
        case 'toString':
          return this.safe(recv) && c.arguments.every((a) => this.safe(a));
        case 'fill':
          return this.safe(c.arguments[0]!);
      }
    }
    if (ts.isIdentifier(callee) && (callee.text === 'Array' || callee.text === 'String')) return c.arguments.every((a) => this.safe(a));
    const fn = this.functionOf(callee) ?? this.boundFunction(callee);
    if (!fn) return false;
    if (this.isQuoting(fn)) return true;
    if (this.isComposing(fn)) return c.arguments.every((a) => this.safe(a));
    if (!this.inCompile(fn)) return false;
    return this.returnsSafe(fn);
  }

  /** A parameter called as a function: the functions passed for it at every call site (one, here). */
  private boundFunction(callee: ts.Expression): ts.FunctionLikeDeclaration | undefined {
    if (!ts.isIdentifier(callee)) return undefined;
    const s = this.symbolOf(callee);
    const p = s?.declarations?.[0];
    if (!p || !ts.isParameter(p)) return undefined;
    const args = this.argumentsFor(p);
    const fns = args?.map((a) => this.functionOf(a));
    return fns && fns.length === 1 ? fns[0] : undefined;
  }

  /**
   * The arguments given for a parameter at every call of its function, when every use of the
   * function is a direct call in the analysed files; undefined when the function escapes
   * (exported, returned, stored), since callers elsewhere may pass anything.
   */
  private argumentsFor(p: ts.ParameterDeclaration): ts.Expression[] | undefined {
    const fn = p.parent;
    const index = fn.parameters.indexOf(p);
    let name: ts.Identifier | undefined;
    if (ts.isFunctionDeclaration(fn) && fn.name) name = fn.name;
    else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) name = fn.parent.name;
    if (!name) return undefined;
    const decl = ts.isFunctionDeclaration(fn) ? fn : fn.parent;
    if (ts.getCombinedModifierFlags(decl as ts.Declaration) & ts.ModifierFlags.Export) return undefined;
    if (ts.isVariableDeclaration(decl) && ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Export) return undefined;
    const target = this.symbolOf(name);
    const args: ts.Expression[] = [];
    let escapes = false;
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && n !== name && this.symbolOf(n) === target) {
        const parent = n.parent;
        if (ts.isCallExpression(parent) && parent.expression === n) {
          const a = parent.arguments[index];
          if (a) args.push(a);
        } else if (ts.isCallExpression(parent) && parent.arguments.includes(n as ts.Expression)) {
          // Passed on to another function: its calls of that parameter are calls of this one.
          const callee = this.functionOf(parent.expression);
          const q = callee?.parameters[parent.arguments.indexOf(n as ts.Expression)];
          if (!callee || !q || !ts.isIdentifier(q.name)) escapes = true;
          else {
            const inner = this.symbolOf(q.name);
            const calls = (c: ts.Node): void => {
              if (ts.isCallExpression(c) && ts.isIdentifier(c.expression) && this.symbolOf(c.expression) === inner && c.arguments[index]) args.push(c.arguments[index]);
              ts.forEachChild(c, calls);
            };
            if (callee.body) calls(callee.body);
          }
        } else if (!(ts.isPropertyAccessExpression(parent) && parent.expression === n)) {
          escapes = true;
        }
      }
      ts.forEachChild(n, visit);
    };
    for (const f of this.files) visit(f);
    return escapes ? undefined : args;
  }

  private identifierSafe(id: ts.Identifier): boolean {
    if (id.text === 'undefined') return true;
    const s = this.symbolOf(id);
    const d = s?.valueDeclaration ?? s?.declarations?.[0];
    if (!s || !d) return false;
    return this.memo(s, () => {
      if (ts.isParameter(d)) {
        if (this.literalTyped(d)) return true;
        const fn = d.parent;
        // A callback's element: as safe as the array it comes from.
        if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isCallExpression(fn.parent) && ts.isPropertyAccessExpression(fn.parent.expression)) {
          const method = fn.parent.expression.name.text;
          if (['map', 'flatMap', 'forEach', 'filter', 'some', 'every', 'find'].includes(method)) {
            return fn.parameters.indexOf(d) === 0 ? this.safe(fn.parent.expression.expression) : true;
          }
        }
        const args = this.argumentsFor(d);
        return args !== undefined && args.every((a) => this.safe(a));
      }
      if (ts.isVariableDeclaration(d)) {
        if (ts.isForOfStatement(d.parent.parent)) return this.safe(d.parent.parent.expression);
        if (d.initializer && !this.safe(d.initializer)) return false;
        return this.writesTo(s, d).every((w) => this.safe(w));
      }
      if (ts.isBindingElement(d)) {
        let decl: ts.Node = d;
        while (!ts.isVariableDeclaration(decl)) decl = decl.parent;
        return decl.initializer !== undefined && this.safe(decl.initializer);
      }
      if (ts.isFunctionDeclaration(d)) return false;
      return false;
    });
  }

  /** What is written to a variable after its declaration: assignments, and pushes or sets into it. */
  private writesTo(s: ts.Symbol, d: ts.VariableDeclaration): ts.Expression[] {
    const out: ts.Expression[] = [];
    let scope: ts.Node = d;
    while (!ts.isSourceFile(scope) && !ts.isFunctionLike(scope)) scope = scope.parent;
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && ts.isIdentifier(n.left) && this.symbolOf(n.left) === s) {
        const op = n.operatorToken.kind;
        if (op === ts.SyntaxKind.EqualsToken || op === ts.SyntaxKind.PlusEqualsToken) out.push(n.right);
      }
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ts.isIdentifier(n.expression.expression) && this.symbolOf(n.expression.expression) === s) {
        const m = n.expression.name.text;
        if (m === 'push' || m === 'unshift' || m === 'add') out.push(...n.arguments.map((a) => (ts.isSpreadElement(a) ? a.expression : a)));
        if (m === 'set' && n.arguments[1]) out.push(n.arguments[1]);
      }
      ts.forEachChild(n, visit);
    };
    visit(scope);
    return out;
  }

  private propertySafe(p: ts.PropertyAccessExpression): boolean {
    const s = this.symbolOf(p.name);
    if (!s) return false;
    return this.memo(s, () => {
      const writes = this.writes.get(s);
      if (writes && writes.length > 0) return writes.every((w) => this.safe(w));
      // A const object's property (MirrorSql.models), read through its declaration.
      const d = s.valueDeclaration;
      if (d && ts.isPropertyAssignment(d) && this.inCompile(d)) return this.safe(d.initializer);
      return false;
    });
  }
}

function compileProgram(files: readonly string[], host?: ts.CompilerHost): ts.Program {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.es2024.string.d.ts'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  };
  return ts.createProgram({ rootNames: [...files], options, ...(host ? { host } : {}) });
}


describe('no statement is built by pasting user text into SQL', () => {
  const dir = join(root, 'src', 'compile');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));

  const PROBE = join(dir, 'zz-probe.ts');
  const PROBE_TEXT = `
import type { Model } from '../ir.js';
import { ident, rowValue, stringLiteral } from './sql-text.js';
export function direct(model: Model) { return \`SELECT * FROM \${model.name}\`; }
export function throughLocal(model: Model) { const t = model.name; return \`DELETE FROM \${ident(t)} WHERE x = \${t}\`; }
export function throughHelper(model: Model) { return \`SELECT \${wrap(model.comment ?? '')}\`; }
function wrap(s: string) { return \`(\${s})\`; }
export function throughMap(model: Model) { return \`SELECT \${model.columns.map((c) => c.name).join(', ')} FROM t\`; }
export function throughLet(model: Model) { let s = 'SELECT '; for (const c of model.columns) s += c.name; return s; }
export function throughComposer(model: Model) { return \`WHERE \${rowValue(model.columns.map((c) => c.name))} = 1\`; }
export function throughObject(model: Model) { return { sql: \`SELECT \${model.name}\` }; }
export function throughPush(model: Model) { const out: string[] = []; out.push(\`DROP TABLE \${model.name}\`); return out; }
export function exportedParameter(table: string) { return \`SELECT * FROM \${table}\`; }
export function quoted(model: Model) {
  const t = ident(model.name);
  const cols = model.columns.map((c) => ident(c.name));
  return \`SELECT \${cols.join(', ')} FROM \${t} WHERE \${rowValue(cols)} = \${stringLiteral(model.name)} -- \${model.columns.length}\`;
}
`;

  /**
   * Each mutation unquotes one place of the real compiler, in a copy of its file beside it (so
   * that its imports resolve); a mutation whose text has gone from the source (rewritten since)
   * is skipped, but most must still apply for the test to mean anything.
   */
  const MUTATIONS: [file: string, from: RegExp, to: string][] = [
    ['apply.ts', /const table = ident\(names\.table\);/, 'const table = names.table;'],
    ['apply.ts', /const v = ident\(version\);/, 'const v = version;'],
    ['sqlite.ts', /\$\{stringLiteral\(r\.name\)\}/, "'${r.name}'"],
    ['sqlite.ts', /sqlComment\(model\.comment\)/, '`-- ${model.comment}`'],
    ['hygiene-sql.ts', /const v = ident\(model\.version!\.column\);/, 'const v = model.version!.column;'],
    ['integrity-sql.ts', /const cols = rel\.columns\.map\(ident\);/, 'const cols = rel.columns.map((c) => c);'],
    ['mirror-sql.ts', /\$\{ident\(column\)\}/, '${column}'],
    ['storage.ts', /return d\.kind === 'string' \? stringLiteral\(d\.value\) : undefined;/, "return d.kind === 'string' ? `'${d.value}'` : undefined;"],
  ];

  /** One analysis of the real files, the probe and the mutants together (a program takes a second to build). */
  let analysis: { findings: Finding[]; mutants: string[] } | undefined;
  function analyse(): { findings: Finding[]; mutants: string[] } {
    if (analysis) return analysis;
    const extra: Record<string, string> = { [PROBE]: PROBE_TEXT };
    const mutants: string[] = [];
    MUTATIONS.forEach(([name, from, to], i) => {
      const text = readFileSync(join(dir, name), 'utf8');
      if (!from.test(text)) return;
      const mutant = join(dir, `${name.replace(/\.ts$/, '')}.mutant-${i}.ts`);
      extra[mutant] = text.replace(from, to);
      mutants.push(mutant);
    });
    const host = ts.createCompilerHost({});
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    host.readFile = (f) => extra[f] ?? read(f);
    host.fileExists = (f) => f in extra || exists(f);
    const all = [...files, ...Object.keys(extra)];
    analysis = { findings: new SqlTaint(compileProgram(all, host), all).findings(), mutants };
    return analysis;
  }
  const inFile = (f: Finding, file: string) => f.file === relative(root, file);

  it('every SQL value src/compile/ hands out is built from literals and quoted names only', () => {
    expect(analyse().findings.filter((f) => files.some((file) => inFile(f, file)))).toEqual([]);
  });

  it('the analysis finds text pasted in, however it travels', () => {
    const found = analyse().findings.filter((f) => inFile(f, PROBE));
    expect(found.map((f) => f.text.split(':')[0]).sort()).toEqual(
      ['direct', 'throughLocal', 'throughHelper', 'throughMap', 'throughLet', 'throughComposer', 'throughObject', 'throughPush', 'exportedParameter'].sort(),
    );
  });

  it('removing a quoting call from the real compiler is found', () => {
    const { findings, mutants } = analyse();
    expect(mutants.length).toBeGreaterThanOrEqual(6);
    for (const mutant of mutants) expect(findings.some((f) => inFile(f, mutant)), relative(root, mutant)).toBe(true);
  });

  it('outside src/compile/, no statement handed to SQLite is assembled from pieces', () => {
    // A weaker check, and honest about it: the text given to prepare, exec or pragma is never a
    // template with substitutions or a concatenation. (It is a compiled statement, a constant,
    // or the user's own statement, which mdl sql runs as written, parsed and checked first.)
    const outside: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.ts') && d !== dir) outside.push(join(d, e.name));
      }
    };
    walk(join(root, 'src'));
    expect(outside.length).toBeGreaterThan(20);
    const assembled: string[] = [];
    let calls = 0;
    for (const file of outside) {
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ['prepare', 'exec', 'pragma'].includes(n.expression.name.text)) {
          const receiver = n.expression.expression;
          const isRegExp = ts.isRegularExpressionLiteral(receiver) || /^(re|pattern|regex)$/i.test(receiver.getText());
          const arg = n.arguments[0];
          if (arg && !isRegExp) {
            calls++;
            const built = (e: ts.Expression): boolean =>
              ts.isTemplateExpression(e) ||
              (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) ||
              (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ['replace', 'concat', 'join'].includes(e.expression.name.text)) ||
              (ts.isParenthesizedExpression(e) && built(e.expression));
            if (built(arg)) assembled.push(`${relative(root, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${n.getText().slice(0, 80)}`);
          }
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    expect(calls).toBeGreaterThan(30);
    expect(assembled).toEqual([]);
  });
});
