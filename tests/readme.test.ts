/**
 * The README's library example runs as written (against the built package) and prints what its
 * comments say.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { mdl, project, root } from './helpers.js';

it('runs the README library example', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Library'));
  const code = /```js\n([\s\S]*?)```/.exec(section)![1]!;
  const runnable = code.replace("from 'mdl'", `from ${JSON.stringify(join(root, 'dist/index.js'))}`);
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', runnable], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toBe("true [ 'id' ]");
  expect(lines.slice(1).join(' ').replace(/\s+/g, ' ')).toMatch(/^\[ 'account', 'account_billing_profile', /);
});

it('runs the README mirror example', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Library'));
  const code = [...section.matchAll(/```js\n([\s\S]*?)```/g)][1]![1]!;
  const runnable = code.replace("from 'mdl'", `from ${JSON.stringify(join(root, 'dist/index.js'))}`);
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', runnable], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toBe('3 received: 1 tombstoned, 1 stale, 1 rejected');
  expect(lines.slice(1).join(' ')).toContain("code: 'bad-value'");
  expect(lines.slice(1).join(' ')).toContain('is_active');
  expect(lines.join('\n')).toContain("[ { id: 'U3', full_name: 'Cy' } ]");
  expect(lines.at(-1)).toBe('hygiene: deleted 1, ledger 1');
});

it('shows the real output of mdl check on the mistakes example', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /```console\n\$ npx mdl check three-kinds-of-mistake\.mdl\n([\s\S]*?)```/.exec(readme)![1]!;
  const r = spawnSync(process.execPath, [join(root, 'bin/mdl.js'), 'check', 'three-kinds-of-mistake.mdl'], {
    cwd: join(root, 'tests/cases/syntax'),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  expect(r.stdout).toBe(block);
  expect(r.status).toBe(1);
});

it('shows a real REPL session: what follows each prompt is what the REPL prints for it', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /```console\n\$ npx mdl repl --db subs\.db\n([\s\S]*?)```/.exec(readme)![1]!;
  const lines = block.split('\n').slice(1, -1);
  const input = lines.filter((l) => l.startsWith('mdl> ') || l.startsWith('...> ')).map((l) => l.slice(5));
  const shown = lines.filter((l) => !l.startsWith('mdl> ') && !l.startsWith('...> ')).join('\n');
  const dir = project({});
  const db = join(dir, 'subs.db');
  const run = (args: string[], stdin?: string) =>
    spawnSync(process.execPath, [join(root, 'bin/mdl.js'), ...args], { cwd: root, input: stdin, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(run(['push', 'examples/subscriptions', '--db', db]).status).toBe(0);
  expect(run(['ingest', '--db', db, '--model', 'subscription', 'examples/subscriptions/changes/subscription.csv']).status).toBe(0);
  const r = run(['repl', '--db', db], input.join('\n') + '\n');
  // Piped, the REPL prints no banner or prompts; its results and errors are the rest of the block.
  expect(r.stdout + r.stderr).toBe(shown + '\n');
});

it('shows the CRM diagram as it is drawn', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /```mermaid\n([\s\S]*?)```/.exec(readme)![1]!;
  expect(block).toBe(readFileSync(join(root, 'examples/crm/expected/diagram.mmd'), 'utf8'));
});

/** A command line's words: spaces separate them, double quotes hold spaces (as the README writes them). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

it('shows the real output of each mdl command in its sessions, run in order in one folder', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  // The sessions of push, ingest and sql on the examples' mirrors (check's and the REPL's have
  // tests of their own above; the progress line's is an illustration of a large file).
  const blocks = [...readme.matchAll(/```console\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((b) => /^\$ npx mdl (push|ingest|sql) .*--db (crm|subs)\.db/.test(b));
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  // One folder for all: a later session may use the mirror an earlier one made (crm.db).
  const dir = project({});
  symlinkSync(join(root, 'examples'), join(dir, 'examples'));
  let commands = 0;
  for (const block of blocks) {
    const lines = block.split('\n').slice(0, -1);
    for (let i = 0; i < lines.length; ) {
      const command = lines[i]!;
      expect(command.startsWith('$ npx mdl ')).toBe(true);
      let j = i + 1;
      while (j < lines.length && !lines[j]!.startsWith('$ ')) j++;
      const r = mdl(words(command.slice('$ npx mdl '.length)), { cwd: dir, env: { NO_COLOR: '1' } });
      expect({ command, status: r.status, output: r.stdout + r.stderr }).toEqual({ command, status: 0, output: lines.slice(i + 1, j).map((l) => `${l}\n`).join('') });
      commands++;
      i = j;
    }
  }
  expect(commands).toBeGreaterThanOrEqual(9);
});

it('names in its API table only what the package exports, and its errors are those runSql throws', async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Library'), readme.indexOf('## Guarantees'));
  const table = section.slice(section.indexOf('| function | returns |'));
  const api = (await import(join(root, 'dist/index.js'))) as Record<string, unknown>;
  // The functions of each row's first cell (and Codes), and the errors its second says are thrown.
  const names = new Set<string>();
  for (const row of table.split('\n').slice(2)) {
    const [, fn = '', returns = ''] = row.split(/(?<!\\)\|/);
    for (const m of fn.matchAll(/`(\w+)[(`]/g)) names.add(m[1]!);
    for (const m of returns.matchAll(/`(\w+(?:Refused|Failed|Error))`/g)) names.add(m[1]!);
  }
  for (const n of ['checkText', 'runSql', 'SqlRefused', 'SqlFailed', 'HygieneRefused', 'PushRefused', 'MirrorError', 'Codes']) expect(names).toContain(n);
  for (const n of names) expect(api[n], n).toBeDefined();
  type Mirror = { close(): void };
  const openMirror = api['openMirror'] as (file: string, o: { create: boolean }) => Mirror;
  const runSql = api['runSql'] as (m: Mirror, sql: string) => unknown;
  const m = openMirror(':memory:', { create: true });
  try {
    expect(() => runSql(m, 'SELECT * FROM nowhere')).toThrow(api['SqlFailed'] as new () => Error);
    expect(() => runSql(m, 'DROP TABLE nowhere')).toThrow(api['SqlRefused'] as new () => Error);
  } finally {
    m.close();
  }
});
