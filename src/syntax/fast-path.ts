/**
 * The syntax stage's fast path: text straight to AST for a file without a syntax error.
 *
 * Most files a build compiles are correct, and for those the Chevrotain pipeline (lexer.ts,
 * parser.ts, to-ast.ts) spends its time building tokens and a CST that are thrown away at once.
 * Its scanner (scan.ts) and this hand-written recursive-descent parser build the same AST
 * directly. It decides nothing about a file with a mistake: at the first thing it does not expect
 * it gives up (returns undefined), and parse.ts runs the Chevrotain pipeline, which recovers,
 * reports every error and is the grammar of record. Giving up is always safe; it only costs time.
 *
 * Invariant, held by tests/fast-path.test.ts: whenever this returns an AST, the Chevrotain
 * pipeline reports no syntax error for the same text and builds an equal AST (spans included).
 * The token rules of scan.ts are those of lexer.ts, the productions below those of parser.ts.
 */

import type { Span } from '../source.js';
import type * as A from './ast.js';
import {
  ACTION, BEHAVIOR, CASCADE, COMMA, COMMENT, CONSTRAINT, CREATE, DEFAULT, DELETE, ends, EOF, EXISTS, FALSE, FOREIGN,
  GIVE_UP, HISTORY, IF, KEY, kinds, LAST_RESERVED, LPAREN, MANY, MODEL, NO, NOT, NULL, NUMBER, ON, ONE, PRIMARY,
  QUOTED, RECORD, REFERENCES, releaseTokens, RESTRICT, RPAREN, scan, SEMICOLON, SERIES, SET, starts, STRING, TIME,
  TIMESTAMP, TO, TRUE, UNIQUE, VERSION, WITH, WORD, type Comment,
} from './scan.js';

export type { Comment };
export { fastPathKeywords } from './scan.js';

export interface FastParse {
  readonly ast: A.SourceUnit;
  readonly comments: readonly Comment[];
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
    releaseTokens();
  }
}

/**
 * The productions over the scanned tokens. check/direct.ts extends it to build resolved models
 * instead of an AST for the productions it makes its own, and reuses the rest.
 */
export class Parser {
  protected p = 0;

  constructor(
    protected readonly file: string,
    protected readonly text: string,
  ) {}

  protected kind(): number {
    return kinds[this.p]! & 0xff;
  }

  /** The keyword of the current token; NONE for a token that is not a keyword. */
  protected keyword(): number {
    // Only a WORD carries keyword bits.
    return kinds[this.p]! >> 8;
  }

  protected nextKind(): number {
    return kinds[this.p + 1]! & 0xff;
  }

  protected nextKeyword(): number {
    return kinds[this.p + 1]! >> 8;
  }

  /** A name: a plain word, a soft keyword or a quoted name. */
  protected isName(): boolean {
    const k = kinds[this.p]!;
    return k === WORD || k === QUOTED || ((k & 0xff) === WORD && k >> 8 > LAST_RESERVED);
  }

  protected expect(kind: number): void {
    if (this.kind() !== kind) throw GIVE_UP;
    this.p++;
  }

  protected expectKeyword(kw: number): void {
    if (this.keyword() !== kw) throw GIVE_UP;
    this.p++;
  }

  protected span(start: number): Span {
    return { file: this.file, start, end: ends[this.p - 1]! };
  }

  sourceUnit(): A.SourceUnit {
    const models: A.ModelDecl[] = [];
    while (this.kind() !== EOF) models.push(this.createModel());
    return { kind: 'source-unit', file: this.file, models };
  }

  protected createModel(): A.ModelDecl {
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

  protected modelElement(): A.Element {
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

  protected foreignKey(start: number): A.ForeignKeyDecl {
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

  protected column(start: number): A.ColumnDecl {
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

  protected dataType(): A.TypeRef {
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

  protected argument(): { text: string; span: Span } {
    if (this.kind() !== NUMBER) throw GIVE_UP;
    const s = starts[this.p]!;
    const e = ends[this.p]!;
    this.p++;
    return { text: this.text.slice(s, e), span: { file: this.file, start: s, end: e } };
  }

  protected columnConstraint(): A.ColumnConstraint {
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

  protected references(): A.ReferencesClause {
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

  protected deleteAction(): A.DeleteActionText {
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

  protected modelOption(): A.ModelOption {
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

  protected literal(): A.Literal {
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

  /** `( item { , item } )`, each item read by `item` (a method of this parser). */
  protected parenthesised<T>(item: (this: this) => T): T[] {
    this.expect(LPAREN);
    const items = [item.call(this)];
    while (this.kind() === COMMA) {
      this.p++;
      items.push(item.call(this));
    }
    this.expect(RPAREN);
    return items;
  }

  /** `( name { , name } )` */
  protected columnList(): A.Ident[] {
    return this.parenthesised(this.name);
  }

  protected name(): A.Ident {
    const s = starts[this.p]!;
    const e = ends[this.p]!;
    const quoted = this.kind() === QUOTED;
    return { text: this.nameText(), quoted, span: { file: this.file, start: s, end: e } };
  }

  /** A name's text (quotes removed, doubled quotes undone), and past it. */
  protected nameText(): string {
    if (!this.isName()) throw GIVE_UP;
    const s = starts[this.p]!;
    const e = ends[this.p]!;
    const quoted = this.kind() === QUOTED;
    this.p++;
    if (!quoted) return this.text.slice(s, e);
    const inner = this.text.slice(s + 1, e - 1);
    return inner.includes('"') ? inner.replace(/""/g, '"') : inner;
  }

  protected stringValue(): string {
    if (this.kind() !== STRING) throw GIVE_UP;
    const inner = this.text.slice(starts[this.p]! + 1, ends[this.p]! - 1);
    this.p++;
    return inner.includes("'") ? inner.replace(/''/g, "'") : inner;
  }
}
