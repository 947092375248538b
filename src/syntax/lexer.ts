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

import { createToken, Lexer, type IToken, type TokenType } from './chevrotain.js';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

function keyword(word: string, soft: boolean): TokenType {
  return createToken({
    name: word,
    pattern: new RegExp(word, 'i'),
    longer_alt: Identifier,
    ...(soft ? { categories: [Identifier] } : {}),
  });
}

// Reserved: may name something only when double-quoted.
export const Create = keyword('CREATE', false);
export const Primary = keyword('PRIMARY', false);
export const Foreign = keyword('FOREIGN', false);
export const Constraint = keyword('CONSTRAINT', false);
export const Unique = keyword('UNIQUE', false);
export const References = keyword('REFERENCES', false);
export const Not = keyword('NOT', false);
export const Null = keyword('NULL', false);
export const Default = keyword('DEFAULT', false);
export const On = keyword('ON', false);
export const True = keyword('TRUE', false);
export const False = keyword('FALSE', false);

// Soft: keywords where the grammar expects them, names everywhere else.
export const Model = keyword('MODEL', true);
export const If = keyword('IF', true);
export const Exists = keyword('EXISTS', true);
export const Key = keyword('KEY', true);
export const Version = keyword('VERSION', true);
export const Timestamp = keyword('TIMESTAMP', true);
export const Delete = keyword('DELETE', true);
export const Cascade = keyword('CASCADE', true);
export const SetKw = keyword('SET', true);
export const Restrict = keyword('RESTRICT', true);
export const No = keyword('NO', true);
export const Action = keyword('ACTION', true);
export const Many = keyword('MANY', true);
export const One = keyword('ONE', true);
export const To = keyword('TO', true);
export const Behavior = keyword('BEHAVIOR', true);
export const Record = keyword('RECORD', true);
export const Time = keyword('TIME', true);
export const Series = keyword('SERIES', true);
export const With = keyword('WITH', true);
export const History = keyword('HISTORY', true);
export const Comment = keyword('COMMENT', true);

// A quoted name is a name wherever one is expected: it belongs to the Identifier category.
export const QuotedIdentifier = createToken({ name: 'QuotedIdentifier', pattern: /"(?:[^"\r\n]|"")*"/, categories: [Identifier] });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^'\r\n]|'')*'/ });
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
});
export const LParen = createToken({ name: 'LParen', pattern: '(' });
export const RParen = createToken({ name: 'RParen', pattern: ')' });
export const Comma = createToken({ name: 'Comma', pattern: ',' });
export const Semicolon = createToken({ name: 'Semicolon', pattern: ';' });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\uFEFF\u00A0]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\r\n]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments' });

// Malformed tokens, matched so that one mistake is one message. An unclosed string or quoted
// name runs to the end of its line and then stands in for a closed one (it belongs to that
// token's category), so the parse goes on as if the quote had been there.
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, group: 'errors' });
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /'(?:[^'\r\n]|'')*/,
  categories: [StringLiteral],
});
export const UnterminatedIdentifier = createToken({
  name: 'UnterminatedIdentifier',
  pattern: /"(?:[^"\r\n]|"")*/,
  categories: [QuotedIdentifier, Identifier],
});

export const keywordTokens: readonly TokenType[] = [
  Create, Primary, Foreign, Constraint, Unique, References, Not, Null, Default, On, True, False,
  Model, If, Exists, Key, Version, Timestamp, Delete, Cascade, SetKw, Restrict, No, Action, Many, One,
  To, Behavior, Record, Time, Series, With, History, Comment,
];

export const reservedWords: ReadonlySet<string> = new Set(
  [Create, Primary, Foreign, Constraint, Unique, References, Not, Null, Default, On, True, False].map((t) => t.name),
);

export const allTokens: readonly TokenType[] = [
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

const lexer = new Lexer([...allTokens], {
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
});

export interface TokenizeResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  /** Malformed tokens (unclosed strings, names and comments), in no particular order. */
  readonly malformed: IToken[];
  /** Characters no token starts with: offset and length. */
  readonly unexpected: readonly { readonly offset: number; readonly length: number }[];
}

export function tokenize(text: string): TokenizeResult {
  const result = lexer.tokenize(text);
  const malformed = [...(result.groups['errors'] ?? [])];
  for (const t of result.tokens) {
    // Tracking only start offsets is the lexer's fastest mode; the end is cheap to add here, and
    // with it the parser records where every CST node ends.
    t.endOffset = t.startOffset + t.image.length - 1;
    if (t.tokenType === UnterminatedString || t.tokenType === UnterminatedIdentifier) malformed.push(t);
  }
  return {
    tokens: result.tokens,
    comments: result.groups['comments'] ?? [],
    malformed,
    unexpected: result.errors.map((e) => ({ offset: e.offset, length: e.length })),
  };
}
