/**
 * `mdl sql`: INSERT INTO a model applied as changes (SPEC section 6), SELECT passed through,
 * everything else on a model refused with what to do instead; every statement checked before
 * the first one runs.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openMirror, runSql } from '../src/index.js';
import { mdl, project } from './helpers.js';

const MODELS = `
CREATE MODEL item (
  id     BIGINT   NOT NULL PRIMARY KEY,
  label  STRING   NOT NULL,
  price  DECIMAL(10, 2),
  seq    BIGINT   NOT NULL VERSION
);
CREATE MODEL source_rows (
  id BIGINT NOT NULL PRIMARY KEY, label STRING, seq BIGINT NOT NULL VERSION
);
`;

function mirror(): string {
  const dir = project({ 'm.mdl': MODELS });
  const db = join(dir, 'm.db');
  expect(mdl(['push', dir, '--db', db]).status).toBe(0);
  return db;
}

const sql = (db: string, text: string, ...extra: string[]) => mdl(['sql', '--db', db, '-e', text, ...extra]);

describe('mdl sql', () => {
  it('applies INSERT ... VALUES and INSERT ... SELECT as batches, with the change type named or last', () => {
    const db = mirror();
    const a = sql(db, "INSERT INTO item (id, label, price, seq) VALUES (1, 'one', '1.5', 1), (2, 'two', NULL, 1), (3, 'bad', 'x', 1)");
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toBe('item: 3 received: 2 inserted, 0 updated, 0 deleted, 0 tombstoned, 0 stale, 0 duplicate, 1 rejected\n');
    const b = sql(db, "INSERT INTO item SELECT id, label || '!', price, seq + 1 FROM item WHERE id = 1; INSERT INTO item (id, seq, _change_request_type) VALUES (2, 5, 'd'); INSERT INTO item VALUES (9, 'x', NULL, 1, 'D')");
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout.split('\n').slice(0, 3)).toEqual([
      'item: 1 received: 0 inserted, 1 updated, 0 deleted, 0 tombstoned, 0 stale, 0 duplicate, 0 rejected',
      'item: 1 received: 0 inserted, 0 updated, 1 deleted, 0 tombstoned, 0 stale, 0 duplicate, 0 rejected',
      'item: 1 received: 0 inserted, 0 updated, 0 deleted, 1 tombstoned, 0 stale, 0 duplicate, 0 rejected',
    ]);
    const rows = sql(db, 'SELECT id, label, price, seq FROM item ORDER BY id', '--format', 'json');
    expect(JSON.parse(rows.stdout)).toEqual([{ id: 1, label: 'one!', price: '1.50', seq: 2 }]);
    const rejects = sql(db, 'SELECT code, reason, raw FROM _mdl_rejects', '--format', 'csv');
    expect(rejects.stdout).toBe('code,reason,raw\nbad-value,"column price: ""x"" is not a decimal that fits DECIMAL(10, 2)","[3,""bad"",""x"",1]"\n');
  });

  it('prints SELECT results as a table by default, and reads statements from a file', () => {
    const db = mirror();
    sql(db, "INSERT INTO item VALUES (1, 'a', NULL, 1)");
    const t = sql(db, 'SELECT id, label, price FROM item');
    expect(t.stdout).toBe('id  label  price\n--  -----  -----\n1   a      NULL\n(1 row)\n');
    const dir = project({ 'q.sql': "-- a comment; with a semicolon\nSELECT 'a;b' AS x;\n" });
    const f = mdl(['sql', '--db', db, '-f', join(dir, 'q.sql'), '--format', 'json']);
    expect(f.status, f.stderr).toBe(0);
    expect(JSON.parse(f.stdout)).toEqual([{ x: 'a;b' }]);
  });

  it('prints a large result as a table, widths taken over every row (a spread of 200,000 widths overflowed the stack)', () => {
    const db = mirror();
    const t = sql(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT x, 'r' || x AS name FROM c");
    expect(t.status, t.stderr).toBe(0);
    const lines = t.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['x       name', '------  -------', '1       r1']);
    expect(lines.slice(-3)).toEqual(['200000  r200000', '(200000 rows)', '']);
  });

  it('reads databases the user attaches (SPEC section 6): INSERT INTO a model SELECT ... FROM an attached table', () => {
    const db = mirror();
    const dir = project({});
    const source = join(dir, 'source.db');
    const s = new Database(source);
    s.exec("CREATE TABLE staged (id INTEGER, label TEXT, seq INTEGER); INSERT INTO staged VALUES (1, 'from afar', 3), (2, 'also', 3)");
    s.close();
    const r = sql(db, `ATTACH DATABASE '${source}' AS src; INSERT INTO item (id, label, seq) SELECT id, label, seq FROM src.staged; DETACH DATABASE src; SELECT id, label FROM item ORDER BY id`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('item: 2 received: 2 inserted, 0 updated, 0 deleted, 0 tombstoned, 0 stale, 0 duplicate, 0 rejected\nid  label\n--  ---------\n1   from afar\n2   also\n(2 rows)\n');
    // A statement that reads a database detached before it is refused before anything runs.
    const late = sql(db, `ATTACH DATABASE '${source}' AS src; INSERT INTO item (id, label, seq) SELECT id, label, seq + 1 FROM src.staged; DETACH DATABASE src; SELECT * FROM src.staged`);
    expect(late.status).toBe(1);
    expect(late.stderr).toContain('no such table: src.staged');
    expect(sql(db, 'SELECT max(seq) AS s FROM item', '--format', 'csv').stdout).toBe('s\n3\n');
  });

  it('checks every SELECT against the mirror before the first statement runs', () => {
    const db = mirror();
    const r = sql(db, "INSERT INTO item VALUES (1, 'a', NULL, 1); SELECT lable FROM item");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no such column: lable');
    expect(r.stdout).toBe('');
    expect(sql(db, 'SELECT count(*) AS n FROM item', '--format', 'csv').stdout).toBe('n\n0\n');
  });

  it('refuses a column list that names a column twice (two values, neither of which can be taken)', () => {
    const db = mirror();
    for (const text of ['INSERT INTO item (id, label, seq, seq) VALUES (1, \'a\', 1, 2)', "INSERT INTO item (id, seq, _change_request_type, _CHANGE_REQUEST_TYPE) VALUES (1, 1, 'u', 'd')"]) {
      const r = sql(db, text);
      expect(r.status, text).toBe(1);
      expect(r.stderr).toMatch(/the column list names (seq|_CHANGE_REQUEST_TYPE) twice/);
    }
    expect(sql(db, 'SELECT count(*) AS n FROM item', '--format', 'csv').stdout).toBe('n\n0\n');
  });

  it('refuses UPDATE and DDL on a model, saying what to do instead (DELETE is a precision delete: hygiene.test.ts)', () => {
    const db = mirror();
    const update = sql(db, "UPDATE item SET label = 'x'");
    expect(update.status).toBe(1);
    expect(update.stderr).toContain('UPDATE of model item is refused');
    expect(update.stderr).toContain('newer version');
    const drop = sql(db, 'DROP TABLE item');
    expect(drop.status).toBe(1);
    expect(drop.stderr).toContain('refused');
    // A conflict clause or RETURNING promises what mdl does not do: refused before anything runs.
    for (const [statement, message] of [
      ["REPLACE INTO item VALUES (1, 'a', NULL, 1)", 'REPLACE is refused: INSERT INTO item applies each row as a change, and which row wins is decided by version'],
      ["INSERT OR REPLACE INTO item VALUES (1, 'a', NULL, 1)", 'INSERT OR REPLACE is refused'],
      ["INSERT OR IGNORE INTO item VALUES (1, 'a', NULL, 1)", 'INSERT OR IGNORE is refused'],
      ["INSERT INTO item VALUES (1, 'a', NULL, 1) RETURNING id", 'RETURNING is refused: an INSERT into a model reports its accounting'],
      ['DELETE FROM item WHERE id = 1 RETURNING *', 'RETURNING is refused: a precision delete reports what it deleted'],
      ['DELETE FROM item', 'a precision delete names the rows it deletes: DELETE FROM item WHERE ... (every row: WHERE true)'],
    ]) {
      const r = sql(db, `INSERT INTO item VALUES (7, 'first', NULL, 1); ${statement}`);
      expect([r.status, r.stdout], statement).toEqual([1, '']);
      expect(r.stderr, statement).toContain(`mdl sql: ${message}`);
    }
    expect(JSON.parse(sql(db, 'SELECT count(*) AS n FROM item', '--format', 'json').stdout)).toEqual([{ n: 0 }]);
  });

  it('reports unknown models and columns with suggestions, before any statement runs', () => {
    const db = mirror();
    const r = sql(db, "INSERT INTO item VALUES (1, 'a', NULL, 1); INSERT INTO iten (id) VALUES (2)");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no model iten (did you mean item?)');
    const col = sql(db, 'INSERT INTO item (id, lable, seq) VALUES (2, 3, 4)');
    expect(col.stderr).toContain('model item has no column lable (did you mean label?)');
    expect(JSON.parse(sql(db, 'SELECT count(*) AS n FROM item', '--format', 'json').stdout)).toEqual([{ n: 0 }]);
  });

  it('points into the statement where it goes wrong: a misspelt model, a syntax error, a column SQLite does not know', () => {
    const db = mirror();
    const model = sql(db, 'SELECT 1;\nINSERT INTO iten (id) VALUES (2)');
    expect(model.stderr).toBe(
      'mdl sql: the mirror has no model iten (did you mean item?); INSERT INTO applies changes to a model\n' +
        ' --> -e:2:13\n  |\n2 | INSERT INTO iten (id) VALUES (2)\n  |             ^^^^\n',
    );
    const syntax = sql(db, 'SELECT id FROM item WHERE id = = 1');
    expect(syntax.stderr).toContain('mdl sql: cannot read this statement: syntax error at "="\n --> -e:1:32\n');
    // SQLite's own error, for a statement node-sql-parser accepts: a message and a frame, not a crash.
    const column = sql(db, "SELECT nope FROM item WHERE label = 'nope'");
    expect(column.status).toBe(1);
    expect(column.stderr).toBe(
      "mdl sql: SELECT nope FROM item WHERE label = 'nope': no such column: nope\n" +
        " --> -e:1:8\n  |\n1 | SELECT nope FROM item WHERE label = 'nope'\n  |        ^^^^\n",
    );
    // A row of VALUES that does not match the column list: SQLite's words, not a parser's.
    const count = sql(db, "INSERT INTO item (id, seq) VALUES (1, 1, 'x')");
    expect(count.status).toBe(1);
    expect(count.stderr).toBe("mdl sql: INSERT INTO item (id, seq) VALUES (1, 1, 'x'): 3 values for 2 columns\n");
    const del = sql(db, 'DELETE FROM item WHERE lable = 1');
    expect(del.stderr).toContain('no such column: lable\n --> -e:1:24\n');
  });

  it('reads a quote doubled inside a quoted model or column name (node-sql-parser alone cannot)', () => {
    const dir = project({
      'm.mdl': 'CREATE MODEL a (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\n' +
        'CREATE MODEL "a""b" (id STRING NOT NULL PRIMARY KEY, "x""y" TEXT, v BIGINT NOT NULL VERSION);\n',
    });
    const db = join(dir, 'm.db');
    expect(mdl(['push', dir, '--db', db]).status).toBe(0);
    expect(sql(db, `INSERT INTO a (id, v) VALUES ('k', 1)`).status).toBe(0);
    // A "" inside a string is left alone; the statement runs as written.
    const insert = sql(db, `INSERT INTO "a""b" (id, "x""y", v) VALUES ('k', 'it''s ""quoted""', 1)`);
    expect(insert.stdout, insert.stderr).toBe('a"b: 1 received: 1 inserted, 0 updated, 0 deleted, 0 tombstoned, 0 stale, 0 duplicate, 0 rejected\n');
    expect(sql(db, `SELECT "x""y" AS x FROM "a""b"`, '--format', 'json').stdout).toBe('[{"x":"it\'s \\"\\"quoted\\"\\""}]\n');
    const unknown = sql(db, `INSERT INTO "a""b" (id, "x""z", v) VALUES ('k', 'q', 2)`);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('model a"b has no column x"z (did you mean x"y?)');
    expect(unknown.stderr).toContain('1 | INSERT INTO "a""b" (id, "x""z", v) VALUES (\'k\', \'q\', 2)\n  |                         ^^^^^^');
    // A precision delete of a"b, not of a.
    const del = sql(db, `DELETE FROM "a""b" WHERE id = 'k'`);
    expect(del.stdout, del.stderr).toMatch(/^a"b: deleted 1 row/);
    expect(sql(db, 'SELECT (SELECT count(*) FROM "a""b") AS ab, (SELECT count(*) FROM a) AS a', '--format', 'json').stdout).toBe('[{"ab":0,"a":1}]\n');
  });

  it('reads names in backticks, and names holding U+0001, as SQLite does: the change goes to that model, as a batch', () => {
    const dir = project({
      'm.mdl':
        'CREATE MODEL "a""""b" (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\n' +
        'CREATE MODEL "a""""""b" (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\n' +
        'CREATE MODEL "c""d" (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\n' +
        'CREATE MODEL "c\u0001\u0001d" (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\n',
    });
    const db = join(dir, 'm.db');
    expect(mdl(['push', dir, '--db', db]).status).toBe(0);
    // In backticks a " is itself: this is the model a"""b, not a""b.
    const backticks = sql(db, "INSERT INTO `a\"\"\"b` (id, v) VALUES ('k', 1)");
    expect(backticks.stdout, backticks.stderr).toMatch(/^a"""b: 1 received: 1 inserted/);
    const control = sql(db, "INSERT INTO \"c\u0001\u0001d\" (id, v) VALUES ('k', 1)");
    expect(control.stdout, control.stderr).toMatch(/^c\u0001\u0001d: 1 received: 1 inserted/);
    const counts = sql(
      db,
      'SELECT (SELECT count(*) FROM "a""""b") AS a2b, (SELECT count(*) FROM "a""""""b") AS a3b, (SELECT count(*) FROM "c""d") AS cd, ' +
        '(SELECT count(*) FROM _mdl_batches) AS batches',
      '--format',
      'json',
    );
    expect(counts.stdout, counts.stderr).toBe('[{"a2b":0,"a3b":1,"cd":0,"batches":2}]\n');
  });

  it('--dry-run gives the accounting an INSERT would, and applies nothing', () => {
    const db = mirror();
    sql(db, "INSERT INTO item VALUES (1, 'a', NULL, 1)");
    const state = () => sql(db, 'SELECT (SELECT count(*) FROM item) AS n, (SELECT group_concat(label) FROM item) AS labels, (SELECT count(*) FROM _mdl_batches) AS batches, (SELECT count(*) FROM _mdl_rejects) AS rejects', '--format', 'json').stdout;
    const before = state();
    const tried = "INSERT INTO item VALUES (1, 'a2', NULL, 2), (2, 'b', NULL, 1), (3, 'c', 'x', 1), (1, 'old', NULL, 0)";
    const r = sql(db, tried, '--dry-run');
    expect(r.stdout).toBe('item: 4 received: 1 inserted, 1 updated, 0 deleted, 0 tombstoned, 1 stale, 0 duplicate, 1 rejected (dry run: nothing applied)\n');
    expect(JSON.parse(sql(db, tried, '--dry-run', '--format', 'json').stdout)).toMatchObject({ model: 'item', received: 4, inserted: 1, rejected: 1, applied: false });
    expect(state()).toBe(before);
    // In one connection, the same statement applied after its dry run gives what the dry run said.
    const m = openMirror(db);
    try {
      const [planned] = runSql(m, tried, { dryRun: true });
      const [applied] = runSql(m, tried);
      expect(planned).toMatchObject({ kind: 'planned', report: { received: 4, inserted: 1, updated: 1, stale: 1, rejected: 1 } });
      expect(applied).toMatchObject({ kind: 'applied', report: (planned as { report: object }).report });
    } finally {
      m.close();
    }
  });

  it('runs each -e in order; several results print as JSON lines, or as CSV with an empty line between', () => {
    const db = mirror();
    const r = mdl(['sql', '--db', db, '-e', "INSERT INTO item VALUES (1, 'a', NULL, 1) -- a comment", '-e', 'SELECT id, label FROM item', '-e', 'SELECT 2 AS n']);
    expect(r.stdout).toBe('item: 1 received: 1 inserted, 0 updated, 0 deleted, 0 tombstoned, 0 stale, 0 duplicate, 0 rejected\nid  label\n--  -----\n1   a\n(1 row)\nn\n-\n2\n(1 row)\n');
    const csv = mdl(['sql', '--db', db, '--format', 'csv', '-e', 'SELECT id, label FROM item; SELECT 2 AS n']);
    expect(csv.stdout).toBe('id,label\n1,a\n\nn\n2\n');
    const json = mdl(['sql', '--db', db, '--format', 'json', '-e', 'SELECT id FROM item', '-e', 'SELECT 2 AS n']);
    expect(json.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l))).toEqual([[{ id: 1 }], [{ n: 2 }]]);
    // A mistake is shown in the -e it is in; one -e cannot run on into the next.
    const wrong = mdl(['sql', '--db', db, '-e', 'SELECT 1 AS a', '-e', 'SELECT nme FROM item']);
    expect(wrong.stderr).toContain(' --> -e #2:1:8\n');
    const open = mdl(['sql', '--db', db, '-e', "SELECT 'x", '-e', "y' AS b"]);
    expect([open.status, open.stdout]).toEqual([2, '']);
    expect(open.stderr).toMatch(/^mdl sql: -e #1 ends inside a string: each -e holds whole statements$/m);
  });

  it('is a usage error without exactly one of -e and -f', () => {
    const db = mirror();
    expect(mdl(['sql', '--db', db]).status).toBe(2);
    expect(mdl(['sql', '--db', db, '-e', 'SELECT 1', '-f', 'x.sql']).status).toBe(2);
  });
});
