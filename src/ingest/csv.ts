/**
 * Ingest, CSV change file to records: RFC 4180 plus what real exports do.
 *
 * Input is a file path (or, for tests and tools, a string). Output is the header's names and an
 * iterable of records, each field as text or null (an empty unquoted field; `""` is the empty
 * string). Typing each field is convert.ts's job; this file only splits text.
 *
 * Invariants:
 * - Memory stays flat however large the file: the text is read in chunks (text.ts) and only the
 *   current record is held.
 * - Chunk boundaries never change the result: every piece of state that straddles a boundary
 *   (a half-read field, a CR whose LF is in the next chunk, a UTF-8 sequence) lives in the
 *   scanner or text.ts, not in the loop over one chunk.
 * - A malformed record is yielded with `error` set, never thrown: a bad row is ordinary input and
 *   is rejected downstream with its line number and raw text. A record that a misplaced quote ran
 *   over several lines is yielded as one malformed record per line, so that every line counts.
 *   A record holding bytes that are not UTF-8 (text.ts) is one malformed record. Only an
 *   unreadable file, a header that is not UTF-8, a file without a header or a record longer
 *   than MAX_RECORD_CHARS (a quote never closed, most likely) throws.
 * - Iterating `records` again reads the file again from the start; nothing is cached.
 */

import { hasNotUtf8, notUtf8Row, notUtf8Where, readTextChunks, shownText, type Decoding } from './text.js';

export interface CsvRecord {
  /** 1-based line number where the record starts in the file. */
  readonly line: number;
  /** 1-based number of the data record (the header is not counted). */
  readonly record: number;
  /** One entry per field: the text, or null for an empty unquoted field. */
  readonly fields: readonly (string | null)[];
  /** The record as written in the file, without its line terminator (for reject reports). */
  readonly raw: string;
  /** Set when the record is malformed (e.g. an unterminated quote at end of file); fields are then best effort. */
  readonly error?: string;
}

export interface CsvFile {
  /** The header row's names, as written (trimmed of surrounding spaces only if unquoted). */
  readonly header: readonly string[];
  readonly records: Iterable<CsvRecord>;
}

export interface ReadOptions {
  /** Bytes per read; tests use tiny sizes to prove that chunk boundaries do not matter. */
  readonly chunkSize?: number;
  /** Told the bytes of each read, as it is read (ingest's progress). */
  readonly onRead?: ((bytes: number) => void) | undefined;
  /** The longest record (CSV) or line (JSON Lines) read, in characters (default MAX_RECORD_CHARS). */
  readonly maxRecordChars?: number;
}

export const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * A record (or JSON Lines line) longer than this, in characters, stops the file with an error:
 * it is almost always a quote that is never closed, or a file that is not line-based at all,
 * and holding it would take memory in proportion to the rest of the file.
 */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

/** A record or line past the limit: the file cannot be read on. */
export class RecordTooLong extends Error {}

/** Reads a CSV file lazily; the header is read at once so that an empty file fails here. */
export function readCsv(path: string, options: ReadOptions = {}): CsvFile {
  // The header pass reads the file's start again; only the records pass counts what it reads.
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  return csvFile((counting, decoding) => readTextChunks(path, chunkSize, counting ? options.onRead : undefined, decoding), path, options.maxRecordChars);
}

/** The same parser over an in-memory string. */
export function parseCsvText(text: string): CsvFile {
  return csvFile(() => [text], 'the text');
}

/** `source` gives the text, and marks `decoding` lossy once it holds NOT_UTF8 (see text.ts). */
function csvFile(source: (counting: boolean, decoding: Decoding) => Iterable<string>, name: string, maxRecord = MAX_RECORD_CHARS): CsvFile {
  let first: Row | undefined;
  const headerDecoding: Decoding = { lossy: false };
  // Breaking out of the loop closes the file; the records pass opens it again.
  for (const row of named(scanRows(source(false, headerDecoding), maxRecord, true), name)) {
    first = row;
    break;
  }
  if (first === undefined) throw new Error(`${name} is empty: a CSV change file starts with a header row`);
  if (first.error !== undefined) throw new Error(`${name}: the header row has an ${first.error}`);
  if (headerDecoding.lossy && hasNotUtf8(first.raw)) throw new Error(`${name}: the header row has ${notUtf8Where(first.raw, first.line)}`);
  const header = first.fields.map((f, i) => (f === null ? '' : first.quoted![i] ? f : f.replace(/^ +| +$/g, '')));
  const width = header.length;
  return {
    header,
    records: {
      *[Symbol.iterator]() {
        let record = -1;
        const decoding: Decoding = { lossy: false };
        for (const row of named(scanRows(source(true, decoding), maxRecord), name)) {
          // Record 0 is the header again: this pass reads the file from the start.
          if (++record === 0) continue;
          if (row.error !== undefined && LINE_BREAK.test(row.raw)) {
            // A quote out of place ran this record over several lines, which are most likely
            // records of their own: each line is rejected as one, so that every line is
            // accounted for and none hides inside another's raw text.
            const lines = (decoding.lossy ? shownText(row.raw) : row.raw).split(LINE_BREAKS);
            for (let k = 0; k < lines.length; k++) {
              if (lines[k] === '') continue;
              const error = k === 0 ? row.error : `inside a quoted field of the record that starts on line ${row.line}, whose quotes do not pair up`;
              yield { line: row.line + k, record: k === 0 ? record : ++record, fields: [], raw: lines[k]!, error };
            }
            continue;
          }
          if (decoding.lossy && hasNotUtf8(row.raw)) {
            yield { line: row.line, record, fields: [], ...notUtf8Row(row.raw, row.line) };
            continue;
          }
          let error = row.error;
          if (error === undefined && row.fields.length !== width) {
            const n = row.fields.length;
            error = `has ${n} field${n === 1 ? '' : 's'}, the header has ${width}`;
          }
          const out: CsvRecord = { line: row.line, record, fields: row.fields, raw: row.raw };
          yield error === undefined ? out : { ...out, error };
        }
      },
    },
  };
}

const LINE_BREAK = /[\r\n]/;
const LINE_BREAKS = /\r\n|\r|\n/;

/** A record as scanned, before it is numbered and checked against the header. */
interface Row {
  readonly line: number;
  readonly fields: (string | null)[];
  /** Per field, whether it was quoted: only the header needs it (to decide what to trim), and only it has it. */
  readonly quoted: boolean[] | undefined;
  readonly raw: string;
  readonly error: string | undefined;
}

/** Rows handed out at a time: few enough that they die young, many enough to amortise the calls. */
const ROWS_PER_SCAN = 64;

/** The rows, a record past the limit reported with the file's name. */
function* named(rows: Generator<Row>, name: string): Generator<Row> {
  try {
    yield* rows;
  } catch (e) {
    if (e instanceof RecordTooLong) throw new RecordTooLong(`${name}: ${e.message}`, { cause: e });
    throw e;
  }
}

function* scanRows(pieces: Iterable<string>, maxRecord: number, header = false): Generator<Row> {
  const scanner = new Scanner(header, maxRecord);
  const out: Row[] = [];
  for (const piece of pieces) {
    let i = 0;
    do {
      i = scanner.push(piece, i, out, ROWS_PER_SCAN);
      yield* out;
      out.length = 0;
    } while (i < piece.length);
  }
  scanner.finish(out);
  yield* out;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

// Where the scanner is within a record.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** Just after a quote inside a quoted field: either a closing quote or the first of a doubled one. */
const QUOTE_SEEN = 3;

/**
 * The state machine. Text is copied out of a piece in runs (slices), not a character at a time;
 * a run that reaches the end of a piece is appended to `field` (or `raw`) and resumes at index 0
 * of the next piece.
 */
class Scanner {
  private state = FIELD_START;
  private started = false;
  /** The previous character was a CR, so an LF now completes the same line terminator. */
  private afterCR = false;
  private inRecord = false;
  private line = 1;
  private recordLine = 1;
  private fields: (string | null)[] = [];
  private quoted: boolean[] | undefined;
  private fieldQuoted = false;
  /** The line on which the current quoted field opened. */
  private quoteLine = 1;
  private field = '';
  private run = 0;
  private raw = '';
  private rawStart = 0;
  private error: string | undefined;

  /** @param header whether to note which fields were quoted (the header's names need it). */
  constructor(
    private readonly header: boolean,
    private readonly maxRecord: number,
  ) {
    if (header) this.quoted = [];
  }

  /**
   * Scans s from `from` until `limit` records are complete or s ends; returns where it stopped
   * (s.length at the end of s, whose unfinished record then carries over to the next piece).
   */
  push(s: string, from: number, out: Row[], limit: number): number {
    if (!this.started && s.length > 0) {
      this.started = true;
      // A BOM is skipped, not removed, so that positions in s stay those of the caller.
      if (s.charCodeAt(0) === 0xfeff) from = 1;
    }
    const n = s.length;
    for (let i = from; i < n; i++) {
      const c = s.charCodeAt(i);
      if (this.afterCR) {
        this.afterCR = false;
        // The LF of a CRLF: inside quotes it is field text (already in the run), outside it
        // belongs to the terminator of a record (or blank line) that ended at the CR.
        if (c === LF) continue;
      }
      if (c === CR) {
        this.line++;
        this.afterCR = true;
      } else if (c === LF) {
        this.line++;
      }
      switch (this.state) {
        case FIELD_START:
          if (c === QUOTE) {
            this.begin(i);
            this.state = QUOTED;
            this.fieldQuoted = true;
            this.quoteLine = this.line;
            this.run = i + 1;
          } else if (c === COMMA) {
            this.begin(i);
            this.endField(null);
          } else if (c === CR || c === LF) {
            // Nothing on the line at all: a blank line, skipped. After a comma: a final null field.
            if (this.inRecord) {
              this.endField(null);
              this.endRecord(s, i, out);
            }
          } else {
            this.begin(i);
            this.state = UNQUOTED;
            this.run = i;
          }
          break;
        case UNQUOTED:
          // A quote here is kept as text: exports that do not quote fields still contain quotes.
          if (c === COMMA) {
            this.endField(this.field + s.slice(this.run, i));
          } else if (c === CR || c === LF) {
            this.endField(this.field + s.slice(this.run, i));
            this.endRecord(s, i, out);
          }
          break;
        case QUOTED:
          if (c === QUOTE) {
            this.field += s.slice(this.run, i);
            this.state = QUOTE_SEEN;
          }
          break;
        case QUOTE_SEEN:
          if (c === QUOTE) {
            // A doubled quote: the second one starts the next run, so it is kept as text.
            this.state = QUOTED;
            this.run = i;
          } else if (c === COMMA) {
            this.endField(this.field);
          } else if (c === CR || c === LF) {
            this.endField(this.field);
            this.endRecord(s, i, out);
          } else {
            // `"ab"c` is kept as `abc`, but flagged: it is how a backslash-escaped quote
            // (`"a\"b"`) looks, and guessing would mirror the wrong text. A quoted field that
            // ran over lines first is more likely a quote missing earlier, which swallowed them.
            this.error ??=
              `unexpected text after the closing quote of field ${this.fields.length + 1}` +
              (this.line > this.quoteLine ? ` (the field runs in quotes from line ${this.quoteLine} to line ${this.line}: a quote may be missing)` : '');
            this.state = UNQUOTED;
            this.run = i;
          }
          break;
      }
      // A record just ended at s[i]: stop once enough are out (a CR's LF is skipped on resuming).
      if (out.length >= limit && !this.inRecord) return i + 1;
    }
    if (this.state === UNQUOTED || this.state === QUOTED) this.field += s.slice(this.run);
    this.run = 0;
    if (this.inRecord) this.raw += s.slice(this.rawStart);
    this.rawStart = 0;
    if (this.raw.length > this.maxRecord) {
      const why = this.state === QUOTED ? `, inside a quoted field that opens on line ${this.quoteLine}: a quote is probably missing` : '';
      throw new RecordTooLong(`the record that starts on line ${this.recordLine} runs past ${this.maxRecord} characters${why}`);
    }
    return n;
  }

  finish(out: Row[]): void {
    if (!this.inRecord) return;
    if (this.state === QUOTED) this.error = 'unterminated quoted field';
    this.endField(this.state === FIELD_START ? null : this.field);
    this.endRecord('', 0, out);
  }

  /** Marks s[i] as the first character of a record, unless one is already open. */
  private begin(i: number): void {
    if (this.inRecord) return;
    this.inRecord = true;
    this.recordLine = this.line;
    this.rawStart = i;
    this.raw = '';
  }

  private endField(value: string | null): void {
    this.fields.push(value);
    this.quoted?.push(this.fieldQuoted);
    this.fieldQuoted = false;
    this.field = '';
    this.state = FIELD_START;
  }

  /** Ends the record whose terminator is at s[i] (or at the end of the text). */
  private endRecord(s: string, i: number, out: Row[]): void {
    const raw = this.raw + s.slice(this.rawStart, i);
    out.push({ line: this.recordLine, fields: this.fields, quoted: this.quoted, raw, error: this.error });
    this.fields = [];
    if (this.header) this.quoted = [];
    this.raw = '';
    this.error = undefined;
    this.inRecord = false;
  }
}
