// Fuzzing: the targets. Each generates a case from a random source (within size limits), and runs
// it against the properties of fuzz-properties.js, returning the kind of outcome it had (so that a
// test can see that the generator still reaches every kind). A case is plain data: it can be saved
// as a reproduction, and cut into parts for a reducer to shrink.
//
//   mdl-random   random text and the language's own words in any order, through check and compile
//   mdl-mutate   the examples and test cases mutated: half keep parsing and change meaning (types,
//                names, keys, relationships), half break syntax too (flips, cuts, splices, unicode,
//                NUL, lone surrogates, long names, deep parentheses)
//   csv-read     the examples' change files broken (rows, quotes, header, line ends, bytes), read
//   jsonl-read   in chunks of every size and whole
//   convert      random and plausible fields for the examples' models and every column type
//   ingest       broken change files into a mirror of their example project, end to end
//   push-ingest  changed models pushed to a new mirror, then rows of their columns ingested

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutateModel, mutateText, random, randomText } from './fuzz-mutate.js';
import { csvField, FIELD_VALUES, mutateBytes, mutateCsv, mutateJsonl, plausible } from './fuzz-mutate-changes.js';
import { checkConversion, checkIngest, checkMdl, checkRead, readAll } from './fuzz-properties.js';

export { FuzzFailure } from './fuzz-properties.js';

/** Sizes that make a case slow: CI keeps them small, the long run does not. */
export const CI_LIMITS = { text: 2000, repeat: 40, identifier: 5000, depth: 2000, field: 2000, edits: 4, cap: 50_000, columns: 300, rows: 40 };
export const LONG_LIMITS = { text: 20000, repeat: 400, identifier: 100000, depth: 50000, field: 50000, edits: 8, cap: 1_000_000, columns: 3000, rows: 400 };

/** Applies up to `edits` mutations, skipping any that would make the text larger than `cap`. */
function mutated(text, edits, cap, mutate) {
  for (let n = edits; n > 0; n--) {
    const next = mutate(text);
    if (next.length <= cap) text = next;
  }
  return text;
}

const withoutDropped = (items, parts, make) => items.map((item, i) => make(item, parts[i])).filter((_, i) => parts[i] !== undefined);

function mdlTarget(api, name, generate) {
  return {
    name,
    generate,
    run: (input) => checkMdl(api, input.files),
    parts: (input) => input.files.map((f) => f.text),
    withParts: (input, parts) => ({ files: withoutDropped(input.files, parts, (f, text) => ({ path: f.path, text })) }),
    save: (input) => ({ ext: 'json', data: JSON.stringify(input, null, 2) }),
  };
}

function mutateTarget(api, corpus) {
  const texts = [...corpus.projects.flatMap((p) => p.sources), ...corpus.cases].map((d) => d.text);
  return mdlTarget(api, 'mdl-mutate', (r, limits) => {
    // A whole example project with some files broken, or one test case on its own.
    const project = r.chance(0.5) ? r.pick(corpus.projects) : undefined;
    const files = project ? project.sources.map((s) => ({ ...s })) : [{ ...r.pick(corpus.cases) }];
    // Half the cases change only what the text means (it still parses, and reaches the checker's
    // rules and the compiler); half break its syntax too.
    const syntax = r.chance(0.5);
    for (let n = r.range(1, limits.edits); n > 0; n--) {
      const f = r.pick(files);
      f.text = mutated(f.text, 1, limits.cap, (t) => (syntax && r.chance(0.5) ? mutateText(r, t, texts, limits) : mutateModel(r, t, limits)));
    }
    if (r.chance(0.1)) files.push({ path: `copy-of-${files[0].path}`, text: files[0].text });
    return { files };
  });
}

/** A change file broken: its text restructured, then sometimes its bytes. */
function brokenChangeFile(r, change, limits, edits, byteEdits) {
  const mutate = (t) => (change.format === 'csv' ? mutateCsv(r, t, limits) : mutateJsonl(r, t, limits));
  let bytes = Buffer.from(mutated(change.bytes.toString('utf8'), edits, limits.cap, mutate), 'utf8');
  for (let n = byteEdits; n > 0; n--) bytes = mutateBytes(r, bytes);
  return bytes;
}

function readerTarget(api, format, corpus, dir) {
  const seeds = corpus.projects.flatMap((p) => p.changes).filter((c) => c.format === format);
  const path = join(dir, `read.${format}`);
  return {
    name: `${format}-read`,
    generate(r, limits) {
      const bytes = brokenChangeFile(r, r.pick(seeds), limits, r.range(1, limits.edits), r.chance(0.5) ? r.range(1, 3) : 0);
      // Tiny reads only of small files: a read per byte of a large one is slow, and proves nothing more.
      return { bytes, chunkSize: r.pick(bytes.length < 20_000 ? [1, 2, 3, 5, 7, 64, 1000, 1 << 20] : [61, 1000, 4096, 1 << 20]) };
    },
    run(input) {
      writeFileSync(path, input.bytes);
      return checkRead(api, format, path, input.bytes, input.chunkSize);
    },
    parts: (input) => [input.bytes],
    withParts: (input, parts) => ({ ...input, bytes: parts[0] ?? Buffer.alloc(0) }),
    save: (input) => ({ ext: format, data: input.bytes }),
  };
}

const EVERY_TYPE = `CREATE MODEL every_type (
  k BIGINT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION, s STRING, t TEXT, vc VARCHAR(3), i INTEGER, si SMALLINT,
  l LONG, d DOUBLE, f FLOAT, n NUMBER, dec DECIMAL(18, 2), dec0 DECIMAL(38, 0), dec9 DECIMAL(9, 9), b BOOLEAN, dt DATE,
  ts TIMESTAMP, dtm DATETIME, j JSON
);`;

/** A raw field as the readers give it, written in JSON-safe terms ({ json, text } for a JsonLiteral) so that a case can be saved. */
function randomRaw(r, limits) {
  switch (r.int(8)) {
    case 0: return null;
    case 1: return { json: r.pick(['number', 'boolean', 'object', 'array']), text: r.pick(['1', '-0', '1e400', 'true', '{}', '[1]', '12345678901234567890', '0.1', 'false']) };
    case 2: return r.pick(FIELD_VALUES).repeat(r.size(limits.field >> 4) || 1);
    case 3: return randomText(r, 20);
    default: return r.pick(FIELD_VALUES);
  }
}

function convertTarget(api, corpus) {
  const models = [
    ...corpus.projects.flatMap((p) => api.checkSources(p.sources).schema.models),
    ...api.checkSources([{ path: 'every-type.mdl', text: EVERY_TYPE }]).schema.models,
  ];
  const toRaw = (f) => (f !== null && typeof f === 'object' ? new api.JsonLiteral(f.json, f.text) : f);
  return {
    name: 'convert',
    generate(r, limits) {
      const m = r.int(models.length);
      // Mostly values that fit, so that a change gets as far as the column that does not.
      const fit = r.next();
      const fields = models[m].columns.map((c) => (r.chance(0.05) ? undefined : r.chance(fit) ? plausible(r, c.type) : randomRaw(r, limits)));
      return { model: m, fields, changeType: r.chance(0.6) ? undefined : r.pick(['u', 'd', 'D', ' d ', 'x', '', null, { json: 'number', text: '1' }]) };
    },
    run: (input) => checkConversion(api, models[input.model], input.fields.map((f) => (f === undefined ? undefined : toRaw(f))), toRaw(input.changeType), input.fields),
    parts: (input) => [JSON.stringify(input)],
    withParts: (input, parts) => {
      try {
        return JSON.parse(parts[0]);
      } catch {
        return input;
      }
    },
    save: (input) => ({ ext: 'json', data: JSON.stringify({ modelName: models[input.model].name, ...input }, null, 2) }),
  };
}

function ingestTarget(api, corpus, dir) {
  const projects = corpus.projects.filter((p) => p.changes.length > 0);
  const mirrors = new Map();
  let n = 0;
  const mirrorFor = (project) => {
    if (!mirrors.has(project.name)) {
      const m = api.openMirror(join(dir, `${project.name}.db`), { create: true });
      api.pushProject(m, [project.models]);
      mirrors.set(project.name, m);
    }
    return mirrors.get(project.name);
  };
  return {
    name: 'ingest',
    generate(r, limits) {
      const p = r.int(projects.length);
      const change = r.pick(projects[p].changes);
      const files = Array.from({ length: r.chance(0.8) ? 1 : 2 }, () => brokenChangeFile(r, change, limits, r.range(0, limits.edits), r.chance(0.2) ? 1 : 0));
      return { project: p, model: change.model, format: change.format, files, batchSize: r.pick([1, 2, 3, 7, 100_000]), named: r.chance(0.5) };
    },
    run(input) {
      const mirror = mirrorFor(projects[input.project]);
      const caseDir = join(dir, `ingest-${n++}`);
      mkdirSync(caseDir, { recursive: true });
      try {
        const csv = input.format === 'csv';
        const paths = input.files.map((bytes, i) => {
          const p = join(caseDir, `${input.model}-${i}.${input.format}`);
          writeFileSync(p, bytes);
          return p;
        });
        const records = paths.map((p) => readAll(() => (csv ? api.readCsv(p) : api.readJsonl(p)), csv).records?.length);
        // Half the time the format is told, half the time it comes from the file's extension.
        const options = { batchSize: input.batchSize, ...(input.named ? {} : { format: input.format }) };
        return checkIngest(api, mirror, input.model, paths, records, options);
      } finally {
        rmSync(caseDir, { recursive: true, force: true });
      }
    },
    parts: (input) => input.files,
    withParts: (input, parts) => ({ ...input, files: parts.filter((p) => p !== undefined) }),
    save: (input) => ({ ext: input.format, data: input.files[0] ?? '' }),
    close() {
      for (const m of mirrors.values()) m.close();
      mirrors.clear();
    },
  };
}

/** A CSV file of `rows` changes to `model`'s columns: keys and versions from small ranges, so that updates, deletes and duplicates happen. */
function changesFor(r, model, rows) {
  const key = new Set([...(model.primaryKey?.columns ?? []), model.version?.column].filter(Boolean));
  const columns = model.columns.filter((c) => key.has(c.name) || r.chance(0.7));
  const withType = r.chance(0.3);
  const lines = [[...columns.map((c) => c.name), ...(withType ? ['_change_request_type'] : [])].map(csvField).join(',')];
  for (let i = 0; i < rows; i++) {
    const values = columns.map((c) => (r.chance(0.05) ? null : r.chance(0.9) ? plausible(r, c.type) : r.pick(FIELD_VALUES)));
    if (withType) values.push(r.pick(['u', 'd', '', 'D']));
    lines.push(values.map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function pushTarget(api, corpus, dir) {
  let n = 0;
  return {
    name: 'push-ingest',
    generate(r, limits) {
      const project = r.pick(corpus.projects);
      const files = project.sources.map((s) => ({ path: s.path, text: s.text }));
      const wide = r.chance(0.05);
      if (!wide) {
        const f = r.pick(files);
        f.text = mutated(f.text, r.range(0, 2), limits.cap, (t) => mutateModel(r, t, limits));
      } else {
        // A wide model: SQLite limits a table's columns, a function's arguments and a statement's parameters.
        const columns = Array.from({ length: r.size(limits.columns) }, (_, i) => `c${i} ${r.pick(['STRING', 'BIGINT', 'DECIMAL(9, 2)'])}`);
        files.push({ path: 'wide.mdl', text: `CREATE MODEL wide (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION, ${columns.join(', ')});` });
      }
      return { files, dataSeed: r.int(2 ** 32), rows: r.size(limits.rows), batchSize: r.pick([1, 3, 100_000]) };
    },
    run(input) {
      const compiled = api.compileSources(input.files);
      if (!compiled.ok || compiled.schema.models.length === 0) return 'not compiled';
      const caseDir = join(dir, `push-${n++}`);
      const models = join(caseDir, 'models');
      mkdirSync(models, { recursive: true });
      input.files.forEach((f, i) => writeFileSync(join(models, `${i}.mdl`), f.text));
      const mirror = api.openMirror(join(caseDir, 'mirror.db'), { create: true });
      try {
        // A model that compiles goes into a new mirror, whatever it is.
        api.pushProject(mirror, [models]);
        const r = random(input.dataSeed);
        const wide = compiled.schema.models.find((m) => m.name === 'wide');
        const model = wide && r.chance(0.8) ? wide : r.pick(compiled.schema.models);
        // Not named after the model: a name may be longer than a file name may be, or hold a /.
        const file = join(caseDir, 'changes.csv');
        writeFileSync(file, changesFor(r, model, input.rows));
        return checkIngest(api, mirror, model.name, [file], [input.rows], { batchSize: input.batchSize });
      } finally {
        mirror.close();
        rmSync(caseDir, { recursive: true, force: true });
      }
    },
    parts: (input) => input.files.map((f) => f.text),
    withParts: (input, parts) => ({ ...input, files: withoutDropped(input.files, parts, (f, text) => ({ path: f.path, text })) }),
    save: (input) => ({ ext: 'json', data: JSON.stringify(input, null, 2) }),
  };
}

/** Every target, over the corpus, using `dir` (a scratch folder the caller removes) for files and mirrors. */
export function createTargets(api, corpus, dir) {
  return [
    mdlTarget(api, 'mdl-random', (r, limits) => ({ files: [{ path: 'random.mdl', text: randomText(r, limits.text) }] })),
    mutateTarget(api, corpus),
    readerTarget(api, 'csv', corpus, dir),
    readerTarget(api, 'jsonl', corpus, dir),
    convertTarget(api, corpus),
    ingestTarget(api, corpus, dir),
    pushTarget(api, corpus, dir),
  ];
}
