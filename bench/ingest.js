// `npm run bench:ingest`: the mirror runtime's throughput on a large change file, side by side with
// a baseline measured in the same run.
//
//   node bench/ingest.js [--rows 1000000] [--keys 200000] [--batch-size 100000] [--runs 3] [--also 3000000]
//
// The change file (CSV) has `rows` changes over `keys` keys: each key's versions, about 20% of
// them out of order, 10% deletes and 2% exact duplicates. It is ingested with `mdl ingest` into an
// on-disk SQLite mirror (WAL), and the mirror is checked against a reference computed here from
// the same changes. The baseline is the same file read with the same CSV reader and inserted into
// a plain table (no key, no checks, no typing) in one transaction: what storing the rows costs
// with nothing of mdl's work. Each run is its own process, so that peak memory (max RSS) is its
// own; the runs alternate between mdl and the baseline. Each run also ingests the file into the
// same model declared WITH HISTORY, whose throughput is compared with mdl's without history, and
// whose history is checked (a row per upsert version, intervals consistent with the mirror) and
// read (one key's history; every key as of a version). With --also N, mdl's peak memory is also
// measured on an N-row file, to show that it does not grow with the file.
//
// Reads the built modules in dist/ (`npm run bench:ingest` builds first).

import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpus } from 'node:os';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const OUT = join(BENCH_DIR, '.out', 'ingest');
const DIST = join(ROOT, 'dist');

const MODEL = `CREATE MODEL change_event (
  id          BIGINT         NOT NULL,
  account     VARCHAR(40)    NOT NULL,
  amount      DECIMAL(12, 2),
  quantity    INTEGER,
  active      BOOLEAN,
  note        STRING,
  updated_at  TIMESTAMP      NOT NULL,
  seq         BIGINT         NOT NULL,
  PRIMARY KEY (id),
  VERSION (seq)
);
`;
const HEADER = 'id,account,amount,quantity,active,note,updated_at,seq,_change_request_type';
// The same model WITH HISTORY: every version kept with its interval (compared with the above).
const HISTORY_MODEL = MODEL.replace(');\n', ') WITH HISTORY;\n');

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i < 0 ? fallback : Number(argv[i + 1]);
};

// ---------------------------------------------------------------------------------------------
// Child modes: one measured run in its own process, reporting JSON on stdout.

if (argv[0] === '--child') {
  const [, mode, file, db, batchSize] = argv;
  const t0 = performance.now();
  let rows;
  if (mode === 'mdl' || mode === 'history') {
    // As `mdl ingest` runs it: reading and converting on a second thread.
    const { openMirror } = await import(pathToFileURL(join(DIST, 'index.js')).href);
    const { ingestFilesParallel } = await import(pathToFileURL(join(DIST, 'ingest', 'parallel.js')).href);
    const mirror = openMirror(db);
    const report = await ingestFilesParallel(mirror, 'change_event', [file], { batchSize: Number(batchSize) });
    mirror.close();
    rows = report.received;
    const ms = performance.now() - t0;
    process.stdout.write(JSON.stringify({ ms, rows, maxRssKb: process.resourceUsage().maxRSS, report }));
  } else {
    const { readCsv } = await import(pathToFileURL(join(DIST, 'ingest', 'csv.js')).href);
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(db);
    conn.pragma('journal_mode = WAL');
    const csv = readCsv(file);
    const width = csv.header.length;
    conn.exec(`CREATE TABLE plain (${csv.header.map((h) => `"${h}"`).join(', ')})`);
    const insert = conn.prepare(`INSERT INTO plain VALUES (${Array.from({ length: width }, () => '?').join(', ')})`);
    rows = 0;
    conn.transaction(() => {
      for (const r of csv.records) {
        insert.run(...r.fields);
        rows++;
      }
    })();
    conn.close();
    const ms = performance.now() - t0;
    process.stdout.write(JSON.stringify({ ms, rows, maxRssKb: process.resourceUsage().maxRSS }));
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The change file and its reference state

/** A small deterministic generator (mulberry32), so every run has the same file. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes `rows` changes over `keys` keys and returns the reference: for each key, its winning
 * change (the greatest version; a delete wins a tie, and the generator never writes two different
 * upserts at one version, so content never decides).
 */
async function generate(file, rows, keys) {
  const rnd = random(20261124);
  const perKey = new Uint32Array(keys); // next version of each key
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  await write(HEADER + '\n');
  const winners = new Map();
  const upserts = new Set(); // the distinct upsert versions: the rows history must show
  const pending = []; // rows held back to arrive out of order
  let written = 0;
  const emit = async (line, key, seq, del) => {
    await write(line);
    written++;
    const w = winners.get(key);
    if (!w || seq > w.seq || (seq === w.seq && del && !w.del)) winners.set(key, { seq, del, line });
    if (!del) upserts.add(key * 4096 + seq); // each key has far fewer than 4096 versions
  };
  while (written + pending.length < rows) {
    const key = Math.floor(rnd() * keys);
    const seq = ++perKey[key];
    const del = rnd() < 0.1;
    const id = key + 1;
    const line = del
      ? `${id},,,,,,2024-01-01T00:00:00Z,${seq},d\n`
      : `${id},acct-${id % 997},${(rnd() * 10000).toFixed(2)},${Math.floor(rnd() * 100)},${rnd() < 0.5 ? 'true' : 'false'},"note ${seq}, ""quoted""",2024-03-01T${String(seq % 24).padStart(2, '0')}:00:00+01:00,${seq},\n`;
    if (rnd() < 0.2) pending.push({ line, key, seq, del }); // arrives later, after newer versions
    else await emit(line, key, seq, del);
    if (rnd() < 0.02 && written > 0) await emit(line, key, seq, del); // an exact duplicate
    if (pending.length > 5000) {
      const p = pending.splice(Math.floor(rnd() * pending.length), 1)[0];
      await emit(p.line, p.key, p.seq, p.del);
    }
  }
  for (const p of pending) if (written < rows) await emit(p.line, p.key, p.seq, p.del);
  await new Promise((r) => out.end(r));
  return { winners, rows: written, historyRows: upserts.size };
}

// ---------------------------------------------------------------------------------------------
// Runs

function child(mode, file, db, batchSize) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  if (mode === 'mdl' || mode === 'history') {
    const models = join(OUT, mode === 'mdl' ? 'models' : 'models-history');
    mkdirSync(models, { recursive: true });
    writeFileSync(join(models, 'change_event.mdl'), mode === 'mdl' ? MODEL : HISTORY_MODEL);
    const push = spawnSync(process.execPath, [join(ROOT, 'bin', 'mdl.js'), 'push', models, '--db', db], { encoding: 'utf8' });
    if (push.status !== 0) throw new Error(`mdl push failed: ${push.stderr}`);
  }
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, file, db, String(batchSize)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * With history: a row per upsert version received, one open interval per live row and none for a
 * deleted key, intervals that end after they start; and what reading it costs, for one key's
 * history and for the state of every key as of a version.
 */
async function verifyHistory(db, expectedRows) {
  const { default: Database } = await import('better-sqlite3');
  const conn = new Database(db, { readonly: true });
  const one = (sql, ...args) => Object.values(conn.prepare(sql).get(...args))[0];
  const rows = one('SELECT count(*) FROM change_event__history');
  const problems =
    Math.abs(rows - expectedRows) +
    one('SELECT count(*) FROM change_event__history h WHERE h.valid_to IS NULL AND NOT EXISTS (SELECT 1 FROM change_event c WHERE c.id = h.id AND c.seq = h.valid_from)') +
    one('SELECT count(*) FROM change_event c WHERE NOT EXISTS (SELECT 1 FROM change_event__history h WHERE h.id = c.id AND h.valid_to IS NULL)') +
    one('SELECT count(*) FROM change_event__history WHERE valid_to IS NOT NULL AND valid_to <= valid_from');
  const keyHistory = conn.prepare('SELECT * FROM change_event__history WHERE id = ? ORDER BY valid_from');
  const times = [];
  for (let id = 1; id <= 200_000; id += 2000) {
    const t = performance.now();
    keyHistory.all(id);
    times.push(performance.now() - t);
  }
  const t = performance.now();
  const asOf = one('SELECT count(*) FROM change_event__history WHERE valid_from <= 3 AND (valid_to IS NULL OR valid_to > 3)');
  const asOfMs = performance.now() - t;
  conn.close();
  return { problems, rows, keyMs: median(times), asOfMs, asOf };
}

async function verify(db, winners) {
  const { default: Database } = await import('better-sqlite3');
  const conn = new Database(db, { readonly: true });
  conn.defaultSafeIntegers(true);
  const live = new Map(conn.prepare('SELECT id, seq FROM change_event').all().map((r) => [Number(r.id) - 1, Number(r.seq)]));
  const tombs = new Map(conn.prepare('SELECT id, seq FROM change_event__tombstones').all().map((r) => [Number(r.id) - 1, Number(r.seq)]));
  conn.close();
  let wrong = 0;
  for (const [key, w] of winners) {
    const ok = w.del ? tombs.get(key) === w.seq && !live.has(key) : live.get(key) === w.seq && !tombs.has(key);
    if (!ok) wrong++;
  }
  const expectedLive = [...winners.values()].filter((w) => !w.del).length;
  if (live.size !== expectedLive) wrong += Math.abs(live.size - expectedLive);
  return wrong;
}

const ROWS = option('--rows', 1_000_000);
const KEYS = option('--keys', 200_000);
const BATCH = option('--batch-size', 100_000); // mdl ingest's default
const RUNS = option('--runs', 3);
const ALSO = option('--also', 0);

if (!existsSync(join(DIST, 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (or `npm run bench:ingest`).');
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const int = (n) => Math.round(n).toLocaleString('en-US');

async function measure(rows, withHistory = false) {
  const file = join(OUT, `changes-${rows}.csv`);
  process.stderr.write(`generating ${int(rows)} changes over ${int(KEYS)} keys ... `);
  const { winners, rows: written, historyRows } = await generate(file, rows, KEYS);
  process.stderr.write(`${(statSync(file).size / 1048576).toFixed(0)} MiB\n`);
  const db = join(OUT, 'mirror.db');
  const historyDb = join(OUT, 'history.db');
  const baseDb = join(OUT, 'baseline.db');
  const mdl = [];
  const base = [];
  const history = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    process.stderr.write(`run ${i + 1}/${RUNS}: mdl ingest ... `);
    last = child('mdl', file, db, BATCH);
    mdl.push(last);
    process.stderr.write(`${(last.ms / 1000).toFixed(1)} s; baseline ... `);
    const b = child('baseline', file, baseDb, BATCH);
    base.push(b);
    process.stderr.write(`${(b.ms / 1000).toFixed(1)} s`);
    if (withHistory) {
      process.stderr.write('; WITH HISTORY ... ');
      const h = child('history', file, historyDb, BATCH);
      history.push(h);
      process.stderr.write(`${(h.ms / 1000).toFixed(1)} s`);
    }
    process.stderr.write('\n');
  }
  const wrong = await verify(db, winners);
  const historyCheck = withHistory ? { wrong: await verify(historyDb, winners), ...(await verifyHistory(historyDb, historyRows)) } : undefined;
  return { rows: written, file, mdl, base, history, wrong, historyCheck, report: last.report };
}

const main = await measure(ROWS, true);
const mdlMs = median(main.mdl.map((r) => r.ms));
const baseMs = median(main.base.map((r) => r.ms));
const mdlRate = (main.rows / mdlMs) * 1000;
const baseRate = (main.rows / baseMs) * 1000;
const mdlRss = Math.max(...main.mdl.map((r) => r.maxRssKb)) / 1024;
const baseRss = Math.max(...main.base.map((r) => r.maxRssKb)) / 1024;

console.log(`\nmdl ingest benchmark: ${int(main.rows)} changes over ${int(KEYS)} keys, batches of ${int(BATCH)}, on-disk SQLite (WAL); node ${process.version}, ${cpus().length} CPUs`);
console.log(`  report: ${JSON.stringify(Object.fromEntries(Object.entries(main.report).filter(([k]) => k !== 'files')))}`);
console.log(`  mirror checked against the reference: ${main.wrong === 0 ? 'exact' : `${main.wrong} keys WRONG`}`);
console.log('');
console.log('  run (median of ' + RUNS + ', each its own process)   seconds   changes/s   peak RSS MB');
console.log(`  mdl ingest                                  ${(mdlMs / 1000).toFixed(2).padStart(7)}  ${int(mdlRate).padStart(10)}  ${mdlRss.toFixed(0).padStart(12)}`);
console.log(`  baseline: same reader, plain INSERT         ${(baseMs / 1000).toFixed(2).padStart(7)}  ${int(baseRate).padStart(10)}  ${baseRss.toFixed(0).padStart(12)}`);
const ratio = mdlRate / baseRate;
console.log('');
console.log(`  ${ratio >= 0.75 ? 'MET    ' : 'NOT MET'}  throughput >= 0.75 of the baseline: ${ratio.toFixed(2)}`);
console.log(`  ${mdlRss < 300 ? 'MET    ' : 'NOT MET'}  peak memory under 300 MB: ${mdlRss.toFixed(0)} MB at ${int(main.rows)} rows`);
const histMs = median(main.history.map((r) => r.ms));
const histRate = (main.rows / histMs) * 1000;
const histRss = Math.max(...main.history.map((r) => r.maxRssKb)) / 1024;
const h = main.historyCheck;
const histRatio = histRate / mdlRate;
console.log('');
console.log(`  the same model WITH HISTORY: ${(histMs / 1000).toFixed(2)} s, ${int(histRate)} changes/s, peak ${histRss.toFixed(0)} MB; ` +
  `mirror ${h.wrong === 0 ? 'exact' : `${h.wrong} keys WRONG`}, ${int(h.rows)} history rows, ${h.problems === 0 ? 'all as expected' : `${h.problems} HISTORY PROBLEMS`}`);
console.log(`  reading it: one key's history ${h.keyMs.toFixed(2)} ms (median of 100 keys); every key as of a version ${int(h.asOfMs)} ms (${int(h.asOf)} rows)`);
console.log(`  ${histRatio >= 0.5 ? 'MET    ' : 'NOT MET'}  WITH HISTORY throughput >= 0.5 of the same model without history: ${histRatio.toFixed(2)}`);
if (h.wrong !== 0 || h.problems !== 0) process.exitCode = 1;
if (ALSO > 0) {
  const more = await measure(ALSO);
  const rss = Math.max(...more.mdl.map((r) => r.maxRssKb)) / 1024;
  console.log(`  info     peak memory at ${int(more.rows)} rows: ${rss.toFixed(0)} MB (mirror ${more.wrong === 0 ? 'exact' : 'WRONG'}); at ${int(main.rows)}: ${mdlRss.toFixed(0)} MB`);
}
if (main.wrong !== 0) process.exitCode = 1;
