// `npm start`: the CRM example end to end. Check the models, push them into a mirror in an
// embedded SQLite file, ingest the example's change files (late updates, a delete before its
// insert, duplicates and a few bad rows among them), erase a person with a precision delete that
// follows the relationships (and replay her changes, which does not bring her back), then show
// what the mirror holds, what was rejected and why, and the ledgers.

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dbFile = join(root, '.mdl-demo', 'crm.db');
const db = relative(root, dbFile);
const mdl = (...args) => {
  console.log(`\n$ mdl ${args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [join(root, 'bin', 'mdl.js'), ...args], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

mkdirSync(dirname(dbFile), { recursive: true });
for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });

mdl('check', 'examples/crm');
mdl('push', 'examples/crm', '--db', db);
mdl('ingest', '--db', db, '--model', 'sales_user', 'examples/crm/changes/sales_user.csv');
mdl('ingest', '--db', db, '--model', 'account', 'examples/crm/changes/account.csv');
mdl('ingest', '--db', db, '--model', 'contact', 'examples/crm/changes/contact.jsonl');
mdl('ingest', '--db', db, '--model', 'account_contact', 'examples/crm/changes/account_contact.csv');
mdl('ingest', '--db', db, '--model', 'marketing_consent', 'examples/crm/changes/marketing_consent.jsonl');
console.log('\nThe same file again is recognised by its content, and skipped.');
mdl('ingest', '--db', db, '--model', 'account', 'examples/crm/changes/account.csv');
console.log('\nReplaying it all the same (--force) converges: nothing changes the second time.');
mdl('ingest', '--db', db, '--model', 'account', '--force', 'examples/crm/changes/account.csv');

console.log('\nData hygiene: Ana Silva asks to be forgotten. First what the delete would do, then the delete.');
const erase = "DELETE FROM contact WHERE email = 'ana.silva@northwind.example'";
mdl('sql', '--db', db, '--dry-run', '-e', erase);
mdl('sql', '--db', db, '-e', erase);
console.log('\nReplaying every change about her does not bring her back: her rows left tombstones.');
mdl('ingest', '--db', db, '--model', 'contact', '--force', 'examples/crm/changes/contact.jsonl');
mdl('ingest', '--db', db, '--model', 'account_contact', '--force', 'examples/crm/changes/account_contact.csv');
mdl('ingest', '--db', db, '--model', 'marketing_consent', '--force', 'examples/crm/changes/marketing_consent.jsonl');

const conn = new Database(dbFile, { readonly: true });
const show = (title, sql) => {
  const rows = conn.prepare(sql).all();
  console.log(`\n${title}`);
  if (rows.length === 0) return console.log('  (none)');
  const cols = Object.keys(rows[0]);
  const text = (v) => (v === null ? 'NULL' : String(v));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells) => '  ' + cells.map((c, i) => c.padEnd(width[i])).join('  ').trimEnd();
  console.log(line(cols));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => text(r[c]))));
};
show('sales_user', 'SELECT id, full_name, title, is_active, system_modstamp FROM sales_user ORDER BY id');
show('account', 'SELECT id, name, parent_account_id AS parent, annual_revenue, account_type, system_modstamp FROM account ORDER BY id');
show('account__tombstones (deleted keys, kept so that older changes cannot bring them back)', 'SELECT * FROM account__tombstones');
show('contact', 'SELECT id, email, last_name, do_not_call, system_modstamp FROM contact ORDER BY id');
show('account_contact', 'SELECT account_id, contact_id, role, "primary" FROM account_contact ORDER BY 1, 2');
show('marketing_consent', 'SELECT email, list_id, status, change_seq FROM marketing_consent ORDER BY 1, 2');
show('_mdl_hygiene (the ledger of precision deletes)', 'SELECT id, statement, deleted, cleared, detail FROM _mdl_hygiene ORDER BY id');
show('_mdl_rejects', 'SELECT model, line, code, reason FROM _mdl_rejects ORDER BY id');
show('_mdl_batches', 'SELECT id, model, received, inserted, updated, deleted, tombstoned, stale, duplicate, rejected FROM _mdl_batches ORDER BY id');
conn.close();
console.log(`\nOpen it with: sqlite3 ${relative(process.cwd(), dbFile)}`);
