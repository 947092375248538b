#!/usr/bin/env node
// npm run fuzz: the fuzz targets of tests/fuzz-targets.js on the build in dist/, for a long time.
//
//   node scripts/fuzz.js [--seconds 300 | --runs N] [--seed N] [--target NAME]... [--jobs N]
//                        [--out DIR] [--no-linear] [--case-timeout SECONDS] [--shrink-seconds SECONDS]
//   node scripts/fuzz.js --target NAME --case-seed SEED      run one case again (from a report)
//
// First the time-proportional-to-size checks (tests/fuzz-linear.js) at full size, then every
// target in a worker thread, the workers sharing the time. Each case's seed is derived from the
// run's seed, the target and the case's number, so a failure is reproduced from its case seed
// alone. A failure is shrunk (parts of the input cut while it still fails the same way) and
// written to --out with its seed; a case that hangs is stopped after --case-timeout and written
// as it was. Exit status 1 if anything failed.

import { availableParallelism, tmpdir } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

async function loadApi() {
  if (!existsSync(join(dist, 'index.js'))) {
    console.error('fuzz: dist/ is missing; run npm run build first');
    process.exit(2);
  }
  const at = (p) => import(new URL(`file://${join(dist, p)}`).href);
  const [index, csv, jsonl, convert, rows] = await Promise.all([at('index.js'), at('ingest/csv.js'), at('ingest/jsonl.js'), at('ingest/convert.js'), at('mirror/rows.js')]);
  return {
    checkSources: index.checkSources,
    compileSources: index.compileSources,
    formatDiagnostics: index.formatDiagnostics,
    openMirror: index.openMirror,
    pushProject: index.pushProject,
    ingest: index.ingest,
    MirrorError: index.MirrorError,
    readCsv: csv.readCsv,
    parseCsvText: csv.parseCsvText,
    readJsonl: jsonl.readJsonl,
    parseJsonlText: jsonl.parseJsonlText,
    JsonLiteral: jsonl.JsonLiteral,
    convertField: convert.convertField,
    Rejection: convert.Rejection,
    rowShape: rows.rowShape,
    convertChange: rows.convertChange,
  };
}

const { caseSeed, loadCorpus, random } = await import('../tests/fuzz-mutate.js');
const { createTargets, LONG_LIMITS } = await import('../tests/fuzz-targets.js');

// ---------------------------------------------------------------------------------------------
// Failures: a signature to tell them apart, a reducer, a reproduction on disk

/** What kind of failure this is, without the details that change as the input shrinks. */
function signature(e) {
  const first = String(e?.message ?? e).split('\n')[0];
  const general = first.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, 'S').replace(/\d+/g, 'N').slice(0, 140);
  return `${e?.name ?? typeof e}: ${general}`;
}

function failsAs(target, input, sig) {
  try {
    target.run(input);
    return false;
  } catch (e) {
    return signature(e) === sig;
  }
}

const cut = (part, at, n) => (typeof part === 'string' ? part.slice(0, at) + part.slice(at + n) : Buffer.concat([part.subarray(0, at), part.subarray(at + n)]));

/** Cuts whole parts, then pieces of each part (halving the piece size), while the same failure stays. */
function shrink(target, input, sig, deadline) {
  let best = input;
  let parts = target.parts(best);
  for (let i = 0; parts.length > 1 && i < parts.length && Date.now() < deadline; i++) {
    const candidate = target.withParts(best, parts.map((p, j) => (j === i ? undefined : p)));
    if (target.parts(candidate).length < parts.length && failsAs(target, candidate, sig)) {
      best = candidate;
      parts = target.parts(best);
      i--;
    }
  }
  for (let i = 0; i < parts.length; i++) {
    for (let size = Math.max(1, parts[i].length >> 1); size >= 1 && Date.now() < deadline; size >>= 1) {
      for (let at = 0; at < parts[i].length && Date.now() < deadline; ) {
        const trial = [...parts];
        trial[i] = cut(parts[i], at, size);
        const candidate = target.withParts(best, trial);
        const shorter = target.parts(candidate)[i];
        if (shorter !== undefined && shorter.length < parts[i].length && failsAs(target, candidate, sig)) {
          best = candidate;
          parts = target.parts(best);
        } else at += size;
      }
    }
  }
  return best;
}

function save(target, input, out, name, seed, what) {
  mkdirSync(out, { recursive: true });
  const { ext, data } = target.save(input);
  const file = join(out, `${name}-${seed}-${what}.${ext}`);
  writeFileSync(file, data);
  return file;
}

// ---------------------------------------------------------------------------------------------
// A worker: one target for a time (or a number of cases)

async function runWorker({ name, seed, first, until, runs, out, shrinkSeconds, slowMs }) {
  const api = await loadApi();
  const scratch = mkdtempSync(join(tmpdir(), `mdl-fuzz-${name}-`));
  // Said first, so that the main thread can remove it if it has to stop this worker.
  parentPort.postMessage({ type: 'scratch', dir: scratch });
  const target = createTargets(api, loadCorpus(root), scratch).find((t) => t.name === name);
  const seen = new Set();
  const outcomes = {};
  let k = first;
  try {
    for (; runs !== undefined ? k < first + runs : Date.now() < until; k++) {
      const s = caseSeed(seed, name, k);
      parentPort.postMessage({ type: 'case', index: k, caseSeed: s });
      let input;
      try {
        input = target.generate(random(s), LONG_LIMITS);
      } catch (e) {
        // A bug in the fuzzer, not in mdl: said once, and the case skipped.
        outcomes['generator failed'] = (outcomes['generator failed'] ?? 0) + 1;
        if (outcomes['generator failed'] === 1) console.error(`${name}: the generator failed at case seed ${s}: ${e?.stack ?? e}`);
        continue;
      }
      const t0 = Date.now();
      try {
        const o = target.run(input);
        outcomes[o] = (outcomes[o] ?? 0) + 1;
      } catch (e) {
        if (Date.now() - t0 > slowMs) parentPort.postMessage({ type: 'slow', index: k, caseSeed: s, ms: Date.now() - t0 });
        const sig = signature(e);
        outcomes.failed = (outcomes.failed ?? 0) + 1;
        if (seen.has(sig)) continue;
        seen.add(sig);
        const small = shrink(target, input, sig, Date.now() + shrinkSeconds * 1000);
        const file = save(target, small, out, name, s, 'shrunk');
        parentPort.postMessage({ type: 'failure', index: k, caseSeed: s, signature: sig, message: String(e?.stack ?? e).split('\n').slice(0, 6).join('\n'), file });
        continue;
      }
      const ms = Date.now() - t0;
      if (ms > slowMs) parentPort.postMessage({ type: 'slow', index: k, caseSeed: s, ms });
    }
  } finally {
    target.close?.();
    rmSync(scratch, { recursive: true, force: true });
  }
  parentPort.postMessage({ type: 'done', cases: k - first, outcomes });
}

// ---------------------------------------------------------------------------------------------
// The main thread: arguments, the timing pass, the workers

function parseArgs(argv) {
  const o = { seconds: 300, runs: undefined, seed: undefined, targets: [], jobs: undefined, out: undefined, linear: true, caseSeed: undefined, caseTimeout: 60, shrinkSeconds: 60 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const number = () => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) usage(`${a} needs a number`);
      return v;
    };
    if (a === '--seconds') o.seconds = number();
    else if (a === '--runs') o.runs = Math.floor(number());
    else if (a === '--seed') o.seed = Math.floor(number()) >>> 0;
    else if (a === '--target') o.targets.push(...value().split(','));
    else if (a === '--jobs') o.jobs = Math.max(1, Math.floor(number()));
    else if (a === '--out') o.out = value();
    else if (a === '--no-linear') o.linear = false;
    else if (a === '--case-seed') o.caseSeed = Math.floor(number()) >>> 0;
    else if (a === '--case-timeout') o.caseTimeout = number();
    else if (a === '--shrink-seconds') o.shrinkSeconds = number();
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  return o;
}

function usage(problem) {
  if (problem) console.error(`fuzz: ${problem}`);
  console.error('usage: node scripts/fuzz.js [--seconds 300 | --runs N] [--seed N] [--target NAME]... [--jobs N] [--out DIR] [--no-linear] [--case-timeout S] [--shrink-seconds S]');
  console.error('       node scripts/fuzz.js --target NAME --case-seed SEED');
  process.exit(problem ? 2 : 0);
}

async function replay(o) {
  if (o.targets.length !== 1) usage('--case-seed needs exactly one --target');
  const api = await loadApi();
  const scratch = mkdtempSync(join(tmpdir(), 'mdl-fuzz-replay-'));
  const target = createTargets(api, loadCorpus(root), scratch).find((t) => t.name === o.targets[0]);
  if (!target) {
    rmSync(scratch, { recursive: true, force: true });
    usage(`no target ${o.targets[0]}`);
  }
  const input = target.generate(random(o.caseSeed), LONG_LIMITS);
  let status = 0;
  try {
    console.log(`${target.name}, case seed ${o.caseSeed}: ${target.run(input)}`);
  } catch (e) {
    status = 1;
    console.log(`${target.name}, case seed ${o.caseSeed}: FAILED\n${e?.stack ?? e}`);
    const small = shrink(target, input, signature(e), Date.now() + o.shrinkSeconds * 1000);
    console.log(`  input: ${save(target, input, o.out, target.name, o.caseSeed, 'input')}`);
    console.log(`  shrunk: ${save(target, small, o.out, target.name, o.caseSeed, 'shrunk')}`);
  } finally {
    target.close?.();
    rmSync(scratch, { recursive: true, force: true });
  }
  return status;
}

async function linearPass() {
  const { FIELD_INPUTS, KIB, MDL_INPUTS, measureScaling, READER_INPUTS } = await import('../tests/fuzz-linear.js');
  const api = await loadApi();
  const scratch = mkdtempSync(join(tmpdir(), 'mdl-fuzz-linear-'));
  let failed = 0;
  const report = (what, r) => {
    const line = `  ${r.ok ? 'ok  ' : 'SLOW'} ${what.padEnd(58)} ${r.smallMs.toFixed(0).padStart(6)} ms -> ${r.largeMs.toFixed(0).padStart(6)} ms (${r.ratio.toFixed(1)}x)`;
    console.log(line);
    if (!r.ok) failed++;
  };
  const drain = (it) => {
    for (const _ of it) void _;
  };
  const quietly = (fn) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof Error) || e.name !== 'Error') throw e;
    }
  };
  console.log('time proportional to size (4x the input should take about 4x the time; SLOW = 8x or more):');
  try {
    for (const i of MDL_INPUTS) report(`check, ${i.name}`, measureScaling((text) => api.compileSources([{ path: 'big.mdl', text }]), i.make, i.dense ? 64 * KIB : 256 * KIB));
    for (const i of READER_INPUTS) {
      if (i.text) {
        report(`parseCsvText, ${i.name}`, measureScaling((t) => quietly(() => drain(api.parseCsvText(t).records)), i.text, 256 * KIB));
        report(`parseJsonlText, ${i.name}`, measureScaling((t) => quietly(() => drain(api.parseJsonlText(t))), i.text, 256 * KIB));
      }
      const bytes = i.bytes ?? ((size) => Buffer.from(i.text(size), 'utf8'));
      const file = (ext) => (size) => {
        const p = join(scratch, `${size}.${ext}`);
        writeFileSync(p, bytes(size));
        return p;
      };
      report(`readCsv, ${i.name}`, measureScaling((p) => quietly(() => drain(api.readCsv(p).records)), file('csv'), 256 * KIB));
      report(`readJsonl, ${i.name}`, measureScaling((p) => quietly(() => drain(api.readJsonl(p))), file('jsonl'), 256 * KIB));
    }
    const every = `CREATE MODEL t (k BIGINT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION, s STRING, vc VARCHAR(3), i INTEGER,
      si SMALLINT, d DOUBLE, dec DECIMAL(18, 2), dec0 DECIMAL(38, 0), b BOOLEAN, dt DATE, ts TIMESTAMP, j JSON);`;
    const types = api.checkSources([{ path: 'every-type.mdl', text: every }]).schema.models[0].columns.map((c) => c.type);
    for (const f of FIELD_INPUTS) for (const t of types) report(`convertField ${t.spelled}, ${f.name}`, measureScaling((text) => api.convertField(t, text), f.make, 16 * KIB));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return failed;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.caseSeed !== undefined) {
    o.out ??= join(tmpdir(), `mdl-fuzz-replay-${o.caseSeed}`);
    process.exit(await replay(o));
  }
  o.seed ??= Math.floor(Math.random() * 2 ** 32);
  o.out ??= join(tmpdir(), `mdl-fuzz-${o.seed}`);
  const api = await loadApi();
  const probe = mkdtempSync(join(tmpdir(), 'mdl-fuzz-probe-'));
  const all = createTargets(api, loadCorpus(root), probe).map((t) => t.name);
  rmSync(probe, { recursive: true, force: true });
  const names = o.targets.length > 0 ? o.targets : all;
  for (const n of names) if (!all.includes(n)) usage(`no target ${n} (there are ${all.join(', ')})`);
  const jobs = Math.min(names.length, o.jobs ?? availableParallelism());
  console.log(`fuzz: seed ${o.seed} (again: --seed ${o.seed}), ${o.runs !== undefined ? `${o.runs} cases` : `${o.seconds} s`} per share, ${jobs} job(s), failures to ${o.out}`);

  let failed = o.linear ? await linearPass() : 0;
  const started = Date.now();
  const share = (o.seconds * 1000 * jobs) / names.length;
  const results = new Map(names.map((n) => [n, { cases: 0, outcomes: {}, failures: [], slow: [], hangs: [] }]));
  const queue = [...names];

  const runTarget = (name, first, until, runs) =>
    new Promise((resolve) => {
      const res = results.get(name);
      let current;
      let caseStarted = Date.now();
      let stopped = false;
      let scratch;
      const worker = new Worker(fileURLToPath(import.meta.url), {
        workerData: { name, seed: o.seed, first, until, runs, out: o.out, shrinkSeconds: o.shrinkSeconds, slowMs: 5000 },
      });
      const watch = setInterval(() => {
        if (current === undefined || Date.now() - caseStarted < o.caseTimeout * 1000) return;
        // A hang: the worker cannot be interrupted, only stopped; the case is saved as it was.
        clearInterval(watch);
        const hung = current;
        stopped = true;
        void worker.terminate().then(async () => {
          if (scratch) rmSync(scratch, { recursive: true, force: true });
          const regenerate = mkdtempSync(join(tmpdir(), 'mdl-fuzz-hang-'));
          const target = createTargets(api, loadCorpus(root), regenerate).find((t) => t.name === name);
          const file = save(target, target.generate(random(hung.caseSeed), LONG_LIMITS), o.out, name, hung.caseSeed, 'hang');
          rmSync(regenerate, { recursive: true, force: true });
          res.hangs.push({ ...hung, file });
          console.log(`\n${name}: HANG at case ${hung.index} (case seed ${hung.caseSeed}), over ${o.caseTimeout} s; input: ${file}`);
          res.cases += hung.index - first;
          const left = runs !== undefined ? runs - (hung.index + 1 - first) : until - Date.now();
          if (left > 0) await runTarget(name, hung.index + 1, until, runs !== undefined ? left : undefined);
          resolve();
        });
      }, 500);
      worker.on('message', (m) => {
        if (m.type === 'scratch') {
          scratch = m.dir;
        } else if (m.type === 'case') {
          current = m;
          caseStarted = Date.now();
        } else if (m.type === 'failure') {
          res.failures.push(m);
          console.log(`\n${name}: FAILED at case ${m.index} (case seed ${m.caseSeed})\n${m.message}\n  shrunk input: ${m.file}\n  again: node scripts/fuzz.js --target ${name} --case-seed ${m.caseSeed}`);
        } else if (m.type === 'slow') {
          res.slow.push(m);
        } else if (m.type === 'done') {
          clearInterval(watch);
          res.cases += m.cases;
          for (const [k, v] of Object.entries(m.outcomes)) res.outcomes[k] = (res.outcomes[k] ?? 0) + v;
          resolve();
        }
      });
      worker.on('exit', (code) => {
        // Stopped for a hang: the watch above goes on from there. Otherwise an exit before 'done' is a crash.
        if (code !== 0 && !stopped) {
          clearInterval(watch);
          resolve();
        }
      });
      worker.on('error', (e) => {
        clearInterval(watch);
        res.failures.push({ index: current?.index, caseSeed: current?.caseSeed, signature: 'worker crashed', message: String(e?.stack ?? e) });
        console.log(`\n${name}: the worker crashed at case seed ${current?.caseSeed}: ${e?.stack ?? e}`);
        resolve();
      });
    });

  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const t0 = Date.now();
        await runTarget(name, 0, Date.now() + share, o.runs);
        const r = results.get(name);
        console.log(`${name.padEnd(12)} ${String(r.cases).padStart(7)} cases in ${((Date.now() - t0) / 1000).toFixed(0)} s  ${JSON.stringify(r.outcomes)}`);
      }
    }),
  );

  console.log(`\nfuzz: seed ${o.seed}, ${((Date.now() - started) / 1000).toFixed(0)} s of fuzzing`);
  for (const [name, r] of results) {
    const bad = r.failures.length + r.hangs.length;
    failed += bad;
    console.log(`  ${name.padEnd(12)} ${String(r.cases).padStart(7)} cases, ${r.failures.length} distinct failure(s), ${r.hangs.length} hang(s), ${r.slow.length} case(s) over 5 s`);
    for (const s of r.slow.slice(0, 3)) console.log(`      slow: case seed ${s.caseSeed}, ${s.ms} ms (--target ${name} --case-seed ${s.caseSeed})`);
  }
  process.exit(failed > 0 ? 1 : 0);
}

if (isMainThread) await main();
else await runWorker(workerData);
