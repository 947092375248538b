/**
 * The syntax stage's fast path: text straight to AST for a file without a syntax error.
 *
 * Most files a build compiles are correct, and for those the Chevrotain pipeline (lexer.ts,
 * parser.ts, to-ast.ts) spends its time building tokens and a CST that are thrown away at once.
 * This hand-written scanner and recursive-descent parser builds the same AST directly. It decides
 * nothing about a file with a mistake: at the first thing it does not expect it gives up
 * (returns undefined), and parse.ts runs the Chevrotain pipeline, which recovers, reports every
 * error and is the grammar of record. Giving up is always safe; it only costs time.
 *
 * Invariant, held by tests/fast-path.test.ts: whenever this returns an AST, the Chevrotain
 * pipeline reports no syntax error for the same text and builds an equal AST (spans included).
 * The token rules below are those of lexer.ts, the productions those of parser.ts.
 */

import type { Span } from '../source.js';
import type * as A from './ast.js';

/** A comment, kept for the formatter. */
export interface Comment {
  /** As written, `--` or the slash and star included. */
  readonly text: string;
  readonly span: Span;
}

export interface FastParse {
  readonly ast: A.SourceUnit;
  readonly comments: readonly Comment[];
}

// Token kinds.
const EOF = 0;
const WORD = 1;
const QUOTED = 2;
const STRING = 3;
const NUMBER = 4;
const LPAREN = 5;
const RPAREN = 6;
const COMMA = 7;
const SEMICOLON = 8;

// Keywords; a WORD carries one of these or NONE. The first twelve are reserved (never a name).
const NONE = 0;
const CREATE = 1;
const PRIMARY = 2;
const FOREIGN = 3;
const CONSTRAINT = 4;
const UNIQUE = 5;
const REFERENCES = 6;
const NOT = 7;
const NULL = 8;
const DEFAULT = 9;
const ON = 10;
const TRUE = 11;
const FALSE = 12;
const LAST_RESERVED = FALSE;
const MODEL = 13;
const IF = 14;
const EXISTS = 15;
const KEY = 16;
const VERSION = 17;
const TIMESTAMP = 18;
const DELETE = 19;
const CASCADE = 20;
const SET = 21;
const RESTRICT = 22;
const NO = 23;
const ACTION = 24;
const MANY = 25;
const ONE = 26;
const TO = 27;
const BEHAVIOR = 28;
const RECORD = 29;
const TIME = 30;
const SERIES = 31;
const WITH = 32;
const HISTORY = 33;
const COMMENT = 34;

const KEYWORD_IDS: Readonly<Record<string, number>> = {
  CREATE, PRIMARY, FOREIGN, CONSTRAINT, UNIQUE, REFERENCES, NOT, NULL, DEFAULT, ON, TRUE, FALSE,
  MODEL, IF, EXISTS, KEY, VERSION, TIMESTAMP, DELETE, CASCADE, SET, RESTRICT, NO, ACTION, MANY,
  ONE, TO, BEHAVIOR, RECORD, TIME, SERIES, WITH, HISTORY, COMMENT,
};

/** The keywords and which are reserved, for the test that holds them to lexer.ts. */
export const fastPathKeywords = {
  all: Object.keys(KEYWORD_IDS),
  reserved: Object.keys(KEYWORD_IDS).filter((w) => KEYWORD_IDS[w]! <= LAST_RESERVED),
};

const KEYWORDS = new Map<string, number>();
for (const [word, id] of Object.entries(KEYWORD_IDS)) {
  // Both common spellings, so that a word written in one case needs no toUpperCase to look up.
  KEYWORDS.set(word, id);
  KEYWORDS.set(word.toLowerCase(), id);
}
const SHORTEST_KEYWORD = Math.min(...fastPathKeywords.all.map((w) => w.length));
const LONGEST_KEYWORD = Math.max(...fastPathKeywords.all.map((w) => w.length));

/** Thrown to give up; caught in parseFast only. */
const GIVE_UP = new Error('fast path gives up');

/**
 * Token arrays, shared by every call and grown as needed: the fast path is synchronous and not
 * re-entrant, and a file's tokens are dead once its AST is built. Arrays grown past KEPT_TOKENS
 * for a huge file are let go after it.
 */
const INITIAL_TOKENS = 4096;
const KEPT_TOKENS = 1 << 16;
let kinds = new Int32Array(INITIAL_TOKENS);
let starts = new Int32Array(INITIAL_TOKENS);
let ends = new Int32Array(INITIAL_TOKENS);

function grow(): void {
  const size = kinds.length * 2;
  const k = new Int32Array(size);
  k.set(kinds);
  kinds = k;
  const s = new Int32Array(size);
  s.set(starts);
  starts = s;
  const e = new Int32Array(size);
  e.set(ends);
  ends = e;
}

/**
 * kinds[i] packs the token kind (low byte) and, for a WORD, its keyword (above it). Only a WORD
 * ever has bits above the low byte, so `kinds[i] >> 8` is the keyword or NONE for any token.
 */
function scan(text: string, file: string, comments: Comment[]): number {
  const n = text.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // Whitespace: space, \t \n \v \f \r, no-break space, byte-order mark.
    if (c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff) {
      i++;
      continue;
    }
    if (count === kinds.length) grow();
    const start = i;
    let kind: number;
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      let lower = c >= 97;
      let upper = c <= 90 && c >= 65;
      i++;
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d >= 97 && d <= 122) lower = true;
        else if (d >= 65 && d <= 90) upper = true;
        else if (!((d >= 48 && d <= 57) || d === 95)) break;
      }
      let kw = NONE;
      const len = i - start;
      if (len >= SHORTEST_KEYWORD && len <= LONGEST_KEYWORD) {
        const word = text.slice(start, i);
        kw = (lower && upper ? KEYWORDS.get(word.toUpperCase()) : KEYWORDS.get(word)) ?? NONE;
      }
      kind = WORD | (kw << 8);
    } else if (c === 40) {
      kind = LPAREN;
      i++;
    } else if (c === 41) {
      kind = RPAREN;
      i++;
    } else if (c === 44) {
      kind = COMMA;
      i++;
    } else if (c === 59) {
      kind = SEMICOLON;
      i++;
    } else if (c === 39 || c === 34) {
      // 'string' or "quoted name": a doubled quote stands for itself; no line break inside.
      i++;
      for (;;) {
        if (i >= n) throw GIVE_UP;
        const d = text.charCodeAt(i);
        if (d === c) {
          if (text.charCodeAt(i + 1) === c) i += 2;
          else break;
        } else if (d === 10 || d === 13) throw GIVE_UP;
        else i++;
      }
      i++;
      kind = c === 39 ? STRING : QUOTED;
    } else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      // -- comment, to the end of the line.
      i += 2;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 10 || d === 13) break;
        i++;
      }
      comments.push({ text: text.slice(start, i), span: { file, start, end: i } });
      continue;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) throw GIVE_UP;
      i = close + 2;
      comments.push({ text: text.slice(start, i), span: { file, start, end: i } });
      continue;
    } else if ((c >= 48 && c <= 57) || c === 46 || c === 45) {
      i = scanNumber(text, i);
      kind = NUMBER;
    } else {
      throw GIVE_UP;
    }
    kinds[count] = kind;
    starts[count] = start;
    ends[count] = i;
    count++;
  }
  if (count === kinds.length) grow();
  kinds[count] = EOF;
  starts[count] = n;
  ends[count] = n;
  return count;
}

/** -?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)? from `i`; the end offset, or give up if none matches. */
function scanNumber(text: string, i: number): number {
  const isDigit = (at: number) => {
    const d = text.charCodeAt(at);
    return d >= 48 && d <= 57;
  };
  if (text.charCodeAt(i) === 45) i++;
  if (isDigit(i)) {
    while (isDigit(i)) i++;
    if (text.charCodeAt(i) === 46) {
      i++;
      while (isDigit(i)) i++;
    }
  } else if (text.charCodeAt(i) === 46 && isDigit(i + 1)) {
    i++;
    while (isDigit(i)) i++;
  } else {
    throw GIVE_UP;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const sign = text.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (isDigit(j)) {
      while (isDigit(j)) j++;
      i = j;
    }
  }
  return i;
}

/** Text to AST, or undefined when the text is not a correct file (the slow path then reports). */
export function parseFast(file: string, text: string): FastParse | undefined {
  const comments: Comment[] = [];
  try {
    scan(text, file, comments);
    return { ast: new Parser(file, text).sourceUnit(), comments };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  } finally {
    if (kinds.length > KEPT_TOKENS) {
      kinds = new Int32Array(INITIAL_TOKENS);
      starts = new Int32Array(INITIAL_TOKENS);
      ends = new Int32Array(INITIAL_TOKENS);
    }
  }
}

class Parser {
  private p = 0;

  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {}

  private kind(): number {
    return kinds[this.p]! & 0xff;
  }

  /** The keyword of the current token; NONE for a token that is not a keyword. */
  private keyword(): number {
    // Only a WORD carries keyword bits.
    return kinds[this.p]! >> 8;
  }

  private nextKind(): number {
    return kinds[this.p + 1]! & 0xff;
  }

  private nextKeyword(): number {
    return kinds[this.p + 1]! >> 8;
  }

  /** A name: a plain word, a soft keyword or a quoted name. */
  private isName(): boolean {
    const k = kinds[this.p]!;
    return k === WORD || k === QUOTED || ((k & 0xff) === WORD && k >> 8 > LAST_RESERVED);
  }

  private expect(kind: number): void {
    if (this.kind() !== kind) throw GIVE_UP;
    this.p++;
  }

  private expectKeyword(kw: number): void {
    if (this.keyword() !== kw) throw GIVE_UP;
    this.p++;
  }

  private span(start: number): Span {
    return { file: this.file, start, end: ends[this.p - 1]! };
  }

  sourceUnit(): A.SourceUnit {
    const models: A.ModelDecl[] = [];
    while (this.kind() !== EOF) models.push(this.createModel());
    return { kind: 'source-unit', file: this.file, models };
  }

  private createModel(): A.ModelDecl {
    const start = starts[this.p]!;
    this.expectKeyword(CREATE);
    this.expectKeyword(MODEL);
    let ifNotExists = false;
    if (this.keyword() === IF && this.nextKeyword() === NOT) {
      this.p += 2;
      this.expectKeyword(EXISTS);
      ifNotExists = true;
    }
    const name = this.name();
    this.expect(LPAREN);
    const elements: A.Element[] = [this.modelElement()];
    for (;;) {
      const k = this.kind();
      if (k === RPAREN) break;
      if (k !== COMMA) throw GIVE_UP;
      this.p++;
      elements.push(this.modelElement());
    }
    this.expect(RPAREN);
    const options: A.ModelOption[] = [];
    while (this.kind() !== SEMICOLON) options.push(this.modelOption());
    this.p++;
    return { kind: 'model-decl', name, ifNotExists, complete: true, elements, options, span: this.span(start) };
  }

  private modelElement(): A.Element {
    const start = starts[this.p]!;
    switch (this.keyword()) {
      case PRIMARY:
        this.p++;
        this.expectKeyword(KEY);
        return { kind: 'primary-key-decl', columns: this.columnList(), span: this.span(start) };
      case UNIQUE:
        this.p++;
        return { kind: 'unique-decl', columns: this.columnList(), span: this.span(start) };
      case VERSION:
        if (this.nextKind() !== LPAREN) break;
        this.p++;
        return { kind: 'version-decl', columns: this.columnList(), span: this.span(start) };
      case TIMESTAMP:
        if (this.nextKind() !== LPAREN) break;
        this.p++;
        return { kind: 'timestamp-decl', columns: this.columnList(), span: this.span(start) };
      case CONSTRAINT:
      case FOREIGN:
        return this.foreignKey(start);
    }
    return this.column(start);
  }

  private foreignKey(start: number): A.ForeignKeyDecl {
    let constraintName: A.Ident | undefined;
    if (this.keyword() === CONSTRAINT) {
      this.p++;
      constraintName = this.name();
    }
    this.expectKeyword(FOREIGN);
    this.expectKeyword(KEY);
    const columns = this.columnList();
    const clause = this.references();
    const span = this.span(start);
    return constraintName
      ? { kind: 'foreign-key-decl', columns, clause, span, constraintName }
      : { kind: 'foreign-key-decl', columns, clause, span };
  }

  private column(start: number): A.ColumnDecl {
    const name = this.name();
    const type = this.dataType();
    const constraints: A.ColumnConstraint[] = [];
    for (;;) {
      const k = this.kind();
      if (k === COMMA || k === RPAREN) break;
      constraints.push(this.columnConstraint());
    }
    return { kind: 'column-decl', name, type, constraints, span: this.span(start) };
  }

  private dataType(): A.TypeRef {
    const start = starts[this.p]!;
    const name = this.name();
    const args: { text: string; span: Span }[] = [];
    if (this.kind() === LPAREN) {
      this.p++;
      args.push(this.argument());
      if (this.kind() === COMMA) {
        this.p++;
        args.push(this.argument());
      }
      this.expect(RPAREN);
    }
    return { name, args, span: this.span(start) };
  }

  private argument(): { text: string; span: Span } {
    if (this.kind() !== NUMBER) throw GIVE_UP;
    const s = starts[this.p]!;
    const e = ends[this.p]!;
    this.p++;
    return { text: this.text.slice(s, e), span: { file: this.file, start: s, end: e } };
  }

  private columnConstraint(): A.ColumnConstraint {
    const start = starts[this.p]!;
    // PRIMARY KEY (, VERSION (, TIMESTAMP ( and UNIQUE ( open a table constraint after a missing
    // comma: the modifier is taken, and the '(' after it, which starts no modifier, gives up below.
    switch (this.keyword()) {
      case NOT:
        this.p++;
        this.expectKeyword(NULL);
        return { kind: 'not-null', span: this.span(start) };
      case NULL:
        this.p++;
        return { kind: 'nullable', span: this.span(start) };
      case DEFAULT:
        this.p++;
        return { kind: 'default', value: this.literal(), span: this.span(start) };
      case PRIMARY:
        this.p++;
        this.expectKeyword(KEY);
        return { kind: 'primary-key', span: this.span(start) };
      case VERSION:
        this.p++;
        return { kind: 'version', span: this.span(start) };
      case TIMESTAMP:
        this.p++;
        return { kind: 'timestamp', span: this.span(start) };
      case UNIQUE:
        this.p++;
        return { kind: 'unique', span: this.span(start) };
      case REFERENCES: {
        const clause = this.references();
        return { kind: 'references', clause, span: clause.span };
      }
      case COMMENT:
        this.p++;
        return { kind: 'comment', text: this.stringValue(), span: this.span(start) };
      default:
        throw GIVE_UP;
    }
  }

  private references(): A.ReferencesClause {
    const start = starts[this.p]!;
    this.expectKeyword(REFERENCES);
    const target = this.name();
    const columns = this.kind() === LPAREN ? this.columnList() : undefined;
    let cardinality: A.ReferencesClause['cardinality'];
    const from = this.keyword();
    if (from === MANY || from === ONE) {
      const cardStart = starts[this.p]!;
      this.p++;
      this.expectKeyword(TO);
      const to = this.keyword();
      if (to !== MANY && to !== ONE) throw GIVE_UP;
      this.p++;
      cardinality = { from: from === MANY ? 'MANY' : 'ONE', to: to === MANY ? 'MANY' : 'ONE', span: this.span(cardStart) };
    }
    let onDelete: A.ReferencesClause['onDelete'];
    if (this.keyword() === ON) {
      const delStart = starts[this.p]!;
      this.p++;
      this.expectKeyword(DELETE);
      onDelete = { action: this.deleteAction(), span: this.span(delStart) };
    }
    const clause: { -readonly [K in keyof A.ReferencesClause]: A.ReferencesClause[K] } = { target, span: this.span(start) };
    if (columns) clause.columns = columns;
    if (cardinality) clause.cardinality = cardinality;
    if (onDelete) clause.onDelete = onDelete;
    return clause;
  }

  private deleteAction(): A.DeleteActionText {
    switch (this.keyword()) {
      case CASCADE:
        this.p++;
        return 'CASCADE';
      case RESTRICT:
        this.p++;
        return 'RESTRICT';
      case SET:
        this.p++;
        this.expectKeyword(NULL);
        return 'SET NULL';
      case NO:
        this.p++;
        this.expectKeyword(ACTION);
        return 'NO ACTION';
      default:
        throw GIVE_UP;
    }
  }

  private modelOption(): A.ModelOption {
    const start = starts[this.p]!;
    switch (this.keyword()) {
      case BEHAVIOR:
        this.p++;
        if (this.keyword() === RECORD) {
          this.p++;
          return { kind: 'behavior', value: 'RECORD', span: this.span(start) };
        }
        this.expectKeyword(TIME);
        this.expectKeyword(SERIES);
        return { kind: 'behavior', value: 'TIME SERIES', span: this.span(start) };
      case WITH:
        this.p++;
        this.expectKeyword(HISTORY);
        return { kind: 'history', span: this.span(start) };
      case COMMENT:
        this.p++;
        return { kind: 'comment', text: this.stringValue(), span: this.span(start) };
      default:
        throw GIVE_UP;
    }
  }

  private literal(): A.Literal {
    const s = starts[this.p]!;
    const e = ends[this.p]!;
    const span: Span = { file: this.file, start: s, end: e };
    switch (this.kind()) {
      case STRING:
        return { kind: 'string', value: this.stringValue(), span };
      case NUMBER:
        this.p++;
        return { kind: 'number', text: this.text.slice(s, e), span };
    }
    const kw = this.keyword();
    if (kw !== TRUE && kw !== FALSE && kw !== NULL) throw GIVE_UP;
    this.p++;
    if (kw === NULL) return { kind: 'null', span };
    return { kind: 'boolean', value: kw === TRUE, span };
  }

  /** `( name { , name } )` */
  private columnList(): A.Ident[] {
    this.expect(LPAREN);
    const names = [this.name()];
    while (this.kind() === COMMA) {
      this.p++;
      names.push(this.name());
    }
    this.expect(RPAREN);
    return names;
  }

  private name(): A.Ident {
    if (!this.isName()) throw GIVE_UP;
    const s = starts[this.p]!;
    const e = ends[this.p]!;
    const quoted = this.kind() === QUOTED;
    this.p++;
    const span: Span = { file: this.file, start: s, end: e };
    if (!quoted) return { text: this.text.slice(s, e), quoted, span };
    const inner = this.text.slice(s + 1, e - 1);
    return { text: inner.includes('"') ? inner.replace(/""/g, '"') : inner, quoted, span };
  }

  private stringValue(): string {
    if (this.kind() !== STRING) throw GIVE_UP;
    const inner = this.text.slice(starts[this.p]! + 1, ends[this.p]! - 1);
    this.p++;
    return inner.includes("'") ? inner.replace(/''/g, "'") : inner;
  }
}
