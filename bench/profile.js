// A CPU profile of the compiler on the bench schema, summarised: the functions with the most self
// time, and self time by file. For finding what to optimise; `npm run bench` gives the figures.
//
//   node bench/profile.js [--passes 5] [--models 4000] [--files 40] [--top 30] [--cli]
//
// Default: in process, one warm-up pass, then --passes passes of compileSources() over the whole
// schema, profiled with `node --cpu-prof`. --cli: profiles one cold `mdl compile` process instead
// (start-up, reading, compiling and writing, as a user runs it).
//
// Chevrotain is loaded from its unminified bundle here (a resolve hook swaps chevrotain.min.mjs
// for chevrotain.mjs, the same code), so that its functions have names in the profile.
// The .cpuprofile goes to bench/.out/profile/ (open it in Chrome DevTools or speedscope).

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_DIR, OUT_DIR, generateSchema } from './generate.js';

const ROOT = dirname(BENCH_DIR);
const PROFILE_DIR = join(OUT_DIR, 'profile');
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const PASSES = option('--passes', 5);
const MODELS = option('--models', 4000);
const FILES = option('--files', 40);
const TOP = option('--top', 30);
const schemaDir = join(OUT_DIR, 'schema-profile');

const READABLE_CHEVROTAIN = `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  return r.url.endsWith('/chevrotain.min.mjs') ? { ...r, url: r.url.slice(0, -'.min.mjs'.length) + '.mjs' } : r;
}`)}`;

if (argv.includes('--child')) {
  // The profiled process: run the pipeline, nothing else.
  register(READABLE_CHEVROTAIN, import.meta.url);
  const { compileSources } = await import(pathToFileURL(join(ROOT, 'dist', 'pipeline.js')).href);
  const { loadProject } = await import(pathToFileURL(join(ROOT, 'dist', 'project.js')).href);
  const { sources } = loadProject([join(schemaDir, 'mdl')]);
  const once = () => {
    const r = compileSources(sources);
    if (!r.ok) throw new Error('the bench schema did not compile');
  };
  once(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < PASSES; i++) once();
  process.stderr.write(`profiled ${PASSES} passes: ${((performance.now() - t0) / PASSES).toFixed(0)} ms a pass (under the profiler)\n`);
  process.exit(0);
}

// The parent: generate, run the child under --cpu-prof, summarise the newest profile.
generateSchema({ models: MODELS, files: FILES, out: schemaDir });
rmSync(PROFILE_DIR, { recursive: true, force: true });
mkdirSync(PROFILE_DIR, { recursive: true });
const profArgs = ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, '--cpu-prof-interval=250'];
let child;
if (argv.includes('--cli')) {
  // bin/mdl.js as users run it, with the same resolve hook registered first.
  const registerFile = join(PROFILE_DIR, 'register-readable-chevrotain.mjs');
  writeFileSync(registerFile, `import { register } from 'node:module';\nregister(${JSON.stringify(READABLE_CHEVROTAIN)});\n`);
  const out = join(PROFILE_DIR, 'compile.sql');
  child = [...profArgs, '--import', pathToFileURL(registerFile).href, join(ROOT, 'bin', 'mdl.js'), 'compile', join(schemaDir, 'mdl'), '-o', out];
} else {
  child = [...profArgs, fileURLToPath(import.meta.url), '--child', ...argv];
}
const r = spawnSync(process.execPath, child, { stdio: ['ignore', 'inherit', 'inherit'], cwd: ROOT });
if (r.status !== 0) process.exit(r.status ?? 1);

// One profile per thread (the resolve hook runs in a thread of its own): take the busiest.
const busyUs = (p) => {
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let us = 0;
  for (let i = 0; i < p.samples.length; i++) if (!idle.has(p.samples[i])) us += p.timeDeltas[i + 1] ?? 0;
  return us;
};
const [file, profile] = readdirSync(PROFILE_DIR)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => [join(PROFILE_DIR, f), JSON.parse(readFileSync(join(PROFILE_DIR, f), 'utf8'))])
  .sort((a, b) => busyUs(b[1]) - busyUs(a[1]))[0];

// Self time per node, from the sample deltas.
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
}
const totalUs = profile.endTime - profile.startTime;
const shortUrl = (url) => {
  if (!url) return '';
  const p = url.startsWith('file://') ? fileURLToPath(url) : url;
  const r = relative(ROOT, p);
  return r.startsWith('..') ? p : r.replace(/^node_modules\//, '');
};
const byFunction = new Map();
const byFile = new Map();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  const cf = node.callFrame;
  const where = shortUrl(cf.url);
  const key = `${cf.functionName || '(anonymous)'}\t${where}${where ? `:${cf.lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const fileKey = where || cf.functionName;
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
}
const ms = (us) => (us / 1000).toFixed(1).padStart(8);
const pct = (us) => `${((100 * us) / totalUs).toFixed(1)}%`.padStart(6);

console.log(`\nProfile: ${relative(process.cwd(), file)} (${(totalUs / 1000).toFixed(0)} ms sampled)`);
console.log(`\nTop ${TOP} functions by self time`);
console.log(`  ${'self ms'.padStart(8)}  ${'share'.padStart(6)}  function  (file:line)`);
for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  const [name, where] = key.split('\t');
  console.log(`  ${ms(us)}  ${pct(us)}  ${name}  ${where ? `(${where})` : ''}`);
}
console.log(`\nSelf time by file`);
for (const [f, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  console.log(`  ${ms(us)}  ${pct(us)}  ${f}`);
}
