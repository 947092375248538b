/**
 * `mdl repl --db FILE`: the REPL on node:readline. The session (src/repl/session.ts) does the
 * work; this file is the terminal: prompts, history kept across runs, Tab, Ctrl-C and Ctrl-D.
 * With input that is not a terminal (a pipe, a file) it reads the statements without prompts
 * and exits 1 if any failed, so that it can be scripted.
 */

import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { sqlOnOneLine } from '../ingest/sql.js';
import { Mirror, MirrorError } from '../mirror/mirror.js';
import { ReplSession } from '../repl/session.js';
import { EXIT_ERRORS, EXIT_OK, parse, UsageError, useColor } from './io.js';

export const help = `Usage: mdl repl --db FILE

An interactive SQL session on a mirror (see mdl push), with the statements of
mdl sql: SELECT reads, INSERT INTO a model applies changes, DELETE FROM a model
is a precision delete. A statement ends with ";" and may span lines. Dot
commands (.help lists them) describe the models and show rejects, batches and
a key's history.

On a terminal: Tab completes commands, keywords, models and columns; Up and
Down recall earlier input, kept in ~/.mdl_history (or $MDL_HISTORY), a
statement typed over several lines as one line (unless a string or a --
comment spans a line break); Ctrl-C clears the line; Ctrl-D or .quit leaves.
A statement runs to its end once started: Ctrl-C at the prompt does not
interrupt one that is running.

With piped input (mdl repl --db m.db < script.sql) there are no prompts; a
last statement without ";" runs at the end of the input.

Options:
  --db FILE     the mirror database
  -h, --help    show this help

Exit status: 0; with piped input, 1 if a statement or command failed;
2 usage error.
`;

const PROMPT = 'mdl> ';
const CONTINUE = '...> ';
const HISTORY_SIZE = 1000;

function historyFile(): string {
  return process.env['MDL_HISTORY'] || join(homedir(), '.mdl_history');
}

/** Earlier sessions' lines, newest first, as readline wants them. */
function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

export async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(args, { db: { type: 'string' } });
  const db = values['db'];
  if (typeof db !== 'string') throw new UsageError('--db FILE is required');
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  let mirror: Mirror;
  try {
    mirror = Mirror.open(db, { access: 'read-if-not-writable' });
  } catch (e) {
    if (!(e instanceof MirrorError)) throw e;
    process.stderr.write(`mdl repl: ${e.message}\n`);
    return EXIT_ERRORS;
  }
  try {
    return process.stdin.isTTY ? await interactive(mirror) : await scripted(mirror);
  } finally {
    mirror.close();
  }
}

/** Piped input: every line fed in order, no prompts; exit 1 if anything failed. */
async function scripted(mirror: Mirror): Promise<number> {
  const session = new ReplSession(mirror, {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color: useColor(process.stderr),
  });
  const rl = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
  for await (const line of rl) {
    if (session.line(line) === 'quit') {
      rl.close();
      return session.failures > 0 ? EXIT_ERRORS : EXIT_OK;
    }
  }
  session.finish();
  return session.failures > 0 ? EXIT_ERRORS : EXIT_OK;
}

async function interactive(mirror: Mirror): Promise<number> {
  if (!mirror.writable) process.stderr.write(`${mirror.file} cannot be written here (its file or folder is read-only): open for queries only\n`);
  const file = historyFile();
  const session = new ReplSession(mirror, {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color: useColor(process.stderr),
  });
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    prompt: PROMPT,
    history: loadHistory(file),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string) => session.complete(line),
  });
  // Each line entered is appended to the history file as it is entered, so that a session that
  // ends abruptly keeps what was typed.
  let writable = true;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '', { flag: 'a' });
  } catch {
    writable = false;
  }
  const remember = (line: string) => {
    if (!writable || line.trim() === '') return;
    try {
      appendFileSync(file, line + '\n');
    } catch {
      writable = false;
    }
  };
  // The lines of the statement being typed. Once it is complete, the history holds it as one
  // entry (Up recalls it whole) where it can be written on one line; otherwise line by line.
  let statementLines: string[] = [];
  const completed = () => {
    const lines = statementLines.filter((l) => l.trim() !== '');
    statementLines = [];
    const one = lines.length > 1 ? sqlOnOneLine(lines) : undefined;
    if (one === undefined) {
      for (const l of lines) remember(l);
      return;
    }
    // readline has put each line at the front of its history (newest first); they give way to the
    // statement. (rl.history is readline's own list: Node documents its 'history' event.)
    // A line typed twice in the statement is in front once (removeHistoryDuplicates), so each is
    // looked for among the entries the statement added, not expected in order.
    const history = (rl as unknown as { history: string[] }).history;
    for (const line of new Set(lines)) {
      const at = history.indexOf(line);
      if (at >= 0 && at < lines.length) history.splice(at, 1);
    }
    const earlier = history.indexOf(one);
    if (earlier >= 0) history.splice(earlier, 1);
    history.unshift(one);
    remember(one);
  };
  const prompt = () => {
    rl.setPrompt(session.pending ? CONTINUE : PROMPT);
    rl.prompt();
  };

  process.stdout.write(`mdl ${mirror.file}: ${mirror.schema().models.length} models. Statements end with ";"; .help for more.\n`);
  return new Promise<number>((resolve) => {
    rl.on('line', (line) => {
      const continuing = session.pending;
      if (!continuing) statementLines = [];
      const result = session.line(line);
      if (continuing || session.pending) statementLines.push(line);
      else remember(line);
      if (!session.pending && statementLines.length > 0) completed();
      if (result === 'quit') {
        rl.close();
        return;
      }
      prompt();
    });
    rl.on('SIGINT', () => {
      // Ctrl-C forgets the line and any statement being typed; it does not leave.
      const hadInput = rl.line !== '' || session.pending;
      session.clear();
      statementLines = [];
      // To the end of the line, then erase back to its start: the whole line, wherever the cursor was.
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
      process.stdout.write(hadInput ? '^C\n' : '^C (Ctrl-D or .quit to leave)\n');
      prompt();
    });
    rl.on('close', () => {
      // A statement left unfinished is kept as typed.
      for (const l of statementLines) remember(l);
      process.stdout.write('\n');
      resolve(EXIT_OK);
    });
    prompt();
  });
}
