/**
 * Check's direct path: a correct file's text straight to resolved models, with no AST between.
 *
 * A build mostly checks files without a mistake, and for those the AST is made only to be read
 * once by resolve.ts and dropped: for a large schema, most of the objects the front end allocates,
 * and most of its time (collecting them). This parser reads the scanned tokens (syntax/scan.ts)
 * and builds what resolveModel builds from the AST: the model with its columns, keys and options,
 * and its relationships as declared, for Resolver.finish. Productions it does not make its own
 * (FOREIGN KEY and REFERENCES clauses, literals) come from the fast path's Parser, which it extends.
 *
 * It decides nothing about a file with a mistake. At the first thing that is not plainly correct,
 * a syntax error or anything resolving one model on its own would report (a warning included),
 * it gives up, and the caller parses and resolves the file the usual way, which reports it.
 * What only the whole schema shows (a model declared twice, a relationship's target) is resolved
 * after, the same way for both.
 *
 * Invariant, held by tests/direct.test.ts: whenever this returns models, parsing and resolving the
 * same text reports nothing and gives equal models (spans included).
 */

import { Diagnostics } from '../diagnostics/diagnostic.js';
import { nameKey, type Column, type ColumnRef, type ColumnType, type DefaultValue, type Key, type Model } from '../ir.js';
import type { Span } from '../source.js';
import type * as A from '../syntax/ast.js';
import { Parser } from '../syntax/fast-path.js';
import {
  BEHAVIOR, COMMA, COMMENT, CONSTRAINT, CREATE, DEFAULT, ends, EOF, EXISTS, FOREIGN, GIVE_UP, HISTORY, IF, KEY,
  LPAREN, MODEL, NOT, NULL, NUMBER, PRIMARY, QUOTED, RECORD, REFERENCES, releaseTokens, RPAREN, scan,
  SEMICOLON, SERIES, starts, TIME, TIMESTAMP, UNIQUE, VERSION, WITH,
} from '../syntax/scan.js';
import { knownType, literalValue, reservedColumnKey, reservedModelName, resolveType, typeKey, type Draft, type PendingReference } from './resolve.js';

/** One file's models, resolved each on its own; undefined when the file needs the usual path. */
export function resolveDirect(file: string, text: string): Draft[] | undefined {
  try {
    scan(text, file, null);
    return new DirectParser(file, text).sourceDrafts();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  } finally {
    releaseTokens();
  }
}

// Which key a declaration makes; a column's modifiers are also kept as these bits, each once.
const PK = 1;
const VERSION_KEY = 2;
const TIMESTAMP_KEY = 4;
const UNIQUE_KEY = 8;

/** A PRIMARY KEY, VERSION, TIMESTAMP or UNIQUE declaration, resolved once every column is known. */
interface KeyDecl {
  readonly which: number;
  readonly names: readonly string[];
  readonly span: Span;
}

class DirectParser extends Parser {
  sourceDrafts(): Draft[] {
    const drafts: Draft[] = [];
    while (this.kind() !== EOF) drafts.push(this.model());
    return drafts;
  }

  private at(start: number, end: number): Span {
    return { file: this.file, start, end };
  }

  private model(): Draft {
    const start = starts[this.p]!;
    this.expectKeyword(CREATE);
    this.expectKeyword(MODEL);
    if (this.keyword() === IF && this.nextKeyword() === NOT) {
      this.p += 2;
      this.expectKeyword(EXISTS);
    }
    const nameStart = starts[this.p]!;
    const name = this.nameText();
    const nameSpan = this.at(nameStart, ends[this.p - 1]!);
    // The names resolveModel reports.
    if (name === '' || reservedModelName(name) !== undefined) throw GIVE_UP;

    const columns = new Map<string, Column>();
    const ordered: Column[] = [];
    const keys: KeyDecl[] = [];
    const references: PendingReference[] = [];
    this.expect(LPAREN);
    for (;;) {
      this.element(columns, ordered, keys, references);
      const k = this.kind();
      if (k === RPAREN) break;
      if (k !== COMMA) throw GIVE_UP;
      this.p++;
    }
    this.p++;

    let behavior: Model['behavior'] = 'record';
    let history = false;
    let comment: string | null = null;
    let seenOptions = 0;
    while (this.kind() !== SEMICOLON) {
      // Each option once: a repeat is reported.
      let bit: number;
      switch (this.keyword()) {
        case BEHAVIOR:
          this.p++;
          bit = 1;
          if (this.keyword() === RECORD) {
            this.p++;
          } else {
            this.expectKeyword(TIME);
            this.expectKeyword(SERIES);
            behavior = 'time-series';
          }
          break;
        case WITH:
          this.p++;
          this.expectKeyword(HISTORY);
          bit = 2;
          history = true;
          break;
        case COMMENT:
          this.p++;
          bit = 4;
          comment = this.stringValue();
          break;
        default:
          throw GIVE_UP;
      }
      if ((seenOptions & bit) !== 0) throw GIVE_UP;
      seenOptions |= bit;
    }
    this.p++;

    let primaryKey: Key | null = null;
    let version: ColumnRef | null = null;
    let timestamp: ColumnRef | null = null;
    const uniqueKeys: Key[] = [];
    for (const d of keys) {
      const resolved = resolveNames(columns, d.names);
      if (d.which === PK) {
        if (primaryKey) throw GIVE_UP;
        primaryKey = { columns: resolved, span: d.span };
      } else if (d.which === UNIQUE_KEY) {
        uniqueKeys.push({ columns: resolved, span: d.span });
      } else {
        // VERSION and TIMESTAMP name one column, declared once.
        if (resolved.length !== 1) throw GIVE_UP;
        const ref: ColumnRef = { column: resolved[0]!, span: d.span };
        if (d.which === VERSION_KEY) {
          if (version) throw GIVE_UP;
          version = ref;
        } else {
          if (timestamp) throw GIVE_UP;
          timestamp = ref;
        }
      }
    }

    const model: Model = {
      kind: 'model',
      name,
      nameSpan,
      span: this.at(start, ends[this.p - 1]!),
      partial: false,
      behavior,
      history,
      comment,
      columns: ordered,
      primaryKey,
      version,
      timestamp,
      uniqueKeys,
      relationships: [],
    };
    return { model, complete: true, columns, references };
  }

  private element(columns: Map<string, Column>, ordered: Column[], keys: KeyDecl[], references: PendingReference[]): void {
    const start = starts[this.p]!;
    let which = 0;
    switch (this.keyword()) {
      case PRIMARY:
        this.p++;
        this.expectKeyword(KEY);
        which = PK;
        break;
      case UNIQUE:
        this.p++;
        which = UNIQUE_KEY;
        break;
      case VERSION:
        if (this.nextKind() === LPAREN) {
          this.p++;
          which = VERSION_KEY;
        }
        break;
      case TIMESTAMP:
        if (this.nextKind() === LPAREN) {
          this.p++;
          which = TIMESTAMP_KEY;
        }
        break;
      case CONSTRAINT:
      case FOREIGN: {
        const fk = this.foreignKey(start);
        const ref: PendingReference = fk.constraintName
          ? { columns: fk.columns, clause: fk.clause, span: fk.span, constraintName: fk.constraintName }
          : { columns: fk.columns, clause: fk.clause, span: fk.span };
        references.push(ref);
        return;
      }
    }
    if (which !== 0) {
      keys.push({ which, names: this.nameList(), span: this.at(start, ends[this.p - 1]!) });
      return;
    }
    this.resolvedColumn(start, columns, ordered, keys, references);
  }

  /** `( name { , name } )`, the texts only. */
  private nameList(): string[] {
    return this.parenthesised(this.nameText);
  }

  // A column: what resolveColumn makes of its declaration, its key modifiers added to `keys` and
  // its REFERENCES to `references` in the order written, as resolveModel does.
  private resolvedColumn(
    start: number,
    columns: Map<string, Column>,
    ordered: Column[],
    keys: KeyDecl[],
    references: PendingReference[],
  ): void {
    // The column's name starts the element.
    const nameQuoted = this.kind() === QUOTED;
    const name = this.nameText();
    const nameSpan = this.at(start, ends[this.p - 1]!);
    const key = nameKey(name);
    if (name === '' || reservedColumnKey(key) || columns.has(key)) throw GIVE_UP;
    const typeStart = starts[this.p]!;
    const type = this.columnType();
    const typeSpan = this.at(typeStart, ends[this.p - 1]!);

    let nullability = 0; // 1 NOT NULL, 2 NULL
    let defaultValue: DefaultValue | null = null;
    let defaultSpan: Span | null = null;
    let comment: string | null = null;
    let modifiers = 0;
    for (;;) {
      const k = this.kind();
      if (k === COMMA || k === RPAREN) break;
      const at = starts[this.p]!;
      let which = 0;
      switch (this.keyword()) {
        case NOT:
          this.p++;
          this.expectKeyword(NULL);
          if (nullability !== 0) throw GIVE_UP;
          nullability = 1;
          break;
        case NULL:
          this.p++;
          if (nullability !== 0) throw GIVE_UP;
          nullability = 2;
          break;
        case DEFAULT:
          this.p++;
          if (defaultValue) throw GIVE_UP;
          defaultValue = literalValue(this.literal());
          defaultSpan = this.at(at, ends[this.p - 1]!);
          break;
        case PRIMARY:
          this.p++;
          this.expectKeyword(KEY);
          which = PK;
          break;
        case VERSION:
          this.p++;
          which = VERSION_KEY;
          break;
        case TIMESTAMP:
          this.p++;
          which = TIMESTAMP_KEY;
          break;
        case UNIQUE:
          this.p++;
          which = UNIQUE_KEY;
          break;
        case REFERENCES: {
          const clause = this.references();
          const ident: A.Ident = { text: name, quoted: nameQuoted, span: nameSpan };
          references.push({ columns: [ident], clause, span: clause.span });
          break;
        }
        case COMMENT:
          this.p++;
          if (comment !== null) throw GIVE_UP;
          comment = this.stringValue();
          break;
        default:
          throw GIVE_UP;
      }
      if (which !== 0) {
        if ((modifiers & which) !== 0) throw GIVE_UP;
        modifiers |= which;
        keys.push({ which, names: [name], span: this.at(at, ends[this.p - 1]!) });
      }
    }
    // NOT NULL with DEFAULT NULL contradicts itself (NULL with NOT NULL is a repeat above).
    if (nullability === 1 && defaultValue?.kind === 'null') throw GIVE_UP;

    const column: Column = {
      kind: 'column',
      name,
      nameSpan,
      span: this.at(start, ends[this.p - 1]!),
      type,
      typeSpan,
      notNull: nullability === 1,
      default: defaultValue,
      defaultSpan,
      comment,
    };
    columns.set(key, column);
    ordered.push(column);
  }

  /** A column's type, resolved: through resolve.ts's cache, or resolveType for a new spelling. */
  private columnType(): ColumnType {
    const nameToken = this.p;
    const start = starts[nameToken]!;
    // A quoted type name is reported (type names are not quoted).
    if (this.kind() === QUOTED) throw GIVE_UP;
    const name = this.nameText();
    let args: string[] | undefined;
    let argsStart = 0;
    if (this.kind() === LPAREN) {
      this.p++;
      argsStart = this.p;
      args = [this.numberText()];
      if (this.kind() === COMMA) {
        this.p++;
        args.push(this.numberText());
      }
      this.expect(RPAREN);
    }
    const known = knownType(typeKey(name, args ?? NO_ARGS));
    if (known) return known;
    // A spelling not seen yet: resolveType decides, from the type as the AST would have it.
    const argTokens = args ? (args.length === 1 ? [argsStart] : [argsStart, argsStart + 2]) : [];
    const ref: A.TypeRef = {
      name: { text: name, quoted: false, span: this.at(start, ends[nameToken]!) },
      args: argTokens.map((t, i) => ({ text: args![i]!, span: this.at(starts[t]!, ends[t]!) })),
      span: this.at(start, ends[this.p - 1]!),
    };
    const diagnostics = new Diagnostics();
    const type = resolveType(ref, diagnostics);
    if (diagnostics.items.length > 0) throw GIVE_UP;
    return type;
  }

  private numberText(): string {
    if (this.kind() !== NUMBER) throw GIVE_UP;
    const text = this.text.slice(starts[this.p]!, ends[this.p]!);
    this.p++;
    return text;
  }
}

const NO_ARGS: readonly string[] = [];

/** Key column names to the columns' declared spellings; gives up on an unknown or repeated one. */
function resolveNames(columns: ReadonlyMap<string, Column>, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const column = columns.get(nameKey(n));
    if (!column || out.includes(column.name)) throw GIVE_UP;
    out.push(column.name);
  }
  return out;
}
