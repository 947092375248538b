/**
 * The REPL's session, apart from the terminal: lines in, text out. It gathers lines into
 * statements (a statement ends with ';' outside strings, quoted names and comments), runs them
 * as `mdl sql` does, answers dot commands, and completes names. src/cli/repl.ts connects it to
 * node:readline; the tests drive it directly and through piped input.
 */

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findModel, nameKey, type Model, type Relationship } from '../ir.js';
import { MirrorError, type Mirror } from '../mirror/mirror.js';
import { completeStatementsEnd, isBlankSql, runSql, SqlFailed, SqlRefused } from '../ingest/sql.js';
import { countRowsSql, MirrorSql } from '../compile/mirror-sql.js';
import { tableNames } from '../compile/apply.js';
import { keyHistory } from '../mirror/history.js';
import { renderError } from '../diagnostics/render.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { formatOutcome, type OutputFormat } from '../cli/results.js';

export interface ReplOutput {
  /** Results. */
  out(text: string): void;
  /** Errors. */
  err(text: string): void;
  /** Whether errors are coloured. */
  readonly color: boolean;
}

/** What a line did: run something, left a statement unfinished, or asked to quit. */
export type LineResult = 'done' | 'more' | 'quit';

interface DotCommand {
  readonly usage: string;
  readonly summary: string;
  /** What Tab offers for the first argument. */
  readonly argument?: 'model' | 'mode' | 'onoff' | 'file';
  run(args: readonly string[]): LineResult;
}

/** SQL words Tab completes, beside the mirror's names. */
const KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'NULL', 'IS', 'IN', 'LIKE', 'GLOB', 'BETWEEN', 'EXISTS',
  'INSERT', 'INTO', 'VALUES', 'DELETE', 'AS', 'JOIN', 'LEFT', 'INNER', 'CROSS', 'ON', 'USING', 'GROUP', 'BY',
  'HAVING', 'ORDER', 'ASC', 'DESC', 'LIMIT', 'OFFSET', 'DISTINCT', 'UNION', 'ALL', 'WITH', 'CASE', 'WHEN',
  'THEN', 'ELSE', 'END', 'CAST', 'COUNT', 'MIN', 'MAX', 'SUM', 'AVG', 'TRUE', 'FALSE',
];

const DEFAULT_LIMIT = 20;

/** A dot command's words: split at spaces, a word in double or single quotes kept whole; undefined if a quote is not closed. */
export function dotArguments(text: string): string[] | undefined {
  const words: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|'((?:[^']|'')*)'|(\S+))/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    if (m[1] !== undefined) words.push(m[1].replace(/""/g, '"'));
    else if (m[2] !== undefined) words.push(m[2].replace(/''/g, "'"));
    else if (m[3] !== undefined) {
      if (/^["']/.test(m[3])) return undefined;
      words.push(m[3]);
    }
  }
  if (text.slice(re.lastIndex).trim() !== '') return undefined;
  return words;
}

export class ReplSession {
  /** How SELECT results are shown. */
  format: OutputFormat = 'table';
  /** Whether each statement's run time is shown. */
  timer = false;
  /** Statements and dot commands that failed, for the exit status of a script. */
  failures = 0;
  private buffer = '';
  /** What error frames call the text they point into: the input, or the file .read runs. */
  private source = 'input';
  /** .read files being run (resolved paths), innermost last, so that a file that reads itself stops. */
  private readonly reading: string[] = [];
  /** In a .read file: the line being read, and the line the statement being gathered began on. */
  private lineNo = 0;
  private startLine = 1;
  private readonly commands: Record<string, DotCommand>;

  constructor(
    private readonly mirror: Mirror,
    private readonly io: ReplOutput,
  ) {
    this.commands = {
      help: { usage: '.help', summary: 'this list', run: () => this.help() },
      models: { usage: '.models', summary: 'the models, with their rows, keys and versions', run: () => this.models() },
      describe: { usage: '.describe MODEL', summary: 'columns, key, version and relationships of a model', argument: 'model', run: (a) => this.describe(a) },
      rejects: { usage: '.rejects [N]', summary: `the latest rejected rows (${DEFAULT_LIMIT} unless N), newest first`, run: (a) => this.latest(a, MirrorSql.recentRejects) },
      batches: { usage: '.batches [N]', summary: `the latest batches and their counts (${DEFAULT_LIMIT} unless N), newest first`, run: (a) => this.latest(a, MirrorSql.recentBatches) },
      history: { usage: '.history MODEL KEY...', summary: "a key's versions with their intervals (a model WITH HISTORY)", argument: 'model', run: (a) => this.history(a) },
      mode: { usage: '.mode table|json|csv', summary: 'how results are shown', argument: 'mode', run: (a) => this.mode(a) },
      timer: { usage: '.timer on|off', summary: 'show how long each statement took', argument: 'onoff', run: (a) => this.setTimer(a) },
      read: { usage: '.read FILE', summary: 'run the statements in FILE', argument: 'file', run: (a) => this.read(a) },
      quit: { usage: '.quit', summary: 'leave (so does Ctrl-D)', run: () => 'quit' },
    };
  }

  /** Whether part of a statement is waiting for more lines. */
  get pending(): boolean {
    return this.buffer !== '';
  }

  /** Forgets the statement being typed (Ctrl-C). */
  clear(): void {
    this.buffer = '';
  }

  /** One line of input. */
  line(text: string): LineResult {
    this.lineNo++;
    if (this.buffer === '') this.startLine = this.lineNo;
    if (this.buffer === '' && text.trimStart().startsWith('.')) return this.dot(text.trim());
    this.buffer += (this.buffer === '' ? '' : '\n') + text;
    const end = completeStatementsEnd(this.buffer);
    if (end === 0) {
      if (isBlankSql(this.buffer)) this.buffer = '';
      return this.buffer === '' ? 'done' : 'more';
    }
    const complete = this.buffer.slice(0, end);
    const rest = this.buffer.slice(end);
    this.buffer = isBlankSql(rest) ? '' : rest.replace(/^\s*\n/, '');
    this.sql(complete);
    return this.buffer === '' ? 'done' : 'more';
  }

  /** The end of input: a statement left without its ';' is run all the same. */
  finish(): void {
    const rest = this.buffer;
    this.buffer = '';
    if (!isBlankSql(rest)) this.sql(rest);
  }

  /** Runs statements and shows what each gave, or the error with a frame pointing into them. */
  sql(text: string): void {
    const started = performance.now();
    try {
      // Each result is shown as its statement completes: a later failure does not hide it.
      runSql(this.mirror, text, { onOutcome: (o) => this.io.out(formatOutcome(o, this.format)) });
    } catch (e) {
      if (!(e instanceof MirrorError)) throw e;
      this.fail(e, text);
      return;
    }
    if (this.timer) this.io.out(`Run Time: ${(performance.now() - started).toFixed(3)} ms\n`);
  }

  private fail(e: MirrorError, text: string): void {
    this.failures++;
    const at = e instanceof SqlRefused || e instanceof SqlFailed ? e.at : undefined;
    // In a file, lines count from the file's first; typed input counts from the statement's.
    const pad = this.reading.length > 0 ? '\n'.repeat(this.startLine - 1) : '';
    const start = at ? pad.length + at.start + at.offset : 0;
    const where = at ? { source: { path: this.source, text: pad + text }, start, end: start + at.length } : undefined;
    this.io.err(renderError(e.message, where, this.io.color));
  }

  private error(message: string): LineResult {
    this.failures++;
    this.io.err(renderError(message, undefined, this.io.color));
    return 'done';
  }

  private dot(text: string): LineResult {
    const words = dotArguments(text.slice(1));
    if (words === undefined) return this.error(`a quote is not closed: ${text}`);
    const [word, ...args] = words;
    const name = (word ?? '').toLowerCase();
    const command = this.commands[name === 'exit' ? 'quit' : name];
    if (!command) {
      const hint = didYouMean(name, Object.keys(this.commands));
      return this.error(`unknown command .${word ?? ''}${hint ? ` (${hint.replace(/(\w+)\?$/, '.$1?')})` : ''}; .help lists them`);
    }
    try {
      return command.run(args);
    } catch (e) {
      // A mistake of the command's (MirrorError) or of SQLite's, reported; a session goes on.
      if (!(e instanceof MirrorError) && !(e instanceof Error && /^SQLITE_/.test(String((e as { code?: unknown }).code)))) throw e;
      return this.error(e.message);
    }
  }

  private show(columns: readonly string[], rows: readonly Record<string, unknown>[]): LineResult {
    this.io.out(formatOutcome({ kind: 'rows', sql: '', columns, rows }, this.format));
    return 'done';
  }

  private help(): LineResult {
    const width = Math.max(...Object.values(this.commands).map((c) => c.usage.length));
    const lines = Object.values(this.commands).map((c) => `${c.usage.padEnd(width)}  ${c.summary}`);
    this.io.out(
      [
        'Statements end with ";" and may span lines:',
        '  SELECT ...                          read the mirror',
        '  INSERT INTO model ... SELECT|VALUES apply rows as a batch of changes',
        '  DELETE FROM model WHERE ...         a precision delete (follows ON DELETE)',
        '',
        ...lines,
        '',
        'Tab completes commands, keywords, models and columns; Ctrl-C clears the line.',
      ].join('\n') + '\n',
    );
    return 'done';
  }

  private model(name: string | undefined, usage: string): Model {
    if (name === undefined) throw new MirrorError(`usage: ${usage}`);
    const model = this.mirror.model(name);
    if (model) return model;
    const hint = didYouMean(name, this.mirror.schema().models.map((m) => m.name));
    throw new MirrorError(`the mirror has no model ${name}${hint ? ` (${hint})` : ''}`);
  }

  private models(): LineResult {
    const rows = this.mirror.schema().models.map((m) => ({
      model: m.name,
      rows: (this.mirror.db.prepare(countRowsSql(tableNames(m).table)).get() as { n: number }).n,
      key: m.primaryKey!.columns.join(', '),
      version: m.version!.column,
      behavior: m.behavior === 'time-series' ? `time series (${m.timestamp!.column})` : 'record',
      history: m.history ? 'yes' : 'no',
    }));
    return this.show(['model', 'rows', 'key', 'version', 'behavior', 'history'], rows);
  }

  private describe(args: readonly string[]): LineResult {
    const model = this.model(args[0], this.commands['describe']!.usage);
    const key = new Set(model.primaryKey!.columns.map(nameKey));
    const marks = (column: string) => {
      const m: string[] = [];
      if (key.has(nameKey(column))) m.push('key');
      if (nameKey(column) === nameKey(model.version!.column)) m.push('version');
      if (model.timestamp && nameKey(column) === nameKey(model.timestamp.column)) m.push('timestamp');
      for (const u of model.uniqueKeys) if (u.columns.some((c) => nameKey(c) === nameKey(column))) m.push(`unique (${u.columns.join(', ')})`);
      for (const r of model.relationships) if (r.columns.some((c) => nameKey(c) === nameKey(column))) m.push(`-> ${r.target}`);
      return m.join(', ');
    };
    const title =
      `${model.name}: ${model.behavior === 'time-series' ? 'time series' : 'record'}` +
      `${model.history ? ', WITH HISTORY' : ''}${model.comment ? ` -- ${model.comment}` : ''}\n`;
    this.io.out(title);
    this.show(
      ['column', 'type', 'null', 'role', 'comment'],
      model.columns.map((c) => ({ column: c.name, type: c.type.spelled, null: c.notNull ? 'NOT NULL' : '', role: marks(c.name), comment: c.comment ?? '' })),
    );
    const schema = this.mirror.schema();
    const rels: Record<string, unknown>[] = [];
    const row = (child: Model, r: Relationship) => ({
      from: `${child.name} (${r.columns.join(', ')})`,
      to: `${findModel(schema, r.target)?.name ?? r.target} (${r.targetColumns.join(', ')})`,
      cardinality: `${r.cardinality.replace(/-/g, ' ').toUpperCase()} (${r.notation})`,
      'on delete': r.onDelete.replace('-', ' ').toUpperCase(),
    });
    for (const r of model.relationships) rels.push(row(model, r));
    for (const other of schema.models) {
      for (const r of other.relationships) if (nameKey(r.target) === nameKey(model.name) && other !== model) rels.push(row(other, r));
    }
    if (rels.length > 0) this.show(['from', 'to', 'cardinality', 'on delete'], rels);
    return 'done';
  }

  private latest(args: readonly string[], sql: string): LineResult {
    if (args[0] !== undefined && !/^[1-9]\d{0,6}$/.test(args[0])) return this.error(`give a number of rows from 1 to 9999999, not ${args[0]}`);
    const n = args[0] === undefined ? DEFAULT_LIMIT : Number(args[0]);
    const stmt = this.mirror.db.prepare(sql);
    return this.show(
      stmt.columns().map((c) => c.name),
      stmt.all(n) as Record<string, unknown>[],
    );
  }

  private history(args: readonly string[]): LineResult {
    const model = this.model(args[0], this.commands['history']!.usage);
    return this.show(
      [...model.columns.map((c) => c.name), 'valid_from', 'valid_to'],
      keyHistory(this.mirror, model.name, args.slice(1)),
    );
  }

  private mode(args: readonly string[]): LineResult {
    const m = args[0];
    if (m !== 'table' && m !== 'json' && m !== 'csv') return this.error(`usage: ${this.commands['mode']!.usage}`);
    this.format = m;
    return 'done';
  }

  private setTimer(args: readonly string[]): LineResult {
    if (args[0] !== 'on' && args[0] !== 'off') return this.error(`usage: ${this.commands['timer']!.usage}`);
    this.timer = args[0] === 'on';
    return 'done';
  }

  /** Runs a file as if typed: statements and dot commands, line by line; a last statement without ';' too. */
  private read(args: readonly string[]): LineResult {
    if (args.length !== 1) return this.error(`usage: ${this.commands['read']!.usage} (quote a name with spaces)`);
    const file = args[0]!;
    if (this.reading.length >= 16 || this.reading.includes(resolve(file))) return this.error(`.read ${file}: it is already being read (a file that reads itself)`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      return this.error(`cannot read ${file}: ${(e as Error).message}`);
    }
    const outer = { buffer: this.buffer, source: this.source, lineNo: this.lineNo };
    this.buffer = '';
    this.source = file;
    this.lineNo = 0;
    this.reading.push(resolve(file));
    try {
      for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n|\r/)) {
        if (this.line(line) === 'quit') break;
      }
      this.finish();
    } finally {
      this.reading.pop();
      this.buffer = outer.buffer;
      this.source = outer.source;
      this.lineNo = outer.lineNo;
    }
    return 'done';
  }

  /**
   * Completion for the text before the cursor on the current line, readline's way: the
   * candidates, and the part of the line they replace.
   */
  complete(line: string): [string[], string] {
    const dot = this.buffer === '' ? /^\s*\.(\w*)$/.exec(line) : null;
    if (dot) {
      const names = [...Object.keys(this.commands), 'exit'].filter((n) => n.startsWith(dot[1]!.toLowerCase()));
      return [names.map((n) => `.${n}`), `.${dot[1]}`];
    }
    const arg = this.buffer === '' ? /^\s*\.(\w+)\s+(\S*)$/.exec(line) : null;
    if (arg) {
      const command = this.commands[arg[1]!.toLowerCase()];
      const word = arg[2]!;
      const options =
        command?.argument === 'model' ? this.mirror.schema().models.map((m) => m.name)
        : command?.argument === 'mode' ? ['table', 'json', 'csv']
        : command?.argument === 'onoff' ? ['on', 'off']
        : [];
      return [options.filter((o) => o.toLowerCase().startsWith(word.toLowerCase())), word];
    }
    const word = /[\w$.]*$/.exec(line)![0];
    const dotAt = word.lastIndexOf('.');
    if (dotAt > 0) {
      // model.column (or alias.column: then every model's columns).
      const prefix = word.slice(0, dotAt + 1);
      const partial = word.slice(dotAt + 1);
      const model = this.mirror.model(word.slice(0, dotAt));
      const columns = model ? model.columns.map((c) => c.name) : this.allColumns();
      return [columns.filter((c) => c.toLowerCase().startsWith(partial.toLowerCase())).map((c) => prefix + c), word];
    }
    if (word === '') return [[], word];
    const lower = word === word.toLowerCase();
    const keywords = KEYWORDS.map((k) => (lower ? k.toLowerCase() : k));
    const names = new Set([...this.tables(), ...this.allColumns()]);
    const candidates = [...keywords, ...names].filter((c) => c.toLowerCase().startsWith(word.toLowerCase()));
    return [[...new Set(candidates)].sort(), word];
  }

  /** The tables and views a person may read: each model's, its companions, and the ledgers. */
  private tables(): string[] {
    const out: string[] = [];
    for (const m of this.mirror.schema().models) {
      const t = tableNames(m);
      out.push(t.table, t.tombstones);
      if (m.history) out.push(t.history);
    }
    return [...out, '_mdl_rejects', '_mdl_batches', '_mdl_hygiene', '_mdl_models'];
  }

  private allColumns(): string[] {
    return [...new Set(this.mirror.schema().models.flatMap((m) => m.columns.map((c) => c.name)))];
  }
}

