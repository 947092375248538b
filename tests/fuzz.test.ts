/**
 * Fuzzing, the CI part: every target of tests/fuzz-targets.js for a fixed number of cases from a
 * fixed seed, and the time-proportional-to-size checks of tests/fuzz-linear.js. `npm run fuzz`
 * (scripts/fuzz.js) runs the same targets on the build for as long as it is given.
 *
 * tests/parser-property.test.ts holds the parser alone to "never throws"; here the whole front
 * end, the checker and the compiler (with the SQL run in SQLite), the readers, field conversion
 * and ingest into a real mirror are held to their properties. A failing case names its seed, and
 * `node scripts/fuzz.js --target NAME --case-seed SEED` runs it again, shrinks it and saves it.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSources, compileSources, formatDiagnostics, ingest, MirrorError, openMirror, pushProject } from '../src/index.js';
import { parseCsvText, readCsv } from '../src/ingest/csv.js';
import { JsonLiteral, parseJsonlText, readJsonl } from '../src/ingest/jsonl.js';
import { convertField, Rejection } from '../src/ingest/convert.js';
import { convertChange, rowShape } from '../src/mirror/rows.js';
import type { ColumnType } from '../src/index.js';
import { caseSeed, loadCorpus, random } from './fuzz-mutate.js';
import { CI_LIMITS, createTargets, type FuzzApi, type Target } from './fuzz-targets.js';
import { FIELD_INPUTS, KIB, MDL_INPUTS, measureScaling, READER_INPUTS, type Scaling } from './fuzz-linear.js';
import { root } from './helpers.js';

const SEED = 20261125;

const api: FuzzApi = {
  checkSources, compileSources, formatDiagnostics, openMirror, pushProject, ingest, MirrorError,
  readCsv, parseCsvText, readJsonl, parseJsonlText, JsonLiteral, convertField, Rejection, rowShape, convertChange,
};

/**
 * Cases per target, and the outcomes each must reach: a generator that stopped producing, say,
 * models that compile or files with rejected rows would otherwise pass while testing nothing.
 */
const PLAN: Record<string, { runs: number; reaches: string[] }> = {
  'mdl-random': { runs: 300, reaches: ['errors'] },
  'mdl-mutate': { runs: 700, reaches: ['ok', 'errors'] },
  'csv-read': { runs: 500, reaches: ['clean', 'bad records', 'not UTF-8', 'file error'] },
  'jsonl-read': { runs: 500, reaches: ['clean', 'bad records', 'not UTF-8'] },
  convert: { runs: 3000, reaches: ['upsert', 'delete', 'bad-value', 'missing-key', 'missing-version', 'missing-value', 'unknown-change-type'] },
  ingest: { runs: 300, reaches: ['all applied', 'some rejected', 'file error'] },
  'push-ingest': { runs: 120, reaches: ['all applied', 'some rejected', 'not compiled'] },
};

describe('fuzzing with a fixed seed', () => {
  const corpus = loadCorpus(root);
  let dir: string;
  let targets: Target[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdl-fuzz-'));
    targets = createTargets(api, corpus, dir);
  });

  afterAll(() => {
    for (const t of targets) t.close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a target for every entry of the plan, and the reverse', () => {
    expect(targets.map((t) => t.name).sort()).toEqual(Object.keys(PLAN).sort());
  });

  for (const [name, { runs, reaches }] of Object.entries(PLAN)) {
    it(`${name}: ${runs} cases`, () => {
      const target = targets.find((t) => t.name === name)!;
      const outcomes = new Map<string, number>();
      for (let k = 0; k < runs; k++) {
        const seed = caseSeed(SEED, name, k);
        const input = target.generate(random(seed), CI_LIMITS);
        let outcome: string;
        try {
          outcome = target.run(input);
        } catch (e) {
          const saved = target.save(input);
          const file = join(tmpdir(), `mdl-fuzz-${name}-${seed}.${saved.ext}`);
          writeFileSync(file, saved.data);
          throw new Error(`${name}, case ${k}: ${(e as Error).stack ?? String(e)}\n  input: ${file}\n  again: node scripts/fuzz.js --target ${name} --case-seed ${seed}`, { cause: e });
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      for (const o of reaches) expect(outcomes.get(o) ?? 0, `${name} never gave "${o}" (${JSON.stringify([...outcomes])})`).toBeGreaterThan(0);
    });
  }
});

// Time proportional to size. The inputs the issue names are timed at 256 KiB and 1 MiB; the
// others at a quarter of that (npm run fuzz times every one at 1 MiB).
function expectLinear(what: string, r: Scaling): void {
  const detail = `${what}: ${r.smallMs.toFixed(0)} ms, then ${r.largeMs.toFixed(0)} ms for 4x the input (${r.ratio.toFixed(1)}x)`;
  expect(r.ok, detail).toBe(true);
  expect(r.largeMs, detail).toBeLessThan(20_000);
}

function drain(records: Iterable<unknown>): void {
  for (const _ of records) void _;
}

/** Reads to the end; a file-level Error (not UTF-8, no header) is an answer too. */
function readOrFail(read: () => void): void {
  try {
    read();
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'Error') throw e;
  }
}

describe('time proportional to size', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdl-fuzz-linear-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const input of MDL_INPUTS) {
    const small = input.required ? 256 * KIB : input.dense ? 16 * KIB : 64 * KIB;
    it(`check and compile: ${input.name}`, () => {
      expectLinear(input.name, measureScaling((text: string) => compileSources([{ path: 'big.mdl', text }]), input.make, small));
    });
  }

  for (const input of READER_INPUTS) {
    const small = input.required ? 256 * KIB : 64 * KIB;
    it(`readers: ${input.name}`, () => {
      const text = input.text;
      if (text) {
        expectLinear(`parseCsvText, ${input.name}`, measureScaling((t: string) => readOrFail(() => drain(parseCsvText(t).records)), text, small));
        expectLinear(`parseJsonlText, ${input.name}`, measureScaling((t: string) => readOrFail(() => drain(parseJsonlText(t))), text, small));
      }
      if (input.required) {
        const bytes = input.bytes ?? ((size: number) => Buffer.from(text!(size), 'utf8'));
        // One file per size: the small and the large input are made before either is read.
        const file = (ext: string) => (size: number) => {
          const path = join(dir, `${size}.${ext}`);
          writeFileSync(path, bytes(size));
          return path;
        };
        expectLinear(`readCsv, ${input.name}`, measureScaling((p: string) => readOrFail(() => drain(readCsv(p).records)), file('csv'), small));
        expectLinear(`readJsonl, ${input.name}`, measureScaling((p: string) => readOrFail(() => drain(readJsonl(p))), file('jsonl'), small));
      }
    });
  }

  // Field conversion, per column type. Known to be quadratic, and reported: canonicalDecimal in
  const types = checkSources([
    {
      path: 'every-type.mdl',
      text: `CREATE MODEL t (k BIGINT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION, s STRING, vc VARCHAR(3), i INTEGER,
        si SMALLINT, d DOUBLE, dec DECIMAL(18, 2), dec0 DECIMAL(38, 0), b BOOLEAN, dt DATE, ts TIMESTAMP, j JSON);`,
    },
  ]).schema.models[0]!.columns.map((c) => c.type);

  it('has a column of every type to convert into', () => {
    const kinds = new Set<ColumnType['kind']>(types.map((t) => t.kind));
    expect([...kinds].sort()).toEqual(['boolean', 'date', 'decimal', 'double', 'integer', 'json', 'string', 'timestamp']);
  });

  for (const field of FIELD_INPUTS) {
    it(`convertField: ${field.name}`, () => {
      for (const type of types) {
        const r = measureScaling((text: string) => convertField(type, text), field.make, 16 * KIB);
        expectLinear(`${type.spelled}, ${field.name}`, r);
      }
    });
  }
});
