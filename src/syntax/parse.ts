/**
 * The syntax stage as one call: text to AST, with every lexical and syntax error reported.
 *
 * Two paths. A correct file takes the fast path (fast-path.ts), straight from text to AST. A
 * file the fast path gives up on goes through Chevrotain (lexer.ts, parser.ts, to-ast.ts), which
 * recovers from each mistake and reports them all; it is the grammar of record, and the two are
 * held to the same AST by tests/fast-path.test.ts.
 *
 * Never throws for any input (a property test holds it to that). Chevrotain's exceptions become
 * catalogued diagnostics in the language's own words, and three rules keep one mistake to one
 * message:
 *  - among the syntax errors of one segment (the text between two `,`, `;` or CREATE), only the
 *    first is reported: independent mistakes sit in different elements or statements, while the
 *    errors recovery stumbles over right after a mistake sit beside it;
 *  - an error just after an unclosed string or quoted name is dropped (the token it looks for
 *    was swallowed), and so is every error after an unclosed block comment;
 *  - an element with a syntax error inside it is left out of the AST (to-ast.ts), and a model
 *    whose parentheses hold an error is marked incomplete, so that the checker does not report
 *    what recovery made of it, nor what seems missing from it.
 */

import type { SourceFile, Span } from '../source.js';
import type { Diagnostics } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { chevrotain, type CstNode, type IRecognitionException, type IToken } from './chevrotain.js';
import { tokens as tokenTypes, tokenize } from './lexer.js';
import { parserInstance } from './parser.js';
import { decodeMessage, describeToken } from './messages.js';
import { lastToken, toAst } from './to-ast.js';
import type { SourceUnit } from './ast.js';
import { parseFast, type Comment } from './fast-path.js';

export interface ParseResult {
  readonly ast: SourceUnit;
  /** Comments in source order, for the formatter. */
  readonly comments: readonly Comment[];
}

export type { Comment };

interface SyntaxError {
  readonly span: Span;
  readonly expected: string;
  readonly found: string;
  /** The token the parser stumbled on, when there is one. */
  readonly token?: IToken;
  /** 0 for the parser's own errors, 1 for a missing comma inferred afterwards. */
  readonly rank: number;
  /** For a missing comma: where the element after it starts. */
  readonly nextStart?: number;
}

const ELEMENT_KEYWORDS = ['PRIMARY', 'VERSION', 'TIMESTAMP', 'UNIQUE', 'FOREIGN', 'CONSTRAINT'];

export function parseSource(source: SourceFile, diagnostics: Diagnostics): ParseResult {
  return parseFast(source.path, source.text) ?? parseWithRecovery(source, diagnostics);
}

/**
 * The Chevrotain pipeline, for a file the fast path gave up on: most likely one with a mistake.
 * Exported for the test that holds the two paths together; callers use parseSource.
 */
export function parseWithRecovery(source: SourceFile, diagnostics: Diagnostics): ParseResult {
  const file = source.path;
  const lexed = tokenize(source.text);
  for (const u of mergeRuns(lexed.unexpected)) {
    const text = source.text.slice(u.offset, u.offset + u.length);
    diagnostics.report('unexpectedCharacter', { file, start: u.offset, end: u.offset + u.length }, { text: JSON.stringify(text) });
  }
  for (const t of lexed.malformed) {
    const s: Span = { file, start: t.startOffset, end: t.startOffset + 1 };
    const kind = t.tokenType.name;
    if (kind === 'UnterminatedString') diagnostics.report('unterminatedString', s, {});
    else if (kind === 'UnterminatedIdentifier') diagnostics.report('unterminatedIdentifier', s, {});
    else diagnostics.report('unterminatedComment', { ...s, end: s.start + 2 }, {});
  }

  const parser = parserInstance();
  parser.input = lexed.tokens;
  // Chevrotain signals every syntax error with an exception; capturing each one's stack (deep,
  // inside the rules) cost more than the rest of recovery together, and nothing reads it. (A bug
  // thrown from inside the parser loses its stack too: remove this to debug one.)
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let cst: CstNode;
  try {
    cst = parser.schema();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }

  const candidates: SyntaxError[] = [
    ...parser.errors.map((e) => fromException(e, lexed.tokens, source)),
    ...missingCommas(cst, source),
  ];
  if (candidates.length > 0) {
    for (const e of keepFirstPerSegment(candidates, lexed.tokens, lexed.malformed)) {
      const hint = hintFor(e, lexed.tokens);
      diagnostics.report('unexpectedToken', e.span, { expected: e.expected, found: e.found }, hint ? { hint } : {});
    }
  }

  // Every place the parser stumbled marks its element as broken, reported or not (a missing comma
  // breaks nothing: both elements around it are whole).
  const errorOffsets = [
    ...lexed.unexpected.map((u) => u.offset),
    ...lexed.malformed.map((t) => t.startOffset),
    ...candidates.filter((c) => c.rank === 0).map((c) => c.span.start),
  ].sort((a, b) => a - b);
  const comments = lexed.comments.map((t) => ({
    text: t.image,
    span: { file, start: t.startOffset, end: t.startOffset + t.image.length },
  }));
  return { ast: toAst(file, cst, errorOffsets), comments };
}

function fromException(e: IRecognitionException, tokens: readonly IToken[], source: SourceFile): SyntaxError {
  const message = decodeMessage(e.message);
  const token = e.token.tokenType === chevrotain().EOF || Number.isNaN(e.token.startOffset) ? undefined : e.token;
  return {
    span: errorSpan(e, message.separator, tokens, source),
    expected: message.expected,
    found: message.found || describeToken(e.token),
    rank: 0,
    ...(token ? { token } : {}),
  };
}

function lastTokenEnd(node: CstNode): number | undefined {
  const t = lastToken(node);
  return t ? t.startOffset + t.image.length : undefined;
}

/** The parser lets model elements follow each other without a comma; say where one is missing. */
function missingCommas(root: CstNode, source: SourceFile): SyntaxError[] {
  const out: SyntaxError[] = [];
  for (const model of (root.children['createModel'] ?? []) as CstNode[]) {
    const elements = (model.children['modelElement'] ?? []) as CstNode[];
    const commas = ((model.children['Comma'] ?? []) as IToken[])
      .filter((t) => !t.isInsertedInRecovery)
      .map((t) => t.startOffset)
      .sort((a, b) => a - b);
    // Each element after the first is parsed after an optional comma: n - 1 commas mean none missing.
    if (commas.length >= elements.length - 1) continue;
    const ordered = elements;
    for (let i = 1; i < ordered.length; i++) {
      const prevLoc = ordered[i - 1]!.location;
      const start = ordered[i]!.location?.startOffset;
      if (start === undefined || Number.isNaN(start)) continue;
      const prevEnd = prevLoc?.endOffset !== undefined && !Number.isNaN(prevLoc.endOffset) ? prevLoc.endOffset + 1 : lastTokenEnd(ordered[i - 1]!);
      if (prevEnd === undefined) continue;
      const end = prevEnd;
      if (countBelow(commas, start) > countBelow(commas, end)) continue;
      const next = source.text.slice(start).match(/^\S+/)?.[0] ?? '';
      out.push({
        span: { file: source.path, start: end, end },
        expected: "','",
        found: `'${next.length > 30 ? `${next.slice(0, 27)}...` : next}'`,
        rank: 1,
        nextStart: start,
      });
    }
  }
  return out;
}

function keepFirstPerSegment(
  candidates: SyntaxError[],
  tokens: readonly IToken[],
  malformed: readonly IToken[],
): SyntaxError[] {
  const T = tokenTypes();
  // A missing comma is an artefact of recovery when the parser stumbled between the two elements
  // it separates (NOT NUL UNIQUE: recovery skips NUL, and UNIQUE reads as a new element). A real
  // one separates two elements, and two mistakes on either side of it are two messages.
  const stumbles = candidates
    .filter((c) => c.rank === 0)
    .map((c) => c.span.start)
    .sort((a, b) => a - b);
  const real = candidates.filter(
    (c) => c.rank === 0 || countBelow(stumbles, (c.nextStart ?? c.span.start) + 1) === countBelow(stumbles, c.span.start),
  );
  const separators = tokens
    .filter((t) => t.tokenType === T.Comma || t.tokenType === T.Semicolon || t.tokenType === T.Create)
    .map((t) => t.startOffset)
    .concat(real.filter((c) => c.rank === 1).map((c) => c.span.start + 1))
    .sort((a, b) => a - b);
  const segmentOf = (offset: number) => countBelow(separators, offset);
  candidates = real;
  const swallowedFrom = Math.min(...malformed.filter((t) => t.tokenType.name === 'UnterminatedComment').map((t) => t.startOffset));
  const unclosed = new Set(malformed.filter((t) => t.tokenType.name !== 'UnterminatedComment'));

  const sorted = [...candidates].sort((a, b) => {
    const sa = segmentOf(a.span.start);
    const sb = segmentOf(b.span.start);
    return sa - sb || a.rank - b.rank || a.span.start - b.span.start;
  });
  const kept: SyntaxError[] = [];
  const seenSegments = new Set<number>();
  for (const e of sorted) {
    if (e.span.start >= swallowedFrom || (Number.isFinite(swallowedFrom) && !e.token)) continue;
    const previous = lastTokenBefore(tokens, e.span.start + (e.span.start === e.span.end ? 0 : 1) - 1);
    if (previous && unclosed.has(previous)) continue;
    const segment = segmentOf(e.span.start);
    if (seenSegments.has(segment)) continue;
    seenSegments.add(segment);
    kept.push(e);
  }
  return kept.sort((a, b) => a.span.start - b.span.start);
}

function hintFor(e: SyntaxError, tokens: readonly IToken[]): string | undefined {
  const T = tokenTypes();
  const t = e.token;
  const wantsName = /a name|a column/.test(e.expected);
  if (t && T.reservedWords.has(t.tokenType.name) && wantsName) {
    return `${t.image} is a reserved word; to use it as a name, quote it: "${t.image}"`;
  }
  if (e.expected === 'MODEL') return 'mdl declares models: CREATE MODEL name ( ... );';
  if (e.rank === 1) return 'model elements are separated by commas';
  if (t && e.found === "')'" && e.expected === 'a column or a constraint' && tokenBefore(tokens, t)?.tokenType === T.Comma) {
    return "remove the comma before ')'";
  }
  // A misspelt keyword at the start of an element reads as a column name: look there first.
  const start = firstTokenOfSegment(tokens, e.span.start);
  // A column named like a constraint's first word (unique, primary, foreign, constraint) reads
  // as that constraint, which then finds a type where it wants its next word.
  if (start && t && start !== t && T.reservedWords.has(start.tokenType.name) && tokens[indexBefore(tokens, t.startOffset) - 1] === start && t.tokenType === T.Identifier) {
    return `${start.image} is a reserved word; to name a column ${start.image}, quote it: "${start.image}"`;
  }
  if (start && start.tokenType === T.Identifier) {
    const hint = didYouMean(start.image, ELEMENT_KEYWORDS);
    if (hint) return hint;
  }
  // Short names are too close to too many keywords for a guess to help.
  if (t && t.tokenType === T.Identifier && t.image.length >= 3) return didYouMean(t.image, T.keywordTokens.map((k) => k.name));
  return undefined;
}

function tokenBefore(tokens: readonly IToken[], t: IToken): IToken | undefined {
  const i = indexBefore(tokens, t.startOffset);
  return i > 0 ? tokens[i - 1] : undefined;
}

/** The first token of the element around `offset`: after the last ',' or ';', or the model's '('. */
function firstTokenOfSegment(tokens: readonly IToken[], offset: number): IToken | undefined {
  const T = tokenTypes();
  let i = indexBefore(tokens, offset);
  while (i >= 0) {
    const type = tokens[i]!.tokenType;
    if (type === T.Comma || type === T.Semicolon) return tokens[i + 1];
    if (type === T.Create) {
      // Forward from the CREATE, not from the start: a file of many broken models stays linear.
      for (let j = i + 1; j < tokens.length && tokens[j]!.startOffset < offset; j++) {
        if (tokens[j]!.tokenType.name === 'LParen') return tokens[j + 1];
      }
      return undefined;
    }
    i--;
  }
  return undefined;
}

/** The lexer reports each unknown character on its own; "£££" is one mistake, not three. */
function mergeRuns(items: readonly { offset: number; length: number }[]): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = [];
  for (const u of items) {
    const last = out[out.length - 1];
    if (last && last.offset + last.length === u.offset) last.length += u.length;
    else out.push({ ...u });
  }
  return out;
}

function errorSpan(e: IRecognitionException, separator: boolean, tokens: readonly IToken[], source: SourceFile): Span {
  const file = source.path;
  const tok = e.token;
  const atEnd = tok.tokenType === chevrotain().EOF || Number.isNaN(tok.startOffset);
  const previous = 'previousToken' in e ? (e as { previousToken?: IToken }).previousToken : undefined;
  const prev = previous && !Number.isNaN(previous.startOffset) ? previous : lastTokenBefore(tokens, atEnd ? source.text.length : tok.startOffset - 1);
  if (atEnd) {
    const end = prev ? prev.startOffset + prev.image.length : source.text.length;
    return { file, start: end, end };
  }
  // A separator forgotten at the end of a line is shown where it belongs, not on the next line.
  if (separator && prev) {
    const between = source.text.slice(prev.startOffset + prev.image.length, tok.startOffset);
    if (/[\r\n]/.test(between)) {
      const end = prev.startOffset + prev.image.length;
      return { file, start: end, end };
    }
  }
  return { file, start: tok.startOffset, end: tok.startOffset + Math.max(1, tok.image.length) };
}

/** How many of the ascending offsets are below `offset`. */
function countBelow(sorted: readonly number[], offset: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last token starting at or before `offset`, or -1. */
function indexBefore(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function lastTokenBefore(tokens: readonly IToken[], offset: number): IToken | undefined {
  const i = indexBefore(tokens, offset);
  return i >= 0 ? tokens[i] : undefined;
}
