/**
 * Ingest, SQL statements (SPEC section 6): `INSERT INTO model ...` applied as a batch with the
 * semantics of section 4; `DELETE FROM model ...` as a precision delete (section 5); `SELECT`
 * passed through read-only; everything else on a model refused with what to do instead.
 *
 * node-sql-parser reads each statement first, to find its kind, its target and its columns and
 * to report an unknown model or column (with a suggestion) before anything runs. An INSERT is then
 * run by SQLite itself against a capture (compile/mirror-sql.ts, captureSql): SQLite evaluates
 * the SELECT or VALUES and matches the columns, and the rows it produces become change rows.
 */

import type { Statement } from 'better-sqlite3';
import pkg from 'node-sql-parser';
import { nameKey, type Model } from '../ir.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { attachedSql, captureSql, MirrorSql } from '../compile/mirror-sql.js';
import { MirrorError, type BatchReport, type Mirror, type RejectRow } from '../mirror/mirror.js';
import { batchBuilder, convertChange, isRejected, rowShape } from '../mirror/rows.js';
import { HygieneRefused, precisionDelete, type HygieneReport } from '../mirror/hygiene.js';
import { JsonLiteral } from './jsonl.js';
import type { RawField, StoredValue } from './convert.js';
import { CHANGE_TYPE_COLUMN } from './ingest.js';

const { Parser } = pkg;

export type SqlOutcome =
  | { readonly kind: 'rows'; readonly sql: string; readonly columns: readonly string[]; readonly rows: readonly Record<string, unknown>[] }
  | { readonly kind: 'applied'; readonly sql: string; readonly report: BatchReport }
  | { readonly kind: 'hygiene'; readonly sql: string; readonly report: HygieneReport }
  /** A dry run's INSERT: what applying it would report (staged and classified, nothing written: Mirror.tryBatch). */
  | { readonly kind: 'planned'; readonly sql: string; readonly model: string; readonly report: Omit<BatchReport, 'batch'> }
  /** ATTACH or DETACH: a database made readable by the statements after it (the mirror unchanged). */
  | { readonly kind: 'attached'; readonly sql: string };

/** Where in a statement an error points: `length` characters of `statement` from `offset`. */
export interface SqlLocation {
  readonly statement: string;
  readonly offset: number;
  readonly length: number;
  /** Where the statement begins in the text given to runSql. */
  readonly start: number;
}

/**
 * A statement mdl will not run, with what to do instead, and where in the statement the trouble
 * is when that can be told. Nothing of the input has run when planning throws it.
 */
export class SqlRefused extends MirrorError {
  constructor(
    message: string,
    readonly at?: SqlLocation,
  ) {
    super(message);
  }
}

/** A statement SQLite failed to run; the statements before it have run. */
export class SqlFailed extends MirrorError {
  constructor(
    message: string,
    readonly at?: SqlLocation,
  ) {
    super(message);
  }
}

/** The statement with its string literals, quoted names and comments blanked out, offsets kept. */
function codeOnly(text: string): string {
  return text.replace(/'(?:[^']|'')*'?|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g, (m) => ' '.repeat(m.length));
}

/**
 * Where `name` first appears in the statement (which begins at `start` in the input) as a name,
 * bare or double-quoted, if it does.
 */
export function locateName(statement: string, name: string, start: number): SqlLocation | undefined {
  const code = codeOnly(statement);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`"${escaped.replace(/"/g, '""')}"|(?<![\\w$"])${escaped}(?![\\w$"])`, 'i').exec(code);
  return m ? { statement, offset: m.index, length: m[0].length, start } : undefined;
}

/**
 * SQLite's error about a statement, located by the name it mentions; an unknown table gets a
 * suggestion among the mirror's tables and views.
 */
function sqliteFailure(mirror: Mirror, statement: string, start: number, e: Error): SqlFailed {
  const named = /(?:no such (column|table|function): |near ")([^"\s]+)/.exec(e.message);
  // A qualified name (c.status) is looked for whole first, then without its qualifier.
  const at = named ? (locateName(statement, named[2]!, start) ?? locateName(statement, named[2]!.replace(/^[\w$]+\./, ''), start)) : undefined;
  let hint: string | undefined;
  if (named?.[1] === 'table') {
    const tables = (mirror.db.prepare(MirrorSql.tablesAndViews).all() as { name: string }[]).map((r) => r.name);
    hint = didYouMean(named[2]!, tables);
  }
  return new SqlFailed(`${firstLine(statement)}: ${e.message}${hint ? ` (${hint})` : ''}`, at);
}

interface Planned {
  readonly text: string;
  /** Where the statement begins in the input. */
  readonly start: number;
  readonly kind: 'select' | 'insert' | 'delete' | 'attach';
  readonly model?: Model;
  /** For an INSERT: whether its rows end with a `_change_request_type` column. */
  readonly withChangeType?: boolean;
}

type Ast = { type?: string; table?: unknown; columns?: unknown; values?: unknown } & Record<string, unknown>;

/**
 * Splits, parses and checks every statement; throws SqlRefused, SqlFailed (a SELECT SQLite cannot
 * prepare) or MirrorError before anything runs. ATTACH and DETACH run as they are met, so that the
 * statements after them are checked against the databases they make readable (they change nothing
 * in the mirror); the connection's databases are then put back as they were, for the statements to
 * run in order.
 */
function plan(mirror: Mirror, sql: string): Planned[] {
  const before = attachedDatabases(mirror);
  try {
    return planEach(mirror, sql);
  } finally {
    const now = attachedDatabases(mirror);
    for (const name of now.keys()) if (!before.has(name)) mirror.db.exec(attachedSql(name).detach);
    for (const [name, file] of before) if (!now.has(name)) mirror.db.prepare(attachedSql(name).attach).run(file);
  }
}

/** The databases ATTACH added to the connection, by name: their files. */
function attachedDatabases(mirror: Mirror): Map<string, string> {
  const rows = mirror.db.prepare('PRAGMA database_list').all() as { name: string; file: string }[];
  return new Map(rows.filter((r) => r.name !== 'main' && r.name !== 'temp').map((r) => [r.name, r.file]));
}

function planEach(mirror: Mirror, sql: string): Planned[] {
  const parser = new Parser();
  return statementsOf(sql).map(({ text, start }) => {
    if (/^(?:ATTACH|DETACH)\b/i.test(codeOnly(text).trimStart())) {
      try {
        mirror.db.exec(text);
      } catch (e) {
        throw sqliteFailure(mirror, text, start, e as Error);
      }
      return { text, start, kind: 'attach' };
    }
    let ast: Ast | Ast[];
    const forParser = textForParser(text);
    const name = forParser.name;
    try {
      ast = parser.astify(forParser.text, { database: 'sqlite' }) as unknown as Ast | Ast[];
    } catch (e) {
      // A row of VALUES longer or shorter than the column list: node-sql-parser only finds that
      // the statement ends too soon, SQLite says what is wrong (3 values for 2 columns). Preparing
      // runs nothing. (For a syntax error node-sql-parser's location is the better one; and a
      // message about a name may be about _change_request_type, which is mdl's, not the table's.)
      try {
        mirror.db.prepare(text);
      } catch (sqliteError) {
        if (/^\d+ values for \d+ columns$/.test((sqliteError as Error).message)) throw sqliteFailure(mirror, text, start, sqliteError as Error);
      }
      // node-sql-parser's message lists every token it expected; the location says more.
      const found = (e as { found?: unknown }).found;
      const offset = (e as { location?: { start?: { offset?: number } } }).location?.start?.offset;
      const what = typeof found === 'string' ? `syntax error at ${JSON.stringify(found)}` : 'the statement ends too soon';
      const at = typeof offset === 'number' ? { statement: text, offset, length: Math.max(1, typeof found === 'string' ? found.length : 1), start } : undefined;
      throw new SqlRefused(`cannot read this statement: ${what}`, at);
    }
    const node = Array.isArray(ast) ? ast[0] : ast;
    if (!node) throw new SqlRefused(`empty statement: ${firstLine(text)}`);
    const kind = node.type;
    const target = targetOf(node, name);
    const model = target === undefined ? undefined : mirror.model(target);
    if (model && (kind === 'insert' || kind === 'replace' || kind === 'delete')) {
      // Which row wins is decided by version, and what happened is the statement's report: a
      // conflict clause or RETURNING would promise what mdl does not do.
      const conflict = kind === 'replace' ? 'REPLACE' : Array.isArray(node.or) ? `INSERT OR ${String((node.or as { value?: unknown }[])[1]?.value ?? '').toUpperCase()}` : undefined;
      if (conflict) {
        throw new SqlRefused(
          `${conflict} is refused: INSERT INTO ${model.name} applies each row as a change, and which row wins is decided by version, ` +
            `not by the statement; write INSERT INTO ${model.name} ...`,
        );
      }
      if (node.returning) {
        throw new SqlRefused(
          `RETURNING is refused: ${kind === 'delete' ? 'a precision delete reports what it deleted and cleared per model' : 'an INSERT into a model reports its accounting'}; ` +
            `read the rows with a SELECT after it`,
        );
      }
    }
    switch (kind) {
      case 'select':
        try {
          mirror.db.prepare(text);
        } catch (e) {
          throw sqliteFailure(mirror, text, start, e as Error);
        }
        return { text, start, kind: 'select' };
      case 'insert': {
        if (target === undefined) throw new SqlRefused(`cannot tell which table this inserts into: ${firstLine(text)}`);
        if (!model) {
          const names = mirror.schema().models.map((m) => m.name);
          const hint = didYouMean(target, names);
          throw new SqlRefused(`the mirror has no model ${target}${hint ? ` (${hint})` : ''}; INSERT INTO applies changes to a model`, locateName(text, target, start));
        }
        const columns = Array.isArray(node.columns) ? (node.columns as unknown[]).map((c) => name(String(c))) : undefined;
        if (columns) {
          const known = new Set(model.columns.map((c) => nameKey(c.name)));
          const listed = new Set<string>();
          for (const c of columns) {
            // Standard SQL names a column once: of two values for it, neither can be taken.
            if (listed.has(nameKey(c))) throw new SqlRefused(`the column list names ${c} twice`, locateName(text, c, start));
            listed.add(nameKey(c));
            if (nameKey(c) === CHANGE_TYPE_COLUMN || known.has(nameKey(c))) continue;
            const hint = didYouMean(c, model.columns.map((x) => x.name));
            throw new SqlRefused(`model ${model.name} has no column ${c}${hint ? ` (${hint})` : ''}`, locateName(text, c, start));
          }
        }
        const width = columns ? undefined : outputWidth(node.values);
        const withChangeType = columns ? columns.some((c) => nameKey(c) === CHANGE_TYPE_COLUMN) : width === model.columns.length + 1;
        return { text, start, kind: 'insert', model, withChangeType };
      }
      case 'update':
        throw new SqlRefused(
          model
            ? `UPDATE of model ${model.name} is refused: a mirror changes only through change rows. Write the new row with a newer version instead: INSERT INTO ${model.name} SELECT ...`
            : `UPDATE is refused: mdl sql runs SELECT, INSERT INTO a model and DELETE FROM a model`,
        );
      case 'delete': {
        // A precision delete (SPEC section 5): the statement runs against a TEMP view of the model,
        // so it must name the model as it is, without a schema.
        if (target === undefined) throw new SqlRefused(`cannot tell which model this deletes from: ${firstLine(text)}`);
        if (!model) {
          const names = mirror.schema().models.map((m) => m.name);
          const hint = didYouMean(target, names);
          throw new SqlRefused(`the mirror has no model ${target}${hint ? ` (${hint})` : ''}; DELETE FROM is a precision delete from a model`, locateName(text, target, start));
        }
        if (schemaOf(node, name) !== undefined) throw new SqlRefused(`name the model without a schema: DELETE FROM ${model.name} WHERE ...`);
        // An erasure of a whole model, and all that follows from it, is said in so many words.
        if (!node.where) throw new SqlRefused(`a precision delete names the rows it deletes: DELETE FROM ${model.name} WHERE ... (every row: WHERE true)`);
        return { text, start, kind: 'delete', model };
      }
      default:
        throw new SqlRefused(
          `${String(kind ?? 'this statement').toUpperCase()} is refused: mdl sql runs SELECT, INSERT INTO a model and DELETE FROM a model; ` +
            `the mirror's tables change only with mdl push (models) and change rows (data)`,
        );
    }
  });
}

function schemaOf(node: Ast, name: (parsed: string) => string): string | undefined {
  const t = node.table;
  const first = Array.isArray(t) ? (t[0] as { db?: unknown } | undefined) : (t as { db?: unknown } | undefined);
  return typeof first?.db === 'string' ? name(first.db) : undefined;
}

function targetOf(node: Ast, name: (parsed: string) => string): string | undefined {
  const t = node.table;
  const first = Array.isArray(t) ? (t[0] as { table?: unknown } | undefined) : (t as { table?: unknown } | undefined);
  return typeof first?.table === 'string' ? name(first.table) : undefined;
}

/**
 * node-sql-parser cannot read a doubled quote inside a double-quoted name: it reads DELETE FROM
 * "a""b" as the model a aliased b, and refuses INSERT INTO "a""b". The text it is given has each
 * such "" as two U+0001 characters instead (the same length, so that its offsets still point into
 * the statement), and `name` turns the names it gives back into the names SQLite reads. Strings,
 * comments and names in backticks or brackets are left as they are, and so is a statement that
 * holds a U+0001 already (then `name` changes nothing). SQLite runs the statement as written.
 */
const QUOTE_STAND_IN = '\u0001\u0001';
const unchanged = (parsed: string) => parsed;
const restored = (parsed: string) => (parsed.includes(QUOTE_STAND_IN) ? parsed.split(QUOTE_STAND_IN).join('"') : parsed);

function textForParser(sql: string): { text: string; name: (parsed: string) => string } {
  if (!sql.includes('""') || sql.includes('\u0001')) return { text: sql, name: unchanged };
  // A "" inside a name is where one "-quoted part ends and the next begins.
  let out = '';
  let from = 0;
  let previous: SqlPart | undefined;
  for (const part of sqlParts(sql)) {
    if (part.open === '"' && previous?.open === '"' && previous.end === part.start) {
      out += sql.slice(from, part.start - 1) + QUOTE_STAND_IN;
      from = part.start + 1;
    }
    previous = part;
  }
  return from === 0 ? { text: sql, name: unchanged } : { text: out + sql.slice(from), name: restored };
}

/** How many columns each row of an INSERT's source has, when the AST says (undefined for SELECT *). */
function outputWidth(values: unknown): number | undefined {
  const v = values as { type?: string; values?: { value?: unknown[] }[]; columns?: unknown } | undefined;
  if (v?.type === 'values') return v.values?.[0]?.value?.length;
  if (v?.type === 'select' && Array.isArray(v.columns)) {
    const cols = v.columns as { expr?: { column?: unknown } }[];
    return cols.some((c) => c.expr?.column === '*') ? undefined : cols.length;
  }
  return undefined;
}

/**
 * The parts of SQL text that are not code: strings, quoted names (in "", ``, []) and comments,
 * each with where it starts and ends (an unclosed one runs to the end). A doubled quote inside a
 * string or name reads as two parts back to back. The one reading of SQL's lexical structure that
 * splitting statements, the REPL's history and the statement parser's stand-in share.
 */
interface SqlPart {
  readonly kind: 'quoted' | 'line-comment' | 'block-comment';
  /** The opening character: ' " ` [ or - or /. */
  readonly open: string;
  readonly start: number;
  readonly end: number;
}

function* sqlParts(sql: string): Generator<SqlPart> {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const start = i;
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = sql.indexOf(c === '[' ? ']' : c, i + 1);
      i = close < 0 ? sql.length : close + 1;
      yield { kind: 'quoted', open: c, start, end: i };
    } else if (c === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol;
      yield { kind: 'line-comment', open: c, start, end: i };
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
      yield { kind: 'block-comment', open: c, start, end: i };
    } else i++;
  }
}

/** What `sql` ends inside, if it does: a string, a quoted name or a block comment left open. */
export function openAtEnd(sql: string): string | undefined {
  let last: SqlPart | undefined;
  for (const part of sqlParts(sql)) last = part;
  if (!last || last.end < sql.length) return undefined;
  const text = sql.slice(last.start, last.end);
  if (last.kind === 'block-comment') return text.length >= 4 && text.endsWith('*/') ? undefined : 'a comment';
  if (last.kind === 'quoted') {
    const closed = text.length >= 2 && text.endsWith(last.open === '[' ? ']' : last.open);
    return closed ? undefined : last.open === "'" ? 'a string' : 'a quoted name';
  }
  // A line comment ends where the line does.
  return undefined;
}

/** Where the ';' outside strings, quoted names and comments are. */
function terminators(sql: string): number[] {
  const out: number[] = [];
  let from = 0;
  const code = (to: number) => {
    for (let k = sql.indexOf(';', from); k >= 0 && k < to; k = sql.indexOf(';', k + 1)) out.push(k);
  };
  for (const part of sqlParts(sql)) {
    code(part.start);
    from = part.end;
  }
  code(sql.length);
  return out;
}

const blank = /^(--[^\n]*\n?|\/\*[\s\S]*?\*\/|\s)*$/;

/** Statements separated by ';' outside strings, quoted names and comments, each with where it begins. */
function statementsOf(sql: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let from = 0;
  const take = (to: number) => {
    const raw = sql.slice(from, to);
    const text = raw.trim();
    if (text !== '' && !blank.test(text)) out.push({ text, start: from + raw.indexOf(text) });
  };
  for (const end of terminators(sql)) {
    take(end);
    from = end + 1;
  }
  take(sql.length);
  return out;
}

/** Statements separated by ';' outside strings, quoted names and comments. */
export function splitStatements(sql: string): string[] {
  return statementsOf(sql).map((s) => s.text);
}

/**
 * Where the complete statements of `sql` end: just after its last ';' outside strings, quoted
 * names and comments (0 when there is none). What follows is a statement still being typed.
 */
export function completeStatementsEnd(sql: string): number {
  const ends = terminators(sql);
  return ends.length === 0 ? 0 : ends[ends.length - 1]! + 1;
}

/**
 * Lines of SQL as one line with the same meaning, or undefined when there is none: the line breaks
 * become spaces, which is safe only where no break falls inside a string, a quoted name or a `--`
 * comment (that comment would swallow the rest). The REPL keeps a statement typed over several
 * lines as one history entry this way.
 */
export function sqlOnOneLine(lines: readonly string[]): string | undefined {
  const sql = lines.join('\n');
  for (const part of sqlParts(sql)) {
    if (part.kind === 'block-comment') continue;
    // A line comment ends at a break; a string or name must not hold one.
    if (part.kind === 'line-comment' ? part.end < sql.length : sql.slice(part.start, part.end).includes('\n')) return undefined;
  }
  return lines.join(' ');
}

/** Whether the text holds nothing to run: only blanks and comments. */
export function isBlankSql(sql: string): boolean {
  return blank.test(sql);
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n|\r/)[0]!;
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** The row as JSON, integers exact (bigint digits as numbers), a BLOB as x'hex'. */
function rawRow(values: readonly unknown[]): string {
  const item = (v: unknown) =>
    typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? JSON.stringify(`x'${v.toString('hex')}'`) : JSON.stringify(v ?? null);
  return `[${values.map(item).join(',')}]`;
}

function field(v: unknown): RawField | Error {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return new JsonLiteral('number', String(v));
  return new Error('a BLOB value');
}

/**
 * Runs SQL against the mirror: each statement in order, each INSERT its own batch, each DELETE a
 * precision delete (mirror/hygiene.ts). With `dryRun`, INSERTs give the accounting they would
 * and DELETEs their impact per model, but nothing is applied. Every statement is read and checked
 * before the first one runs.
 */
export function runSql(
  mirror: Mirror,
  sql: string,
  options: { dryRun?: boolean; onOutcome?: (outcome: SqlOutcome) => void } = {},
): SqlOutcome[] {
  const planned = plan(mirror, sql);
  const db = mirror.db;
  // Each outcome is also handed to onOutcome as it happens, so that a caller shows what the
  // statements before a failing one did.
  const outcomes: SqlOutcome[] = [];
  const emit = (o: SqlOutcome) => {
    outcomes.push(o);
    options.onOutcome?.(o);
  };
  for (const p of planned) {
    if (p.kind === 'attach') {
      try {
        db.exec(p.text);
      } catch (e) {
        throw sqliteFailure(mirror, p.text, p.start, e as Error);
      }
      emit({ kind: 'attached', sql: p.text });
      continue;
    }
    if (p.kind === 'select') {
      let stmt: Statement;
      try {
        stmt = db.prepare(p.text);
      } catch (e) {
        throw sqliteFailure(mirror, p.text, p.start, e as Error);
      }
      if (!stmt.reader || !stmt.readonly) throw new SqlRefused(`only a read-only SELECT passes through: ${firstLine(p.text)}`);
      stmt.safeIntegers(true);
      let rows: Record<string, unknown>[];
      try {
        rows = stmt.all() as Record<string, unknown>[];
      } catch (e) {
        throw sqliteFailure(mirror, p.text, p.start, e as Error);
      }
      emit({ kind: 'rows', sql: p.text, columns: stmt.columns().map((c) => c.name), rows });
      continue;
    }
    const model = p.model!;
    if (p.kind === 'delete') {
      let report: HygieneReport;
      try {
        report = precisionDelete(mirror, model, p.text, options);
      } catch (e) {
        if (e instanceof HygieneRefused || !(e instanceof MirrorError) || !(e.cause instanceof Error)) throw e;
        throw sqliteFailure(mirror, p.text, p.start, e.cause);
      }
      emit({ kind: 'hygiene', sql: p.text, report });
      continue;
    }
    const capture = captureSql(model.name, model.columns.map((c) => c.name), p.withChangeType === true);
    let captured: unknown[][];
    try {
      for (const s of capture.setup) db.exec(s);
      db.prepare(p.text).run();
      const read = db.prepare(capture.read);
      read.safeIntegers(true);
      read.raw(true);
      captured = read.all() as unknown[][];
    } catch (e) {
      throw sqliteFailure(mirror, p.text, p.start, e as Error);
    } finally {
      for (const s of capture.teardown) db.exec(s);
    }
    const shape = rowShape(model, mirror.watermark(model));
    const rows = batchBuilder(shape);
    const converted = new Array<StoredValue>(model.columns.length);
    const rejects: RejectRow[] = [];
    captured.forEach((values, i) => {
      const fields: (RawField | undefined)[] = [];
      let bad: string | undefined;
      for (let c = 0; c < values.length; c++) {
        const f = field(values[c]);
        if (f instanceof Error) bad = `${c < model.columns.length ? `column ${model.columns[c]!.name}` : CHANGE_TYPE_COLUMN}: ${f.message} cannot be stored`;
        else fields.push(f);
      }
      const input = p.withChangeType
        ? { fields: fields.slice(0, model.columns.length), changeType: fields[model.columns.length], error: bad }
        : { fields, error: bad };
      const op = convertChange(shape, input, converted);
      if (isRejected(op)) rejects.push({ line: null, record: i + 1, raw: rawRow(values), code: op.code, reason: op.reason });
      else rows.add(op, converted);
    });
    if (options.dryRun) emit({ kind: 'planned', sql: p.text, model: model.name, report: mirror.tryBatch(model, rows.finish(), rejects, 'sql') });
    else emit({ kind: 'applied', sql: p.text, report: mirror.applyBatch(model, rows.finish(), rejects, 'sql') });
  }
  return outcomes;
}
