// `npm run bench`: the compiler's throughput, stage by stage, in process and as a whole process,
// side by side with Prisma's schema validator on an equivalent schema.
//
//   node --expose-gc bench/run.js [--runs 7] [--process-runs 10] [--models 4000] [--files 40]
//                                 [--no-prisma] [--quick]
//
// Prisma is measured twice, whole process, on the same schema folder:
//   - its schema validator on its own (the comparison the target is about): the WebAssembly
//     build of Prisma's schema engine, npm package @prisma/prisma-schema-wasm, run by the small
//     script bench/prisma-validate.cjs;
//   - its CLI, `prisma validate`, which calls that same validator after the CLI's own start-up.
// Both are pinned and installed on demand, never into the project: into bench/.prisma-schema-wasm/
// and bench/.prisma/. Each must accept the bench schema and reject a broken one before it is timed.
//
// Machines are shared and noisy: every figure is a median (and a min) over repeated runs, and the
// whole-process commands are run interleaved, round by round, so that noise falls on all of them
// alike. Ratios are taken between figures measured in this run; the reference figure for
// Prisma's validator (0.37 s) is shown only where labelled as not measured here. Nothing here
// asserts a timing.
//
// Reads the built modules in dist/ (`npm run bench` builds first). Writes bench/.out/compile.json.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, arch } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_DIR, OUT_DIR, generateSchema } from './generate.js';

const ROOT = dirname(BENCH_DIR);
const DIST = join(ROOT, 'dist');
const MDL_BIN = join(ROOT, 'bin', 'mdl.js');

/** The targets. */
const TARGET_LINES_PER_SECOND = 500_000;
const TARGET_PRISMA_RATIO = 2;
/** The figure for Prisma's validator on an equivalent schema, whole process. Not measured here. */
const PRISMA_REFERENCE_SECONDS = 0.37;

/**
 * Prisma, pinned. 7.x validates with the WebAssembly build of its schema engine that ships in the
 * npm package (prisma_schema_build_bg.wasm): no native engine is needed to validate. Its install
 * scripts only download native engines from Prisma's own servers (not reachable from here), so the
 * bench installs it with --ignore-scripts.
 */
const PRISMA_VERSION = '7.10.1';
const PRISMA_NODE_RANGE = { 20: 19, 22: 12, 24: 0 }; // ^20.19 || ^22.12 || >=24
const PRISMA_DIR = join(BENCH_DIR, '.prisma');
const PRISMA_ENTRY = join(PRISMA_DIR, 'node_modules', 'prisma', 'build', 'index.js');

/**
 * Prisma's schema validator on its own, pinned: @prisma/prisma-schema-wasm, the WebAssembly build
 * of Prisma's schema engine (the validate() that `prisma validate` calls). No version of it is
 * published for the engines of Prisma 7.10.1 (8.1.0-1.d1b3f377...); this one, the newest, is from
 * the engines build after it. Installed with --ignore-scripts like Prisma (it has no scripts), and
 * run as a whole process by bench/prisma-validate.cjs, which loads it from PRISMA_WASM_DIR.
 */
const PRISMA_WASM_PACKAGE = '@prisma/prisma-schema-wasm';
const PRISMA_WASM_VERSION = '8.1.0-2.59be4fda12412a79eeb9c2ae727b6aa723593323';
const PRISMA_WASM_DIR = join(BENCH_DIR, '.prisma-schema-wasm');
const PRISMA_WASM_VALIDATE = join(BENCH_DIR, 'prisma-validate.cjs');

// ---------------------------------------------------------------------------------------------
// Options

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
  return n;
};
if (flag('--help') || flag('-h')) {
  console.log('Usage: node --expose-gc bench/run.js [--runs N] [--process-runs N] [--models N] [--files N] [--no-prisma] [--quick]');
  process.exit(0);
}
const quick = flag('--quick');
const RUNS = option('--runs', quick ? 3 : 7);
const PROCESS_RUNS = option('--process-runs', quick ? 3 : 10);
const WARMUP = 2;
const MODELS = option('--models', 4000);
const FILES = option('--files', 40);
const WITH_PRISMA = !flag('--no-prisma');

// ---------------------------------------------------------------------------------------------
// Small helpers

const now = () => performance.now();
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const min = (xs) => Math.min(...xs);
const summary = (xs) => ({ median: median(xs), min: min(xs), runs: xs });
const int = (n) => Math.round(n).toLocaleString('en-US');
const fixed = (n, d) => n.toFixed(d);
const rel = (p) => relative(process.cwd(), p) || '.';
const log = (s = '') => process.stdout.write(s + '\n');
const progress = (s) => process.stderr.write(s);

function table(headers, rows, align) {
  const width = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const cell = (v, i) => (align[i] === 'l' ? String(v).padEnd(width[i]) : String(v).padStart(width[i]));
  return [headers.map(cell).join('  '), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => r.map(cell).join('  '))]
    .map((l) => '  ' + l.trimEnd())
    .join('\n');
}

function run(cmd, args, opts = {}) {
  const t0 = now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  const ms = now() - t0;
  if (r.error) throw r.error;
  return { ms, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

// ---------------------------------------------------------------------------------------------
// 1. The schema

if (!existsSync(join(DIST, 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (or `npm run bench`, which builds).');
  process.exit(2);
}

const schemaDir = join(OUT_DIR, 'schema');
const gen = generateSchema({ models: MODELS, files: FILES, out: schemaDir });
const tiny = generateSchema({ models: 1, files: 1, out: join(OUT_DIR, 'schema-1') });
const LINES = gen.stats.mdl.nonBlankLines;

log(`mdl compiler benchmark: ${int(MODELS)} models in ${gen.files} files, ${int(LINES)} lines (${int(gen.stats.mdl.lines)} with blank lines), ${fixed(gen.stats.mdl.bytes / 1048576, 1)} MiB`);
log(`  schema: ${rel(gen.mdlDir)}  (Prisma equivalent: ${rel(gen.prismaDir)}, ${int(gen.stats.prisma.nonBlankLines)} lines)`);
log(`  node ${process.version}, ${platform()} ${arch()}, ${cpus().length} CPUs; lines/s counts the ${int(LINES)} non-blank lines`);
if (typeof globalThis.gc !== 'function') log('  (run with node --expose-gc for a collection between runs; timings are still valid without)');
log();

// ---------------------------------------------------------------------------------------------
// 2. In process, stage by stage

const imp = (p) => import(pathToFileURL(join(DIST, p)).href);
const { parseSource } = await imp('syntax/parse.js');
const { tokenize } = await imp('syntax/lexer.js');
const { parserInstance } = await imp('syntax/parser.js');
const { toAst } = await imp('syntax/to-ast.js');
const { Resolver } = await imp('check/resolve.js');
const { resolveDirect } = await imp('check/direct.js');
const { checkRules } = await imp('check/check.js');
const { renderSqliteChunks } = await imp('compile/sqlite.js');
const { encodeText } = await imp('cli/write-text.js');
const { Diagnostics } = await imp('diagnostics/diagnostic.js');
const { checkSources, compileSources } = await imp('pipeline.js');
const { loadProject } = await imp('project.js');

// The stages of the pipeline as `mdl compile` runs it. A correct file takes check's direct path,
// text straight to resolved models; the paths a file with a mistake takes are timed on their own
// below, for reference: the syntax stage's fast path to an AST and resolving that, and Chevrotain
// (tokens, CST, AST). compile renders the script and encodes it to UTF-8 as `mdl compile -o` does
// (cli/write-text.js), the bytes dropped instead of written.
const STAGES = [
  ['direct', 'parse and resolve: text to models (direct path)'],
  ['finish', 'resolve across models (relationship targets)'],
  ['rules', 'check rules'],
  ['compile', 'compile: SQL text, as UTF-8'],
];

function encodeScript(schema) {
  return encodeText(renderSqliteChunks(schema), () => {});
}

/** One pass over the whole schema, each stage timed on its own. Throws if anything is reported. */
function stagedPass(sources) {
  // A collection before each stage (when --expose-gc), so that a stage does not pay for the
  // garbage of the one before; the one-call figure below runs the pipeline as users get it.
  const t = {};
  const diagnostics = new Diagnostics();
  const resolver = new Resolver(diagnostics);
  gc();
  let t0 = now();
  for (const s of sources) {
    const drafts = resolveDirect(s.path, s.text);
    if (!drafts) throw new Error(`the direct path gave up on ${s.path}`);
    resolver.addDrafts(drafts);
  }
  t.direct = now() - t0;

  gc();
  t0 = now();
  const schema = resolver.finish();
  t.finish = now() - t0;

  gc();
  t0 = now();
  checkRules(schema, diagnostics);
  t.rules = now() - t0;
  if (diagnostics.items.length > 0) throw new Error(`bench schema has diagnostics: ${diagnostics.items[0].message}`);

  gc();
  t0 = now();
  const bytes = encodeScript(schema);
  t.compile = now() - t0;

  t.total = t.direct + t.finish + t.rules + t.compile;
  return { t, models: schema.models.length, bytes };
}

/** For reference: the syntax stage's fast path (text to AST), then resolving each AST, as a file the direct path gives up on goes. */
function astPass(sources) {
  gc();
  const t0 = now();
  const diagnostics = new Diagnostics();
  const resolver = new Resolver(diagnostics);
  for (const s of sources) resolver.add(parseSource(s, diagnostics).ast);
  resolver.finish();
  return now() - t0;
}

/** The Chevrotain path over the whole schema, for reference: tokens, CST and AST. */
function chevrotainPass(sources) {
  gc();
  const t0 = now();
  const parser = parserInstance();
  for (const s of sources) {
    parser.input = tokenize(s.text).tokens;
    const cst = parser.schema();
    if (parser.errors.length > 0) throw new Error(`bench schema has syntax errors: ${parser.errors[0].message}`);
    toAst(s.path, cst);
  }
  return now() - t0;
}

/** The pipeline in one call, as `mdl compile -o` runs it. */
function pipelinePass(sources) {
  const t0 = now();
  const r = checkSources(sources);
  if (!r.ok) throw new Error('checkSources failed on the bench schema');
  encodeScript(r.schema);
  return now() - t0;
}

/** The library's compileSources: the structured program and the script as one string. */
function apiPass(sources) {
  const t0 = now();
  const r = compileSources(sources);
  const ms = now() - t0;
  if (!r.ok || r.sql === undefined) throw new Error('compileSources failed on the bench schema');
  return ms;
}

const loaded = loadProject([gen.mdlDir]);
if (loaded.sources.length !== gen.files) throw new Error(`loadProject found ${loaded.sources.length} files, expected ${gen.files}`);
const sources = loaded.sources;

progress(`in process: warming up (${WARMUP} passes)`);
// The very first call runs cold (code not yet optimised), as it does in `mdl compile`.
gc();
const coldCall = pipelinePass(sources);
let shape;
for (let i = 0; i < WARMUP; i++) {
  shape = stagedPass(sources);
  pipelinePass(sources);
  apiPass(sources);
  chevrotainPass(sources);
  astPass(sources);
  progress('.');
}
if (shape.models !== MODELS) throw new Error(`compiled ${shape.models} models, expected ${MODELS}`);
progress(`\nin process: ${RUNS} runs `);
const staged = [];
const oneCall = [];
const api = [];
const chevrotainRuns = [];
const astRuns = [];
const readFiles = [];
for (let i = 0; i < RUNS; i++) {
  gc();
  staged.push(stagedPass(sources).t);
  gc();
  oneCall.push(pipelinePass(sources));
  gc();
  api.push(apiPass(sources));
  chevrotainRuns.push(chevrotainPass(sources));
  astRuns.push(astPass(sources));
  const t0 = now();
  loadProject([gen.mdlDir]);
  readFiles.push(now() - t0);
  progress('.');
}
progress('\n');

const inProcess = {};
for (const key of [...STAGES.map(([k]) => k), 'total']) inProcess[key] = summary(staged.map((t) => t[key]));
inProcess.pipeline = summary(oneCall);
inProcess.compileSources = summary(api);
inProcess.chevrotain = summary(chevrotainRuns);
inProcess.ast = summary(astRuns);
inProcess.readFiles = summary(readFiles);
inProcess.pipelineCold = { ms: coldCall };

// ---------------------------------------------------------------------------------------------
// 3. Prisma: its schema validator on its own, and its CLI (installed on demand under bench/, never
//    into the project)

function installedVersion(dir, name) {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** Installs name@version into dir unless it is there. Returns undefined, or why it could not. */
function installPinned(dir, name, version, why) {
  if (installedVersion(dir, name) === version) return undefined;
  log(`${name}@${version} is not in ${rel(dir)}/: installing it there, once, from the npm registry`);
  log(`(with --ignore-scripts: ${why}) ...`);
  mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(
    npm,
    ['install', '--prefix', dir, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--save-exact', `${name}@${version}`],
    { stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' },
  );
  log();
  if (r.status !== 0 || installedVersion(dir, name) !== version) {
    return `could not install ${name}@${version} into ${rel(dir)} (npm exit ${r.status ?? r.error})`;
  }
  return undefined;
}

function nodeSatisfiesPrisma() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 24) return true;
  return PRISMA_NODE_RANGE[major] !== undefined && minor >= PRISMA_NODE_RANGE[major];
}

/** Prisma's validator on its own. Returns { ok, reason? }. */
function prepareValidator() {
  if (!WITH_PRISMA) return { ok: false, reason: 'skipped (--no-prisma)' };
  const failed = installPinned(PRISMA_WASM_DIR, PRISMA_WASM_PACKAGE, PRISMA_WASM_VERSION, 'it has no install scripts anyway');
  return failed ? { ok: false, reason: failed } : { ok: true };
}

/** Prisma's CLI. Returns { ok, reason?, env? }. */
function preparePrisma() {
  if (!WITH_PRISMA) return { ok: false, reason: 'skipped (--no-prisma)' };
  if (!nodeSatisfiesPrisma()) return { ok: false, reason: `Prisma ${PRISMA_VERSION} needs Node ^20.19, ^22.12 or >=24; this is ${process.version}` };
  const failed = installPinned(PRISMA_DIR, 'prisma', PRISMA_VERSION, 'its install scripts only fetch native engines, which `prisma validate` does not use');
  if (failed) return { ok: false, reason: failed };
  // Every Prisma command that may need the native schema engine first makes sure it is there,
  // downloading it if not; `validate` is among them though it validates in WebAssembly. Pointing
  // PRISMA_SCHEMA_ENGINE_BINARY at a stub skips the download; the stub fails loudly if called.
  const stub = join(PRISMA_DIR, 'schema-engine-unavailable');
  writeFileSync(stub, '#!/bin/sh\necho "bench: the native Prisma schema engine is not available offline" >&2\nexit 99\n');
  chmodSync(stub, 0o755);
  const env = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: stub,
    CHECKPOINT_DISABLE: '1', // no update check over the network
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NO_COLOR: '1',
  };
  return { ok: true, env };
}

const validatorValidate = (dir) => run(process.execPath, [PRISMA_WASM_VALIDATE, dir], { cwd: ROOT });
const prismaValidate = (dir, env) => run(process.execPath, [PRISMA_ENTRY, 'validate', '--schema', dir], { cwd: dir, env });

let validator = prepareValidator();
let prisma = preparePrisma();

// Each must accept the schema, and (negative control) reject a broken one: else it validates nothing.
if (validator.ok || prisma.ok) {
  const broken = join(OUT_DIR, 'schema-prisma-broken');
  rmSync(broken, { recursive: true, force: true });
  mkdirSync(broken, { recursive: true });
  writeFileSync(join(broken, 'schema.prisma'), readFileSync(join(gen.prismaDir, 'schema.prisma'), 'utf8'));
  writeFileSync(join(broken, 'part_broken.prisma'), 'model broken {\n  id String @id\n  n  Intt\n}\n');
  const lastLines = (r) => (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');

  if (validator.ok) {
    const good = validatorValidate(gen.prismaDir);
    const bad = validatorValidate(broken);
    if (good.status !== 0 || !/ is valid /.test(good.stdout)) {
      validator = { ok: false, reason: `${rel(PRISMA_WASM_VALIDATE)} failed on the bench schema (exit ${good.status}): ${lastLines(good)}` };
    } else if (bad.status !== 1 || !/^P1012: .*"Intt"/m.test(bad.stderr)) {
      validator = { ok: false, reason: `${rel(PRISMA_WASM_VALIDATE)} did not reject a broken schema as it should (exit ${bad.status}); not a real validation` };
    }
  }
  if (prisma.ok) {
    const good = prismaValidate(gen.prismaDir, prisma.env);
    const bad = prismaValidate(broken, prisma.env);
    if (good.status !== 0 || !/valid/.test(good.stdout + good.stderr)) {
      prisma = { ok: false, reason: `prisma validate failed on the bench schema (exit ${good.status}): ${lastLines(good)}` };
    } else if (bad.status === 0 || !/P1012/.test(bad.stdout + bad.stderr)) {
      prisma = { ok: false, reason: `prisma validate accepted a broken schema (exit ${bad.status}); not a real validation` };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Whole process, interleaved round by round

const outSql = join(OUT_DIR, 'compile.sql');
const commands = [
  { key: 'node', label: 'node -e 0 (bare Node start-up)', run: () => run(process.execPath, ['-e', '0']) },
  { key: 'mdlVersion', label: 'mdl --version', run: () => run(process.execPath, [MDL_BIN, '--version'], { cwd: ROOT }) },
  {
    key: 'mdlCompileTiny',
    label: 'mdl compile, 1 model',
    run: () => run(process.execPath, [MDL_BIN, 'compile', tiny.mdlDir, '-o', join(OUT_DIR, 'compile-1.sql')], { cwd: ROOT }),
  },
  {
    key: 'mdlCompile',
    label: `mdl compile, ${int(MODELS)} models`,
    run: () => run(process.execPath, [MDL_BIN, 'compile', gen.mdlDir, '-o', outSql], { cwd: ROOT }),
  },
  {
    key: 'mdlCheck',
    label: `mdl check, ${int(MODELS)} models (no SQL)`,
    run: () => run(process.execPath, [MDL_BIN, 'check', gen.mdlDir], { cwd: ROOT }),
  },
];
if (validator.ok) {
  commands.push(
    { key: 'validatorTiny', label: 'Prisma schema validator (bare wasm), 1 model', run: () => validatorValidate(tiny.prismaDir) },
    { key: 'validator', label: `Prisma schema validator (bare wasm), ${int(MODELS)} models`, run: () => validatorValidate(gen.prismaDir) },
  );
}
if (prisma.ok) {
  commands.push(
    { key: 'prismaValidateTiny', label: 'prisma validate, 1 model', run: () => prismaValidate(tiny.prismaDir, prisma.env) },
    { key: 'prismaValidate', label: `prisma validate, ${int(MODELS)} models`, run: () => prismaValidate(gen.prismaDir, prisma.env) },
  );
}

// A first, untimed round: warms the file cache and checks each command's result.
for (const c of commands) {
  const r = c.run();
  if (r.status !== 0) throw new Error(`${c.label} exited ${r.status}: ${r.stderr.trim()}`);
}
const compiledModels = (readFileSync(outSql, 'utf8').match(/^-- Model /gm) ?? []).length;
if (compiledModels !== MODELS) throw new Error(`mdl compile wrote ${compiledModels} models, expected ${MODELS}`);

progress(`whole process: ${PROCESS_RUNS} rounds of ${commands.length} commands `);
const times = Object.fromEntries(commands.map((c) => [c.key, []]));
for (let round = 0; round < PROCESS_RUNS; round++) {
  // rotate the order each round, so that no command always follows the same one
  for (let j = 0; j < commands.length; j++) {
    const c = commands[(round + j) % commands.length];
    const r = c.run();
    if (r.status !== 0) throw new Error(`${c.label} exited ${r.status}: ${r.stderr.trim()}`);
    times[c.key].push(r.ms);
  }
  progress('.');
}
progress('\n\n');
const wholeProcess = Object.fromEntries(commands.map((c) => [c.key, summary(times[c.key])]));

// ---------------------------------------------------------------------------------------------
// 5. Report

const lps = (ms) => (LINES / ms) * 1000;
const stageRows = STAGES.map(([key, label]) => {
  const s = inProcess[key];
  return [label, fixed(s.median, 1), fixed(s.min, 1), int(lps(s.median)), `${fixed((100 * s.median) / inProcess.total.median, 0)}%`];
});
const row = (label, s, share = '') => [label, fixed(s.median, 1), fixed(s.min, 1), int(lps(s.median)), share];
stageRows.push(row('total (sum of the stages)', inProcess.total, '100%'));
stageRows.push(row('the pipeline in one call, as mdl compile runs it', inProcess.pipeline));
stageRows.push(['  the same, first call in this process (cold, 1 run)', fixed(coldCall, 1), '', int(lps(coldCall)), '']);
stageRows.push(row('compileSources (API: statements + one string)', inProcess.compileSources));
stageRows.push(row('reference: fast-path AST, then resolve (no direct path)', inProcess.ast));
stageRows.push(row('reference: Chevrotain path (tokens, CST, AST)', inProcess.chevrotain));
stageRows.push(['(not in the pipeline) read files: loadProject', fixed(inProcess.readFiles.median, 1), fixed(inProcess.readFiles.min, 1), '', '']);

log(`In process (median and min of ${RUNS} runs after ${WARMUP} warm-up passes)`);
log(table(['stage', 'median ms', 'min ms', 'lines/s', 'share'], stageRows, ['l', 'r', 'r', 'r', 'r']));
log();

const mdlMedian = wholeProcess.mdlCompile.median;
const processRows = commands.map((c) => {
  const s = wholeProcess[c.key];
  const ratio = c.key === 'mdlCompile' ? '1.00x' : `${fixed(s.median / mdlMedian, 2)}x`;
  return [c.label, fixed(s.median / 1000, 3), fixed(s.min / 1000, 3), ratio];
});
if (!validator.ok) processRows.push([`Prisma's validator: issue's reference figure, NOT measured here`, fixed(PRISMA_REFERENCE_SECONDS, 3), '', `${fixed((PRISMA_REFERENCE_SECONDS * 1000) / mdlMedian, 2)}x`]);
log(`Whole process (median and min of ${PROCESS_RUNS} interleaved runs; ratio = median / mdl compile's median)`);
log(table(['command', 'median s', 'min s', 'ratio'], processRows, ['l', 'r', 'r', 'r']));
if (validator.ok || prisma.ok) log('  Prisma: PostgreSQL provider, multi-file schema (the same folder for both)');
if (validator.ok) log(`  Prisma schema validator: ${PRISMA_WASM_PACKAGE} ${PRISMA_WASM_VERSION}, its validate() alone (${rel(PRISMA_WASM_VALIDATE)})`);
else log(`  Prisma schema validator not measured: ${validator.reason}`);
if (prisma.ok) log(`  prisma validate: Prisma ${PRISMA_VERSION}'s CLI (validates in WebAssembly too, after the CLI's start-up); cwd = the schema folder`);
else log(`  prisma validate not measured: ${prisma.reason}`);
log();

const pipelineLps = lps(inProcess.pipeline.median);
const verdicts = [];
const met = (ok) => (ok ? 'MET' : 'NOT MET');
{
  const ratio = pipelineLps / TARGET_LINES_PER_SECOND;
  verdicts.push({
    target: `in process >= ${int(TARGET_LINES_PER_SECOND)} lines/s`,
    met: ratio >= 1,
    ratio,
    text: `${int(pipelineLps)} lines/s (the pipeline in one call, median) = ${fixed(ratio, 2)}x the target`,
  });
}
// The target is against Prisma's schema validator: the bare validator is the comparison;
// the CLI, which runs the same validator after its own start-up, is the second one.
const prismaRatios = {
  validator: validator.ok ? wholeProcess.validator.median / mdlMedian : null,
  cli: prisma.ok ? wholeProcess.prismaValidate.median / mdlMedian : null,
  reference: (PRISMA_REFERENCE_SECONDS * 1000) / mdlMedian,
};
if (validator.ok) {
  const ratio = prismaRatios.validator;
  verdicts.push({
    target: `whole process >= ${TARGET_PRISMA_RATIO}x as fast as Prisma's schema validator (bare wasm)`,
    met: ratio >= TARGET_PRISMA_RATIO,
    ratio,
    text: `validator ${fixed(wholeProcess.validator.median / 1000, 3)} s / mdl compile ${fixed(mdlMedian / 1000, 3)} s = ${fixed(ratio, 2)}x (measured side by side)`,
  });
}
if (prisma.ok) {
  const ratio = prismaRatios.cli;
  verdicts.push({
    target: `whole process >= ${TARGET_PRISMA_RATIO}x as fast as Prisma's CLI, prisma validate`,
    met: ratio >= TARGET_PRISMA_RATIO,
    ratio,
    text: `prisma validate ${fixed(wholeProcess.prismaValidate.median / 1000, 3)} s / mdl compile ${fixed(mdlMedian / 1000, 3)} s = ${fixed(ratio, 2)}x (measured side by side)`,
  });
}
{
  const ratio = prismaRatios.reference;
  verdicts.push({
    target: `whole process >= ${TARGET_PRISMA_RATIO}x as fast as the issue's figure for Prisma's validator (${PRISMA_REFERENCE_SECONDS} s, not measured here)`,
    met: ratio >= TARGET_PRISMA_RATIO,
    ratio,
    text: `${PRISMA_REFERENCE_SECONDS} s / mdl compile ${fixed(mdlMedian / 1000, 3)} s = ${fixed(ratio, 2)}x (needs mdl compile <= ${fixed(PRISMA_REFERENCE_SECONDS / TARGET_PRISMA_RATIO, 3)} s)`,
  });
}
log('Verdicts');
for (const v of verdicts) log(`  ${met(v.met).padEnd(7)}  ${v.target}: ${v.text}`);
{
  const vs = (key, label) => (wholeProcess[key] ? [`${label} / mdl check = ${fixed(wholeProcess[key].median / wholeProcess.mdlCheck.median, 2)}x`] : []);
  const ratios = [...vs('validator', 'validator'), ...vs('prismaValidate', 'prisma validate')];
  if (ratios.length > 0) log(`  info     validation only: ${ratios.join(', ')} (mdl check ${fixed(wholeProcess.mdlCheck.median / 1000, 3)} s)`);
}
const startup = wholeProcess.mdlCompileTiny.median - wholeProcess.node.median;
log(`  info     start-up: mdl compile of 1 model costs ${fixed(startup, 0)} ms over bare Node (${fixed(wholeProcess.mdlVersion.median - wholeProcess.node.median, 0)} ms for --version)`);

const report = {
  generatedAt: new Date().toISOString(),
  machine: { node: process.version, platform: platform(), arch: arch(), cpus: cpus().length, cpuModel: cpus()[0]?.model },
  schema: {
    models: MODELS,
    files: gen.files,
    lines: LINES,
    linesWithBlank: gen.stats.mdl.lines,
    bytes: gen.stats.mdl.bytes,
    prisma: gen.stats.prisma,
    dir: rel(gen.mdlDir),
  },
  inProcess: {
    runs: RUNS,
    warmup: WARMUP,
    gcBetweenRuns: typeof globalThis.gc === 'function',
    unit: 'ms',
    stages: inProcess,
    linesPerSecond: Object.fromEntries([...STAGES.map(([k]) => k), 'total', 'pipeline', 'compileSources', 'ast', 'chevrotain'].map((k) => [k, lps(inProcess[k].median)])),
  },
  wholeProcess: { runs: PROCESS_RUNS, unit: 'ms', commands: Object.fromEntries(commands.map((c) => [c.key, { label: c.label, ...wholeProcess[c.key] }])) },
  prisma: {
    validator: validator.ok
      ? { measured: true, package: PRISMA_WASM_PACKAGE, version: PRISMA_WASM_VERSION, command: 'validator' }
      : { measured: false, reason: validator.reason },
    cli: prisma.ok ? { measured: true, version: PRISMA_VERSION, command: 'prismaValidate' } : { measured: false, reason: prisma.reason },
  },
  prismaReferenceSeconds: PRISMA_REFERENCE_SECONDS,
  // Prisma's median / mdl compile's median, whole process, on the bench schema (null if not measured);
  // reference: the figure (not measured here) / mdl compile's median.
  prismaRatios,
  targets: { linesPerSecond: TARGET_LINES_PER_SECOND, prismaRatio: TARGET_PRISMA_RATIO },
  verdicts: verdicts.map(({ target, met: ok, ratio, text }) => ({ target, met: ok, ratio, text })),
};
writeFileSync(join(OUT_DIR, 'compile.json'), JSON.stringify(report, null, 2) + '\n');
log();
log(`Figures written to ${rel(join(OUT_DIR, 'compile.json'))}`);
