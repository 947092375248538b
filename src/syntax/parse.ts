/**
 * The syntax stage as one call: text to AST, with every lexical and syntax error reported.
 *
 * Never throws for any input (a property test holds it to that). Chevrotain's exceptions are
 * turned into catalogued diagnostics with messages in the language's own words ("expected ')',
 * found 'STRING'"), and a missing token at the end of a line is pointed at where it belongs.
 */

import type { SourceFile, Span } from '../source.js';
import type { Diagnostics } from '../diagnostics/diagnostic.js';
import { EOF, type CstNode, type IRecognitionException, type IToken } from './chevrotain.js';
import { describeToken } from './messages.js';
import { tokenize } from './lexer.js';
import { parserInstance } from './parser.js';
import { lastToken, toAst } from './to-ast.js';
import type { SourceUnit } from './ast.js';

export interface ParseResult {
  readonly ast: SourceUnit;
  /** Comments in source order, for the formatter. */
  readonly comments: readonly IToken[];
}

export function parseSource(source: SourceFile, diagnostics: Diagnostics): ParseResult {
  const file = source.path;
  const lexed = tokenize(source.text);
  for (const u of mergeRuns(lexed.unexpected)) {
    const text = source.text.slice(u.offset, u.offset + u.length);
    diagnostics.report('unexpectedCharacter', { file, start: u.offset, end: u.offset + u.length }, { text: JSON.stringify(text) });
  }
  for (const t of lexed.malformed) {
    const s: Span = { file, start: t.startOffset, end: t.startOffset + t.image.length };
    const kind = t.tokenType.name;
    if (kind === 'UnterminatedString') diagnostics.report('unterminatedString', { ...s, end: s.start + 1 }, {});
    else if (kind === 'UnterminatedIdentifier') diagnostics.report('unterminatedIdentifier', { ...s, end: s.start + 1 }, {});
    else diagnostics.report('unterminatedComment', { ...s, end: s.start + 2 }, {});
  }

  const parser = parserInstance();
  parser.input = lexed.tokens;
  const cst = parser.schema();
  const seen = new Set<number>();
  for (const e of parser.errors) {
    const at = errorSpan(e, lexed.tokens, source);
    if (seen.has(at.start)) continue;
    seen.add(at.start);
    diagnostics.report('unexpectedToken', at, { expected: expectedText(e), found: describeToken(e.token) });
  }
  reportMissingCommas(cst, source, diagnostics);
  const ast = toAst(file, cst);
  return { ast, comments: lexed.comments };
}

/** The parser lets model elements follow each other without a comma; say where one is missing. */
function reportMissingCommas(root: CstNode, source: SourceFile, diagnostics: Diagnostics): void {
  for (const model of (root.children['createModel'] ?? []) as CstNode[]) {
    const elements = (model.children['modelElement'] ?? []) as CstNode[];
    const commas = ((model.children['Comma'] ?? []) as IToken[]).filter((t) => !t.isInsertedInRecovery);
    const ordered = [...elements].sort((a, b) => (a.location?.startOffset ?? 0) - (b.location?.startOffset ?? 0));
    for (let i = 1; i < ordered.length; i++) {
      const prevEnd = lastToken(ordered[i - 1]!);
      const start = ordered[i]!.location?.startOffset;
      if (!prevEnd || start === undefined || Number.isNaN(start)) continue;
      const end = prevEnd.startOffset + prevEnd.image.length;
      if (commas.some((c) => c.startOffset >= end && c.startOffset < start)) continue;
      const next = source.text.slice(start).match(/^\S+/)?.[0] ?? '';
      diagnostics.report('unexpectedToken', { file: source.path, start: end, end }, {
        expected: "','",
        found: `'${next.length > 30 ? next.slice(0, 27) + '...' : next}'`,
      }, { hint: 'model elements are separated by commas' });
    }
  }
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

function errorSpan(e: IRecognitionException, tokens: readonly IToken[], source: SourceFile): Span {
  const file = source.path;
  const tok = e.token;
  const atEnd = tok.tokenType === EOF || Number.isNaN(tok.startOffset);
  const previous = 'previousToken' in e ? (e as { previousToken?: IToken }).previousToken : undefined;
  const prev = previous && !Number.isNaN(previous.startOffset) ? previous : lastTokenBefore(tokens, atEnd ? source.text.length : tok.startOffset);
  if (atEnd) {
    const end = prev ? prev.startOffset + prev.image.length : source.text.length;
    return { file, start: end, end };
  }
  // A separator forgotten at the end of a line is shown where it belongs, not on the next line.
  if (e.name === 'MismatchedTokenException' && prev && isSeparatorMissing(e) && hasNewlineBetween(source.text, prev, tok)) {
    const end = prev.startOffset + prev.image.length;
    return { file, start: end, end };
  }
  return { file, start: tok.startOffset, end: tok.startOffset + Math.max(1, tok.image.length) };
}

function isSeparatorMissing(e: IRecognitionException): boolean {
  return /^expected (';'|','|'\)')/.test(e.message);
}

function hasNewlineBetween(text: string, a: IToken, b: IToken): boolean {
  const between = text.slice(a.startOffset + a.image.length, b.startOffset);
  return /[\r\n]/.test(between);
}

function lastTokenBefore(tokens: readonly IToken[], offset: number): IToken | undefined {
  let lo = 0;
  let hi = tokens.length - 1;
  let found: IToken | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid]!;
    if (t.startOffset < offset) {
      found = t;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Chevrotain's message starts with what it expected; our provider below writes it that way. */
function expectedText(e: IRecognitionException): string {
  const m = /^expected (.*?), found /.exec(e.message);
  return m ? m[1]! : e.message;
}
