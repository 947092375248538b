// Fuzzing: time proportional to size. Large garbage and pathological inputs for the
// front end, the readers and the field conversion, and a timing check that tells linear from
// quadratic on a shared, noisy machine.
//
// The check times an input at two sizes, 4x apart. Linear work takes about 4x as long; quadratic
// work 16x. It passes below 8x, or when the large input is done so fast that its growth cannot
// matter; otherwise it measures again and compares medians (a machine busy with other work makes
// single timings lie). Each input is run once small first, so that loading code and JIT warm-up
// are not timed.

import { random } from './fuzz-mutate.js';

export const KIB = 1024;
export const MIB = 1024 * KIB;

function randomBytes(size, seed) {
  const r = random(seed);
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = r.int(256);
  return out;
}

function randomPrintable(size, seed, alphabet) {
  const r = random(seed);
  let s = '';
  for (let i = 0; i < size; i++) s += alphabet ? alphabet[r.int(alphabet.length)] : String.fromCharCode(32 + r.int(95));
  return s;
}

const fill = (unit) => (size) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

/**
 * Inputs for the front end: each makes about `size` characters. CI times the `required` ones
 * (those the issue names) at 256 KiB and 1 MiB, the rest at a quarter of that; `dense` ones, with
 * an error (so a diagnostic) every few characters, at a sixteenth. npm run fuzz times them all at
 * full size but the dense ones, at a quarter.
 */
export const MDL_INPUTS = [
  { required: true, name: 'random bytes', make: (size) => randomBytes(size, 1).toString('latin1') },
  { required: true, name: 'random printable text', make: (size) => randomPrintable(size, 2) },
  { required: true, name: "'('", make: fill('(') },
  { required: true, name: "'\"'", make: fill('"') },
  { required: true, name: "'--'", make: fill('--') },
  { required: true, name: "'/*'", make: fill('/*') },
  { name: 'NUL', make: fill('\u0000') },
  { name: 'lone surrogates', make: fill('\ud800') },
  { name: "';'", make: fill(';') },
  { name: "')'", make: fill(')') },
  { name: 'a quote on every line', make: fill("'\n") },
  { name: "a model's '(' nested", make: (size) => `CREATE MODEL a (b DECIMAL${'('.repeat(size)}` },
  { name: 'a long identifier', make: (size) => `CREATE MODEL ${'a'.repeat(size)} (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);` },
  { name: 'many valid models', make: (size) => Array.from({ length: Math.ceil(size / 80) }, (_, i) => `CREATE MODEL m${i} (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);`).join('\n') },
  { name: 'a model of many columns', make: (size) => `CREATE MODEL a (${Array.from({ length: Math.ceil(size / 12) }, (_, i) => `c${i} STRING`).join(', ')});` },
  { name: 'one duplicate model repeated', make: fill('CREATE MODEL m (id STRING);\n') },
  { name: 'commas in a model', make: (size) => `CREATE MODEL a (${','.repeat(size)})`, dense: true },
  { name: "'CREATE MODEL x (' repeated", make: fill('CREATE MODEL x ('), dense: true },
  { name: "'CREATE ' repeated", make: fill('CREATE '), dense: true },
  { name: "'PRIMARY KEY (' repeated", make: (size) => `CREATE MODEL a (${fill('PRIMARY KEY (')(size)}`, dense: true },
  { name: 'columns without commas', make: (size) => `CREATE MODEL a (${fill('b STRING ')(size)});`, dense: true },
];

/** Inputs for the readers: `bytes` for the file readers, or `text` for the text ones too. */
export const READER_INPUTS = [
  { required: true, name: 'random bytes', bytes: (size) => randomBytes(size, 3) },
  { required: true, name: 'random printable text', text: (size) => randomPrintable(size, 4) },
  { required: true, name: 'random CSV-ish text', text: (size) => randomPrintable(size, 5, 'a,"\n\r ') },
  { required: true, name: 'random JSON-ish text', text: (size) => randomPrintable(size, 6, '{}[]":,1a\\\n ') },
  { name: "'\"'", text: fill('"') },
  { name: "','", text: fill(',') },
  { name: 'LF', text: fill('\n') },
  { name: 'CR', text: fill('\r') },
  { name: 'NUL', text: fill('\u0000') },
  { name: 'BOMs', text: fill('\ufeff') },
  { name: 'one quoted field of doubled quotes', text: (size) => `a\n"${fill('""')(size)}"` },
  { name: "'['", text: fill('[') },
  { name: 'a deep JSON value', text: (size) => `{"a":${fill('{"b":')(size)}` },
  { name: 'a long JSON string of escapes', text: (size) => `{"a":"${fill('\\u0041\\n')(size)}"}` },
  { name: 'a JSON object of many keys', text: (size) => `{${Array.from({ length: Math.ceil(size / 10) }, (_, i) => `"k${i}":1`).join(',')}}` },
  { name: 'a long JSON number', text: (size) => `{"a":${fill('1')(size)}}` },
  { name: 'broken JSON lines', text: fill('{"a":1,}\n') },
  { name: 'a header of many columns', text: (size) => fill('col,')(size) },
];

/** Field texts of about `size` characters, for every column type's conversion. */
export const FIELD_INPUTS = [
  { name: 'digits', make: fill('7') },
  { name: 'zeros then a 1', make: (size) => `0.${'0'.repeat(size)}1` },
  { name: 'a decimal with a long fraction', make: (size) => `1.${fill('10')(size)}` },
  { name: 'spaces around a number', make: (size) => `${' '.repeat(size >> 1)}1${' '.repeat(size >> 1)}` },
  { name: 'a long timestamp', make: (size) => `2024-03-01T12:00:00.${'0'.repeat(size)}Z` },
  { name: 'exponent digits', make: (size) => `1e${fill('9')(size)}` },
  { name: 'a deep JSON array', make: (size) => `${'['.repeat(size >> 1)}${']'.repeat(size >> 1)}` },
  { name: 'multi-byte text', make: fill('é😀') },
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function time(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/**
 * Times `run(make(small))` and `run(make(large))` (large = 4 x small). Passes when the large
 * input takes under `ratio` times as long, or under `floorMs` in all; measures up to `attempts`
 * times and compares medians before giving up. Returns the timings, for reports.
 */
export function measureScaling(run, make, small, options = {}) {
  const { ratio = 8, floorMs = 150, attempts = 5 } = options;
  const smallInput = make(small);
  const largeInput = make(small * 4);
  run(make(Math.max(1, small >> 4)));
  const smalls = [];
  const larges = [];
  for (let i = 0; i < attempts; i++) {
    smalls.push(time(() => run(smallInput)));
    larges.push(time(() => run(largeInput)));
    const s = median(smalls);
    const l = median(larges);
    if (l < floorMs || l < ratio * s) return { ok: true, smallMs: s, largeMs: l, ratio: l / Math.max(s, 0.001) };
  }
  const s = median(smalls);
  const l = median(larges);
  return { ok: false, smallMs: s, largeMs: l, ratio: l / Math.max(s, 0.001) };
}
