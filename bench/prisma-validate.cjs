// Prisma's schema validator on its own, as a whole process: the WebAssembly build of Prisma's schema
// engine, published on npm as @prisma/prisma-schema-wasm. Its validate() is the call that
// `prisma validate` makes, here without the CLI around it (no config loading, no engine checks).
// The bench (run.js) installs the package on demand into bench/.prisma-schema-wasm/.
//
//   node bench/prisma-validate.cjs <folder>
//
// Validates every .prisma file under <folder> (recursively, as Prisma loads a multi-file schema) as
// one schema. Exits 0 when it is valid, 1 when it is not (the errors on stderr), 2 when it cannot
// run (no folder given, no .prisma file, or the package not installed).
//
// CommonJS on purpose: the package is a CommonJS module that loads its .wasm synchronously, and
// require() is the cheapest way in for a process that does one thing and exits.

'use strict';

const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const WASM_PACKAGE = join(__dirname, '.prisma-schema-wasm', 'node_modules', '@prisma', 'prisma-schema-wasm');

function fail(message) {
  process.stderr.write(`prisma-validate: ${message}\n`);
  process.exit(2);
}

const dir = process.argv[2];
if (!dir || process.argv.length > 3) fail('usage: node bench/prisma-validate.cjs <folder>');

let validate;
try {
  ({ validate } = require(WASM_PACKAGE));
} catch (e) {
  fail(`cannot load @prisma/prisma-schema-wasm from ${WASM_PACKAGE} (run the bench to install it): ${e.message}`);
}

const files = readdirSync(dir, { recursive: true })
  .filter((f) => f.endsWith('.prisma'))
  .sort()
  .map((f) => [join(dir, f), readFileSync(join(dir, f), 'utf8')]);
if (files.length === 0) fail(`no .prisma file in ${dir}`);

try {
  // Throws on an invalid schema, with a JSON message: { error_code, message }.
  validate(JSON.stringify({ prismaSchema: files, noColor: true }));
} catch (e) {
  const text = String(e?.message ?? e);
  let error;
  try {
    error = JSON.parse(text);
  } catch {
    error = { message: text };
  }
  process.stderr.write(`${error.error_code ? `${error.error_code}: ` : ''}${error.message}\n`);
  process.exit(1);
}
process.stdout.write(`The schema at ${dir} is valid (${files.length} files)\n`);
