/**
 * The README's library example runs as written (against the built package) and prints what its
 * comments say.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { project, root } from './helpers.js';

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
