// Fuzzing: the properties that must hold for any input, each a function that runs the library
// (given as `api`: the sources in CI, the build in dist/ for long runs) and throws a FuzzFailure
// when the property does not hold. Any other exception is a failure too: the library's entry
// points may reject input, but only in the ways documented below.
//
//   checkMdl         check and compile never throw; every span lies inside its file; check and
//                    compile agree; every render mode works; a model that compiles gives SQL
//                    that SQLite runs
//   checkRead        the readers yield records or fail with an Error naming the file; a file
//                    read in chunks reads as the same text read whole; a JSON line read as valid
//                    is what JSON.parse reads; a record holding bytes that are not UTF-8 is
//                    rejected, and the records around it read
//   checkConversion  convertField and convertChange give a stored value of the column's kind,
//                    or a reject with a known code
//   checkIngest      every row accounted for (received = inserted + updated + deleted +
//                    tombstoned + stale + duplicate + rejected, and received + skipped = the
//                    records the reader yields), or a MirrorError that names the file

import Database from 'better-sqlite3';

export class FuzzFailure extends Error {}

function fail(message) {
  throw new FuzzFailure(message);
}

const SEVERITIES = new Set(['error', 'warning', 'info']);
const REJECT_CODES = new Set(['malformed-row', 'unknown-change-type', 'missing-key', 'missing-version', 'bad-value', 'missing-value', 'below-watermark']);
const OUTCOME_KEYS = ['inserted', 'updated', 'deleted', 'tombstoned', 'stale', 'duplicate', 'rejected'];

// ---------------------------------------------------------------------------------------------
// .mdl

function checkSpan(span, byPath, what) {
  const source = byPath.get(span.file);
  if (!source) fail(`${what} points into ${JSON.stringify(span.file)}, which is not one of the files`);
  const ok = Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0 && span.start <= span.end && span.end <= source.text.length;
  if (!ok) fail(`${what} has span [${span.start}, ${span.end}) outside ${span.file} (length ${source.text.length})`);
}

/** Returns 'ok', 'errors' or 'warnings'. */
export function checkMdl(api, files) {
  const checked = api.checkSources(files);
  const compiled = api.compileSources(files);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const allText = files.map((f) => f.text).join('\n');
  if (JSON.stringify(checked.diagnostics) !== JSON.stringify(compiled.diagnostics)) fail('check and compile report different diagnostics');
  for (const d of compiled.diagnostics) {
    const what = `${d.code} (${d.message})`;
    if (!/^MDL\d{4}$/.test(d.code) || !SEVERITIES.has(d.severity) || typeof d.message !== 'string' || d.message === '') fail(`malformed diagnostic ${JSON.stringify(d)}`);
    // A message built from a missing parameter says so, unless the text itself has the word.
    for (const word of ['undefined', 'NaN', '[object Object]']) {
      if ((d.message + (d.hint ?? '')).includes(word) && !allText.includes(word)) fail(`${what} says ${word}`);
    }
    if (d.span) checkSpan(d.span, byPath, what);
    for (const r of d.related ?? []) checkSpan(r.span, byPath, `related note of ${what}`);
  }
  const hasErrors = compiled.diagnostics.some((d) => d.severity === 'error');
  if (compiled.ok === hasErrors || checked.ok !== compiled.ok) fail(`ok is ${compiled.ok} with${hasErrors ? '' : 'out'} errors`);
  for (const mode of ['pretty', 'plain', 'json']) {
    const out = api.formatDiagnostics(compiled.diagnostics, files, mode);
    if (typeof out !== 'string') fail(`rendering in ${mode} mode gave no text`);
    if (mode === 'json') {
      const parsed = JSON.parse(out);
      if (!Array.isArray(parsed) || parsed.length !== compiled.diagnostics.length) fail('the JSON rendering lost diagnostics');
      for (const j of parsed) if (j.line !== null && !(j.line >= 1 && j.column >= 1 && j.endLine >= j.line)) fail(`the JSON rendering has position ${j.line}:${j.column}`);
    }
  }
  if (compiled.ok) {
    if (typeof compiled.sql !== 'string' || !compiled.program) fail('compile is ok but gave no SQL');
    const db = new Database(':memory:');
    try {
      db.exec(compiled.sql);
    } catch (e) {
      fail(`SQLite refuses the compiled SQL: ${e.message}`);
    } finally {
      db.close();
    }
  }
  return compiled.ok ? 'ok' : hasErrors ? 'errors' : 'warnings';
}

// ---------------------------------------------------------------------------------------------
// Readers

function plainRecord(rec) {
  const fields = rec.fields instanceof Map ? [...rec.fields].map(([k, v]) => [k, v === null || typeof v === 'string' ? v : [v.type, v.text]]) : rec.fields;
  return JSON.stringify([rec.line, rec.record, fields, rec.raw, rec.error ?? null]);
}

/**
 * Reads a whole file (or text) with `open`. A plain Error (the file-level errors the readers
 * document: unreadable, not UTF-8, no header, a record too long) becomes { error }; any other
 * exception propagates, as the failure it is.
 */
export function readAll(open, csv) {
  try {
    const file = open();
    const records = [...(csv ? file.records : file)];
    return { header: csv ? file.header : null, records };
  } catch (e) {
    if (e instanceof FuzzFailure || !(e instanceof Error) || e.name !== 'Error') throw e;
    return { error: e.message };
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeStrict(bytes) {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

function checkRecords(records, header) {
  let line = 0;
  records.forEach((rec, i) => {
    if (rec.record !== i + 1) fail(`record ${i + 1} is numbered ${rec.record}`);
    if (!(rec.line >= 1 && rec.line >= line)) fail(`record ${rec.record} is on line ${rec.line}, after line ${line}`);
    line = rec.line;
    if (typeof rec.raw !== 'string') fail(`record ${rec.record} has no raw text`);
    if (rec.error !== undefined && (typeof rec.error !== 'string' || rec.error === '')) fail(`record ${rec.record} has an empty error`);
    if (header && rec.error === undefined && rec.fields.length !== header.length) fail(`record ${rec.record} has ${rec.fields.length} fields without an error`);
  });
}

/** A line JSON.parse refuses must be an error; a line read as valid must read as JSON.parse reads it. */
function checkJsonAgainstParse(rec, JsonLiteral) {
  let parsed;
  try {
    parsed = JSON.parse(rec.raw);
  } catch {
    if (rec.error === undefined) fail(`line ${rec.line} is not JSON, but was read without an error: ${rec.raw.slice(0, 80)}`);
    return;
  }
  if (rec.error !== undefined) return;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail(`line ${rec.line} is not an object, but was read as one`);
  if (Object.keys(parsed).length !== rec.fields.size) fail(`line ${rec.line} has ${Object.keys(parsed).length} keys, the reader found ${rec.fields.size}`);
  for (const [k, v] of rec.fields) {
    const p = parsed[k];
    const same =
      v === null ? p === null
      : typeof v === 'string' ? p === v
      : !(v instanceof JsonLiteral) ? false
      : v.type === 'number' ? typeof p === 'number' && Object.is(Number(v.text), p)
      : v.type === 'boolean' ? p === (v.text === 'true')
      : JSON.stringify(JSON.parse(v.text)) === JSON.stringify(p);
    if (!same) fail(`line ${rec.line}, key ${JSON.stringify(k)}: the reader has ${JSON.stringify(v)}, JSON.parse ${JSON.stringify(p)}`);
  }
}

/** `path` holds `bytes`. Returns 'not UTF-8', 'file error', 'bad records' or 'clean'. */
export function checkRead(api, format, path, bytes, chunkSize) {
  const csv = format === 'csv';
  const fromFile = readAll(() => (csv ? api.readCsv(path, { chunkSize }) : api.readJsonl(path, { chunkSize })), csv);
  const text = decodeStrict(bytes);
  if (text === undefined) {
    // Each record holding bytes that are not UTF-8 is rejected as it is read; only a header
    // holding some stops a CSV file. Chunks change nothing, and no record read as good holds a
    // lone surrogate (the stand-in for those bytes) in its text or fields.
    const whole = readAll(() => (csv ? api.readCsv(path, { chunkSize: bytes.length + 1 }) : api.readJsonl(path, { chunkSize: bytes.length + 1 })), csv);
    if (JSON.stringify(fromFile) !== JSON.stringify(whole)) fail(`a file that is not UTF-8 reads differently in chunks of ${chunkSize} than whole`);
    if (fromFile.error !== undefined) {
      if (!fromFile.error.includes(path)) fail(`the error does not name the file: ${fromFile.error}`);
      return 'file error';
    }
    checkRecords(fromFile.records, fromFile.header);
    for (const rec of fromFile.records) {
      if (!rec.raw.isWellFormed()) fail(`record ${rec.record} keeps a lone surrogate in its raw text`);
      if (rec.error !== undefined) continue;
      const values = csv ? rec.fields : [...rec.fields.values()].map((v) => (v === null || typeof v === 'string' ? v : v.text));
      if (values.some((v) => v !== null && !v.isWellFormed())) fail(`record ${rec.record} was read as good with a lone surrogate in a field`);
    }
    if (!fromFile.records.some((rec) => rec.error !== undefined)) fail('a file that is not UTF-8 was read without a rejected record');
    return 'not UTF-8';
  }
  const fromText = readAll(() => (csv ? api.parseCsvText(text) : api.parseJsonlText(text)), csv);
  if (fromFile.error !== undefined || fromText.error !== undefined) {
    if (fromFile.error === undefined || fromText.error === undefined) fail(`read whole: ${fromText.error ?? 'no error'}; read in chunks of ${chunkSize}: ${fromFile.error ?? 'no error'}`);
    if (!fromFile.error.includes(path)) fail(`the error does not name the file: ${fromFile.error}`);
    return 'file error';
  }
  if (JSON.stringify(fromFile.header) !== JSON.stringify(fromText.header)) fail(`the header read in chunks of ${chunkSize} differs from the header read whole`);
  if (fromFile.records.length !== fromText.records.length) fail(`${fromFile.records.length} records read in chunks of ${chunkSize}, ${fromText.records.length} read whole`);
  fromFile.records.forEach((rec, i) => {
    if (plainRecord(rec) !== plainRecord(fromText.records[i])) fail(`record ${i + 1} read in chunks of ${chunkSize} differs from the same read whole`);
  });
  checkRecords(fromText.records, fromText.header);
  if (!csv) for (const rec of fromText.records) checkJsonAgainstParse(rec, api.JsonLiteral);
  return fromText.records.some((rec) => rec.error !== undefined) ? 'bad records' : 'clean';
}

// ---------------------------------------------------------------------------------------------
// Conversion

const INTEGER_RANGE = { 16: 2n ** 15n, 32: 2n ** 31n, 64: 2n ** 63n };

/** The stored value of a field must be of its column's kind. */
function checkStored(type, value, raw) {
  const where = `${type.spelled} from ${JSON.stringify(raw)}`;
  if (value === null) return;
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') fail(`${where} stored as ${typeof value}`);
      if (type.maxLength !== null && [...value].length > type.maxLength) fail(`${where} stored longer than ${type.maxLength}`);
      if (!value.isWellFormed()) fail(`${where} stored with a lone surrogate`);
      return;
    case 'integer': {
      if (typeof value !== 'bigint' && !Number.isSafeInteger(value)) fail(`${where} stored as ${String(value)}`);
      const b = BigInt(value);
      if (b < -INTEGER_RANGE[type.bits] || b >= INTEGER_RANGE[type.bits]) fail(`${where} stored out of range: ${b}`);
      return;
    }
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${where} stored as ${String(value)}`);
      return;
    case 'decimal':
      if (!(typeof value === 'bigint' || Number.isSafeInteger(value) || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)))) fail(`${where} stored as ${String(value)}`);
      return;
    case 'boolean':
      if (value !== 0n && value !== 1n) fail(`${where} stored as ${String(value)}`);
      return;
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) fail(`${where} stored as ${String(value)}`);
      return;
    case 'timestamp':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) fail(`${where} stored as ${String(value)}`);
      return;
    case 'json':
      if (typeof value !== 'string') fail(`${where} stored as ${typeof value}`);
      try {
        JSON.parse(value);
      } catch {
        fail(`${where} stored as ${JSON.stringify(value)}, which is not JSON`);
      }
      return;
    default:
      fail(`a column of kind ${type.kind} reached conversion`);
  }
}

/**
 * `fields` are the raw fields by column (undefined: absent), `described` the same as written in
 * the case (for messages). Returns 'upsert', 'delete' or the reject's code.
 */
export function checkConversion(api, model, fields, changeType, described) {
  model.columns.forEach((c, i) => {
    if (fields[i] === undefined) return;
    const v = api.convertField(c.type, fields[i]);
    if (v instanceof api.Rejection) {
      if (typeof v.reason !== 'string' || v.reason === '') fail(`a rejection of ${c.type.spelled} has no reason`);
    } else checkStored(c.type, v, described[i]);
  });
  const values = new Array(model.columns.length);
  const op = api.convertChange(api.rowShape(model), { fields, changeType }, values);
  if (typeof op !== 'number') {
    if (!REJECT_CODES.has(op.code) || typeof op.reason !== 'string' || op.reason === '') fail(`an unknown reject ${JSON.stringify(op)}`);
    return op.code;
  }
  if (op !== 0 && op !== 1) fail(`convertChange returned operation ${op}`);
  model.columns.forEach((c, i) => {
    if (op === 0 && c.notNull && values[i] === null) fail(`an upsert leaves NOT NULL column ${c.name} NULL`);
    checkStored(c.type, values[i], described[i]);
  });
  return op === 0 ? 'upsert' : 'delete';
}

// ---------------------------------------------------------------------------------------------
// Ingest

/**
 * Ingests `paths` into `model`. `records[i]` is how many records the reader yields for
 * paths[i] (counted by the caller), or undefined when the reader cannot read it. Returns
 * 'file error', 'some rejected' or 'all applied'.
 */
export function checkIngest(api, mirror, model, paths, records, options) {
  let report;
  try {
    report = api.ingest(mirror, model, paths, options);
  } catch (e) {
    if (!(e instanceof api.MirrorError)) throw e;
    if (!paths.some((p) => e.message.includes(p))) fail(`a file-level error that names no file: ${e.message}`);
    return 'file error';
  }
  if (records.some((n) => n === undefined)) fail('a file the reader cannot read was ingested without an error');
  for (const part of [report, ...report.files]) {
    const sum = OUTCOME_KEYS.reduce((s, k) => s + part[k], 0);
    if (part.received !== sum) fail(`${part.file ?? 'the ingest'} received ${part.received} rows but accounts for ${sum}: ${JSON.stringify(part)}`);
  }
  report.files.forEach((f, i) => {
    if (f.received + (f.skipped ?? 0) !== records[i]) fail(`${f.file} has ${records[i]} records; the ingest received ${f.received} and skipped ${f.skipped ?? 0}`);
  });
  return report.rejected > 0 ? 'some rejected' : 'all applied';
}
