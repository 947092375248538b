/**
 * `mdl repl`, twice: scripted through piped input (every dot command, an INSERT INTO, a SELECT
 * and errors), and as a person uses it, in a real terminal: tmux runs it, `send-keys` types
 * (Tab completion, a statement over two lines, Ctrl-C, the history), `capture-pane` reads the
 * screen.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyChanges, openMirror, pushProject } from '../src/index.js';
import { ReplSession } from '../src/repl/session.js';
import { sqlOnOneLine } from '../src/ingest/sql.js';
import { project, root } from './helpers.js';

const MODELS = `
CREATE MODEL plan (
  code   STRING NOT NULL PRIMARY KEY,
  name   STRING NOT NULL COMMENT 'What customers see',
  seq    BIGINT NOT NULL VERSION
) COMMENT 'Price plans';

CREATE MODEL subscription (
  id       BIGINT NOT NULL PRIMARY KEY,
  plan     STRING REFERENCES plan (code) ON DELETE RESTRICT,
  status   STRING NOT NULL,
  lsn      BIGINT NOT NULL VERSION
) WITH HISTORY;
`;

function mirror(): { dir: string; db: string } {
  const dir = project({ 'models/m.mdl': MODELS });
  const db = join(dir, 'm.db');
  const m = openMirror(db, { create: true });
  pushProject(m, [join(dir, 'models')]);
  applyChanges(m, 'plan', [
    { code: 'basic', name: 'Basic', seq: 1 },
    { code: 'pro', name: 'Pro', seq: 1 },
  ]);
  applyChanges(m, 'subscription', [
    { id: 7, plan: 'basic', status: 'trialing', lsn: 100 },
    { id: 7, plan: 'pro', status: 'active', lsn: 300 },
    { id: 7, plan: 'basic', status: 'active', lsn: 200 },
  ]);
  m.close();
  return { dir, db };
}

function piped(db: string, input: string, env: Record<string, string> = {}, cwd?: string) {
  return spawnSync(process.execPath, [join(root, 'bin', 'mdl.js'), 'repl', '--db', db], {
    input,
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
}

describe('mdl repl, scripted through piped input', () => {
  it('runs statements over several lines and every dot command, without prompts', () => {
    const { dir, db } = mirror();
    writeFileSync(join(dir, 'more.sql'), "INSERT INTO plan VALUES ('max', 'Max', 1);\nSELECT count(*) AS plans FROM plan;\n");
    const r = piped(
      db,
      [
        '.help',
        '.models',
        '.describe subscription',
        'INSERT INTO subscription (id, plan, status, lsn)',
        "  VALUES (8, 'pro', 'active', 10);",
        'SELECT id, plan, status',
        '  FROM subscription ORDER BY id;',
        '.history subscription 7',
        '.mode json',
        'SELECT code FROM plan ORDER BY code;',
        '.mode csv',
        'SELECT code, name FROM plan ORDER BY code;',
        '.mode table',
        '.timer on',
        'SELECT 1 AS one;',
        '.timer off',
        `.read ${join(dir, 'more.sql')}`,
        "INSERT INTO plan (code, seq) VALUES ('broken', 1);",
        '.rejects',
        '.batches 2',
        '.quit',
        'SELECT 1;',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).not.toContain('mdl>');
    expect(out).toContain('.describe MODEL');
    expect(out).toContain('.history MODEL KEY...');
    expect(out).toContain(
      [
        'model         rows  key   version  behavior  history',
        '------------  ----  ----  -------  --------  -------',
        'plan          2     code  seq      record    no',
        'subscription  1     id    lsn      record    yes',
        '(2 rows)',
      ].join('\n'),
    );
    expect(out).toContain('subscription: record, WITH HISTORY\n');
    expect(out).toContain('plan    STRING  ' );
    expect(out).toMatch(/subscription \(plan\)\s+plan \(code\)\s+MANY TO ONE \(M:0\)\s+RESTRICT/);
    expect(out).toContain('subscription: 1 received: 1 inserted, 0 updated, 0 deleted, 0 tombstoned, 0 stale, 0 duplicate, 0 rejected');
    expect(out).toContain(['id  plan  status', '--  ----  ------', '7   pro   active', '8   pro   active', '(2 rows)'].join('\n'));
    // The late change (lsn 200) is stale for the table, and in its place in history.
    expect(out).toMatch(/7\s+basic\s+trialing\s+100\s+100\s+200\n7\s+basic\s+active\s+200\s+200\s+300\n7\s+pro\s+active\s+300\s+300\s+NULL/);
    expect(out).toContain('[{"code":"basic"},{"code":"pro"}]\n');
    expect(out).toContain('code,name\nbasic,Basic\npro,Pro\n');
    expect(out).toMatch(/one\n---\n1\n\(1 row\)\nRun Time: \d+\.\d{3} ms\n/);
    expect(out).toContain('plan: 1 received: 1 inserted');
    expect(out).toContain('plans\n-----\n3\n');
    expect(out).toMatch(/missing-value\s+column name is NOT NULL but the row has NULL/);
    expect(out).toMatch(/id\s+model\s+source\s+started_at/);
    // .quit ends the input: the statement after it does not run.
    expect(out.trimEnd().endsWith('(2 rows)')).toBe(true);
  });

  it('shows errors with a frame pointing into the statement, goes on, and exits 1', () => {
    const { db } = mirror();
    const r = piped(db, ['SELECT code', '  FROM plan WHERE nme = 1;', 'SELECT count(*) AS n FROM plan;', 'INSERT INTO plans VALUES (1);', '.frobnicate', 'DELETE FROM plan WHERE code = \'pro\';', 'SELECT 2 AS two'].join('\n'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      ['error: SELECT code: no such column: nme', ' --> input:2:19', '  |', '2 |   FROM plan WHERE nme = 1;', '  |                   ^^^'].join('\n'),
    );
    expect(r.stderr).toContain('error: the mirror has no model plans (did you mean plan?)');
    expect(r.stderr).toContain(' --> input:1:13');
    expect(r.stderr).toContain('error: unknown command .frobnicate; .help lists them');
    expect(r.stderr).toMatch(/error: DELETE FROM plan .*refused, nothing deleted: 1 row of subscription .*RESTRICT/);
    // The statements between the errors ran, and so did the last one, without its ';'.
    expect(r.stdout).toContain('n\n-\n2\n');
    expect(r.stdout).toContain('two\n---\n2\n');
  });

  it('shows what the statements before a failing one did, and points at the failing one', () => {
    const { dir, db } = mirror();
    writeFileSync(join(dir, 'inner.sql'), ".mode json\nSELECT code FROM plan WHERE code = 'basic';\nSELECT nope\n  FROM plan;\n.read inner.sql\n");
    const r = piped(
      db,
      [
        "INSERT INTO plan VALUES ('gold', 'Gold', 1); SELECT 'SELECT nope FROM plan' AS q; SELECT json('nope') AS j;",
        "INSERT INTO plan VALUES ('silver', 'Silver', 1); SELECT nope FROM plan;",
        '.rejects 99999999999999999999',
        `.read "${join(dir, 'inner.sql')}"`,
        '.mode table',
        `.history "subscription" '7'`,
        "SELECT x'00ff' AS b, 'two\nlines' AS t;",
        '.mode json',
        "SELECT x'00ff' AS b;",
      ].join('\n'),
      {},
      dir,
    );
    expect(r.status).toBe(1);
    // The INSERT and the first SELECT ran, and their results show, before the third fails as it runs.
    expect(r.stdout).toMatch(/^plan: 1 received: 1 inserted.*\nq\n-+\nSELECT nope FROM plan\n\(1 row\)\n/);
    expect(r.stderr).toContain('malformed JSON');
    // A statement SQLite cannot prepare is found before any of its line runs: no silver plan.
    expect(r.stderr).toContain('no such column: nope\n --> input:1:57\n');
    expect(r.stdout.match(/plan: 1 received/g)).toHaveLength(1);
    expect(r.stderr).toContain('error: give a number of rows from 1 to 9999999, not 99999999999999999999');
    // .read runs dot commands too, points into the file, and does not read itself again.
    expect(r.stdout).toContain('[{"code":"basic"}]');
    expect(r.stderr).toContain(`no such column: nope\n --> ${join(dir, 'inner.sql')}:3:8\n`);
    expect(r.stderr).toContain('inner.sql: it is already being read');
    expect(r.stdout).toMatch(/7\s+pro\s+active\s+300\s+300\s+NULL/);
    expect(r.stdout).toContain("x'00ff'  two\\nlines");
    expect(r.stdout).toContain(`[{"b":"x'00ff'"}]`);
  });

  it('says when the mirror cannot be opened', () => {
    const dir = project({});
    const r = piped(join(dir, 'missing.db'), 'SELECT 1;');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^mdl repl: cannot open .*missing\.db/);
  });
});

describe('the REPL session: completion', () => {
  it('completes dot commands, their arguments, keywords in the case typed, models and columns', () => {
    const { db } = mirror();
    const m = openMirror(db);
    const s = new ReplSession(m, { out: () => {}, err: () => {}, color: false });
    expect(s.complete('.de')).toEqual([['.describe'], '.de']);
    expect(s.complete('.describe sub')).toEqual([['subscription'], 'sub']);
    expect(s.complete('.mode j')).toEqual([['json'], 'j']);
    expect(s.complete('SEL')).toEqual([['SELECT'], 'SEL']);
    expect(s.complete('sel')).toEqual([['select'], 'sel']);
    expect(s.complete('SELECT * FROM subs')[0]).toEqual(['subscription', 'subscription__history', 'subscription__tombstones']);
    expect(s.complete('SELECT subscription.st')).toEqual([['subscription.status'], 'subscription.st']);
    expect(s.complete('SELECT sta')[0]).toEqual(['status']);
    // Within a statement being continued, a leading '.' is not a command.
    s.line('SELECT');
    expect(s.complete('.de')[0]).toEqual([]);
    m.close();
  });
});

describe('a statement over several lines, as one history entry', () => {
  it('joins the lines with spaces where no break falls inside a string, a quoted name or a -- comment', () => {
    expect(sqlOnOneLine(['SELECT count(*) AS n', 'FROM plan;'])).toBe('SELECT count(*) AS n FROM plan;');
    expect(sqlOnOneLine(["INSERT INTO plan VALUES ('a;b', 1)", "  , ('it''s', 2);"])).toBe("INSERT INTO plan VALUES ('a;b', 1)   , ('it''s', 2);");
    expect(sqlOnOneLine(['SELECT 1 /* a comment', 'over lines */ AS one;'])).toBe('SELECT 1 /* a comment over lines */ AS one;');
    expect(sqlOnOneLine(['SELECT 1 -- only on the last line;'])).toBe('SELECT 1 -- only on the last line;');
  });

  it('gives none where joining would change the statement', () => {
    // A string over two lines would lose its line break; a -- comment would swallow the rest.
    expect(sqlOnOneLine(["SELECT 'two", "lines';"])).toBeUndefined();
    expect(sqlOnOneLine(['SELECT "odd', 'name" FROM t;'])).toBeUndefined();
    expect(sqlOnOneLine(['SELECT 1 -- the answer', 'AS one;'])).toBeUndefined();
    // "--" inside a string is not a comment.
    expect(sqlOnOneLine(["SELECT '--' AS dashes", 'FROM plan;'])).toBe("SELECT '--' AS dashes FROM plan;");
  });
});

/** A terminal: tmux, a session of its own, a fixed size. */
class Terminal {
  private readonly name = `mdl-repl-test-${process.pid}-${Date.now()}`;

  constructor(command: string, env: Record<string, string>) {
    const exports = Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
    this.tmux('new-session', '-d', '-s', this.name, '-x', '120', '-y', '40', `env ${exports} ${command}`);
  }

  private tmux(...args: string[]): string {
    const r = spawnSync('tmux', args, { encoding: 'utf8' });
    if (r.error) throw new Error(`tmux is needed for this test (the CI script installs it): ${r.error.message}`);
    if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Types text as keys; `keys` such as Tab, Enter, C-c, C-d, Up are sent as keys. */
  type(text: string): void {
    // tmux reads an argument ending in ';' as the end of its command: that ';' is escaped.
    this.tmux('send-keys', '-t', this.name, '-l', text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text);
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** Waits until the screen shows `what`, and returns the screen. */
  async waitFor(what: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const started = Date.now();
    for (;;) {
      const screen = this.screen();
      if (typeof what === 'string' ? screen.includes(what) : what.test(screen)) return screen;
      if (Date.now() - started > timeoutMs) throw new Error(`the screen never showed ${String(what)}:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  alive(): boolean {
    return spawnSync('tmux', ['has-session', '-t', this.name]).status === 0;
  }

  close(): void {
    spawnSync('tmux', ['kill-session', '-t', this.name]);
  }
}

describe('mdl repl, in a real terminal', () => {
  it('prompts, completes with Tab, continues a statement, clears with Ctrl-C, recalls history, leaves with Ctrl-D', { timeout: 60_000 }, async () => {
    const { dir, db } = mirror();
    const history = join(dir, 'history');
    writeFileSync(history, 'SELECT 41 + 1 AS answer;\n');
    const t = new Terminal(`${process.execPath} ${join(root, 'bin', 'mdl.js')} repl --db ${db}`, { MDL_HISTORY: history, NO_COLOR: '1' });
    try {
      await t.waitFor(/^mdl>\s*$/m);
      expect(t.screen()).toContain('2 models. Statements end with ";"; .help for more.');
      // Tab completes the command, then the model.
      t.type('.desc');
      t.keys('Tab');
      await t.waitFor('mdl> .describe');
      t.type(' subs');
      t.keys('Tab');
      await t.waitFor('mdl> .describe subscription');
      t.keys('Enter');
      await t.waitFor('subscription: record, WITH HISTORY');
      // A statement over two lines: the continuation prompt, then the result.
      t.type('SELECT count(*) AS n');
      t.keys('Enter');
      await t.waitFor(/^\.\.\.>\s*$/m);
      t.type('FROM plan;');
      t.keys('Enter');
      await t.waitFor(/n\n-\n2\n\(1 row\)/);
      // Ctrl-C forgets a half-typed statement, and does not leave.
      t.type('SELECT nonsense');
      t.keys('Enter');
      await t.waitFor(/^\.\.\.>\s*$/m);
      // ... the whole line, wherever the cursor is in it.
      t.type('FROM nowhere');
      t.keys('Left', 'Left', 'Left');
      t.keys('C-c');
      await t.waitFor(/\^C\nmdl>\s*$/m);
      t.type('SELECT 5 AS five;');
      t.keys('Enter');
      await t.waitFor(/five\n----\n5/);
      // Up recalls history: the statement typed over two lines as one line ...
      for (let i = 0; i < 3; i++) t.keys('Up');
      await t.waitFor(/^mdl> SELECT count\(\*\) AS n FROM plan;\s*$/m);
      // ... and from an earlier session too.
      for (let i = 0; i < 2; i++) t.keys('Up');
      await t.waitFor('mdl> SELECT 41 + 1 AS answer;');
      t.keys('Enter');
      await t.waitFor(/answer\n------\n42/);
      // A statement with a line typed twice is one entry too, with no line of it left apart.
      for (const line of ['SELECT 1 AS a', ',', '2 AS b', ',', '3 AS c;']) {
        t.type(line);
        t.keys('Enter');
      }
      await t.waitFor(/a {2}b {2}c\n-{1} {2}-{1} {2}-{1}\n1 {2}2 {2}3/);
      // (Each pattern is held to the end of the screen: the last prompt line.)
      t.keys('Up');
      await t.waitFor(/\nmdl> SELECT 1 AS a , 2 AS b , 3 AS c;\s*$/);
      t.keys('Up');
      await t.waitFor(/\nmdl> SELECT 41 \+ 1 AS answer;\s*$/);
      t.keys('C-c');
      await t.waitFor(/\^C \(Ctrl-D or \.quit to leave\)\nmdl>\s*$|\^C\nmdl>\s*$/m);
      // An error is a frame pointing into the statement.
      t.type('SELECT * FROM plam;');
      t.keys('Enter');
      await t.waitFor(/no such table: plam \(did you mean plan\?\)\n --> input:1:15\n/);
      t.keys('C-d');
      for (let i = 0; i < 100 && t.alive(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(t.alive()).toBe(false);
    } finally {
      t.close();
    }
    const kept = readFileSync(history, 'utf8');
    expect(kept).toContain('.describe subscription\n');
    expect(kept).toContain('SELECT 5 AS five;\n');
    expect(kept).toContain('SELECT count(*) AS n FROM plan;\n');
    expect(kept).not.toContain('\nFROM plan;\n');
  });
});
