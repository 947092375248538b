// `npm start`: the CRM example end to end, as far as mdl goes today: check the models, compile
// them, create the mirror in an embedded SQLite file, and show what it holds. (Ingesting change
// files arrives with `mdl push` and `mdl ingest`.)

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { compileProject } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'crm');
const dbFile = join(root, '.mdl-demo', 'crm.db');
const mdl = (...args) => spawnSync(process.execPath, [join(root, 'bin', 'mdl.js'), ...args], { stdio: 'inherit', cwd: root });

console.log('$ mdl check examples/crm');
if (mdl('check', 'examples/crm').status !== 0) process.exit(1);

const compiled = compileProject([relative(process.cwd(), example) || '.']);
if (!compiled.ok) process.exit(1);
mkdirSync(dirname(dbFile), { recursive: true });
rmSync(dbFile, { force: true });
const db = new Database(dbFile);
db.exec(compiled.sql);

console.log(`\nCompiled ${compiled.program.models.length} models (${compiled.sql.length.toLocaleString()} bytes of SQL) into ${relative(root, dbFile)}:`);
const tables = db
  .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
  .all()
  .map((r) => r.name);
for (const m of compiled.program.models) {
  const model = compiled.schema.models.find((x) => x.name === m.model);
  const cols = db.prepare(`SELECT count(*) AS n FROM pragma_table_info(?)`).get(m.table).n;
  console.log(`  ${m.table.padEnd(26)} ${String(cols).padStart(2)} columns, key (${model.primaryKey.columns.join(', ')}), version ${model.version.column}; tombstones in ${m.tombstones}`);
}
console.log(`  metadata: ${tables.filter((t) => t.startsWith('_mdl_')).join(', ')}`);
console.log('\nRelationships recorded in _mdl_relationships (not enforced: a child may arrive before its parent):');
for (const r of db.prepare('SELECT model, columns, target, notation, on_delete FROM _mdl_relationships ORDER BY model, name').all()) {
  console.log(`  ${r.model} ${JSON.parse(r.columns).join(', ')} -> ${r.target}  ${r.notation}  ON DELETE ${r.on_delete.toUpperCase().replace('-', ' ')}`);
}
db.close();
console.log(`\nOpen it with: sqlite3 ${relative(process.cwd(), dbFile)}`);
