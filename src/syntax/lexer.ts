/**
 * Stage 1, text to tokens (Chevrotain lexer).
 *
 * Keywords are case-insensitive. Only the keywords that open a piece of structure are reserved
 * (CREATE, PRIMARY, FOREIGN, CONSTRAINT, UNIQUE, REFERENCES, NOT, NULL, DEFAULT, ON, TRUE, FALSE);
 * every other keyword is "soft": it belongs to the Identifier category, so `version`, `date`,
 * `key` or `comment` can name a column without quotes. Type names are plain identifiers too,
 * resolved by the checker, which can then say "unknown type VARCHR, did you mean VARCHAR?".
 *
 * Comments go to the `comments` group (kept for the formatter). An unclosed block comment goes to
 * the `errors` group; an unclosed string or quoted name runs to the end of its line and is parsed
 * as if closed there (parse.ts reports it once, and drops the errors it causes).
 */

import { chevrotain, type IToken, type TokenType } from './chevrotain.js';

/** The token types, defined once, on first use (Chevrotain is loaded only when needed). */
export function tokens(): Tokens {
  return (defined ??= defineTokens());
}

export type Tokens = ReturnType<typeof defineTokens>;
let defined: Tokens | undefined;

function defineTokens() {
  const { createToken, Lexer } = chevrotain();

  const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

  function keyword(word: string, soft: boolean): TokenType {
    return createToken({
      name: word,
      pattern: new RegExp(word, 'i'),
      longer_alt: Identifier,
      ...(soft ? { categories: [Identifier] } : {}),
    });
  }

  // Reserved: may name something only when double-quoted.
  const Create = keyword('CREATE', false);
  const Primary = keyword('PRIMARY', false);
  const Foreign = keyword('FOREIGN', false);
  const Constraint = keyword('CONSTRAINT', false);
  const Unique = keyword('UNIQUE', false);
  const References = keyword('REFERENCES', false);
  const Not = keyword('NOT', false);
  const Null = keyword('NULL', false);
  const Default = keyword('DEFAULT', false);
  const On = keyword('ON', false);
  const True = keyword('TRUE', false);
  const False = keyword('FALSE', false);

  // Soft: keywords where the grammar expects them, names everywhere else.
  const Model = keyword('MODEL', true);
  const If = keyword('IF', true);
  const Exists = keyword('EXISTS', true);
  const Key = keyword('KEY', true);
  const Version = keyword('VERSION', true);
  const Timestamp = keyword('TIMESTAMP', true);
  const Delete = keyword('DELETE', true);
  const Cascade = keyword('CASCADE', true);
  const SetKw = keyword('SET', true);
  const Restrict = keyword('RESTRICT', true);
  const No = keyword('NO', true);
  const Action = keyword('ACTION', true);
  const Many = keyword('MANY', true);
  const One = keyword('ONE', true);
  const To = keyword('TO', true);
  const Behavior = keyword('BEHAVIOR', true);
  const Record = keyword('RECORD', true);
  const Time = keyword('TIME', true);
  const Series = keyword('SERIES', true);
  const With = keyword('WITH', true);
  const History = keyword('HISTORY', true);
  const Comment = keyword('COMMENT', true);

  // A quoted name is a name wherever one is expected: it belongs to the Identifier category.
  const QuotedIdentifier = createToken({ name: 'QuotedIdentifier', pattern: /"(?:[^"\r\n]|"")*"/, categories: [Identifier] });
  const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^'\r\n]|'')*'/ });
  const NumberLiteral = createToken({
    name: 'NumberLiteral',
    pattern: /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  });
  const LParen = createToken({ name: 'LParen', pattern: '(' });
  const RParen = createToken({ name: 'RParen', pattern: ')' });
  const Comma = createToken({ name: 'Comma', pattern: ',' });
  const Semicolon = createToken({ name: 'Semicolon', pattern: ';' });

  const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\uFEFF\u00A0]+/, group: Lexer.SKIPPED });
  const LineComment = createToken({ name: 'LineComment', pattern: /--[^\r\n]*/, group: 'comments' });
  const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments' });

  // Malformed tokens, matched so that one mistake is one message. An unclosed string or quoted
  // name runs to the end of its line and then stands in for a closed one (it belongs to that
  // token's category), so the parse goes on as if the quote had been there.
  const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, group: 'errors' });
  const UnterminatedString = createToken({
    name: 'UnterminatedString',
    pattern: /'(?:[^'\r\n]|'')*/,
    categories: [StringLiteral],
  });
  const UnterminatedIdentifier = createToken({
    name: 'UnterminatedIdentifier',
    pattern: /"(?:[^"\r\n]|"")*/,
    categories: [QuotedIdentifier, Identifier],
  });

  const keywordTokens: readonly TokenType[] = [
    Create, Primary, Foreign, Constraint, Unique, References, Not, Null, Default, On, True, False,
    Model, If, Exists, Key, Version, Timestamp, Delete, Cascade, SetKw, Restrict, No, Action, Many, One,
    To, Behavior, Record, Time, Series, With, History, Comment,
  ];

  const reservedWords: ReadonlySet<string> = new Set(
    [Create, Primary, Foreign, Constraint, Unique, References, Not, Null, Default, On, True, False].map((t) => t.name),
  );

  const allTokens: readonly TokenType[] = [
    WhiteSpace,
    LineComment,
    BlockComment,
    UnterminatedComment,
    StringLiteral,
    UnterminatedString,
    QuotedIdentifier,
    UnterminatedIdentifier,
    NumberLiteral,
    LParen,
    RParen,
    Comma,
    Semicolon,
    // Longest first, so that ON does not take the first two letters of ONE.
    ...[...keywordTokens].sort((a, b) => b.name.length - a.name.length),
    Identifier,
  ];

  return { Identifier, Create, Primary, Foreign, Constraint, Unique, References, Not, Null, Default, On, True, False, Model, If, Exists, Key, Version, Timestamp, Delete, Cascade, SetKw, Restrict, No, Action, Many, One, To, Behavior, Record, Time, Series, With, History, Comment, QuotedIdentifier, StringLiteral, NumberLiteral, LParen, RParen, Comma, Semicolon, WhiteSpace, LineComment, BlockComment, UnterminatedComment, UnterminatedString, UnterminatedIdentifier, keywordTokens, reservedWords, allTokens };
}

let lexerInstance: InstanceType<ReturnType<typeof chevrotain>['Lexer']> | undefined;

function lexer() {
  const T = tokens();
  lexerInstance ??= new (chevrotain().Lexer)([...T.allTokens], {
    positionTracking: 'onlyOffset',
    ensureOptimizations: true,
  });
  return lexerInstance;
}

export interface TokenizeResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  /** Malformed tokens (unclosed strings, names and comments), in no particular order. */
  readonly malformed: IToken[];
  /** Characters no token starts with: offset and length. */
  readonly unexpected: readonly { readonly offset: number; readonly length: number }[];
}

export function tokenize(text: string): TokenizeResult {
  const T = tokens();
  const result = lexer().tokenize(text);
  const malformed = [...(result.groups['errors'] ?? [])];
  for (const t of result.tokens) {
    // Tracking only start offsets is the lexer's fastest mode; the end is cheap to add here, and
    // with it the parser records where every CST node ends.
    t.endOffset = t.startOffset + t.image.length - 1;
    if (t.tokenType === T.UnterminatedString || t.tokenType === T.UnterminatedIdentifier) malformed.push(t);
  }
  return {
    tokens: result.tokens,
    comments: result.groups['comments'] ?? [],
    malformed,
    unexpected: result.errors.map((e) => ({ offset: e.offset, length: e.length })),
  };
}
