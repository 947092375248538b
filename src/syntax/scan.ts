/**
 * The scanner behind the fast paths: text to tokens in three typed arrays, no objects per token.
 *
 * Shared by the syntax stage's fast path (fast-path.ts, text to AST) and check's direct path
 * (check/direct.ts, text to resolved models). It decides nothing about a text with a lexical
 * mistake: it gives up (GIVE_UP), and the caller takes the Chevrotain pipeline, which reports it.
 * The token rules are those of lexer.ts (tests/fast-path.test.ts holds them together).
 */

import type { Span } from '../source.js';

/** A comment, kept for the formatter. */
export interface Comment {
  /** As written, `--` or the slash and star included. */
  readonly text: string;
  readonly span: Span;
}

// Token kinds.
export const EOF = 0;
export const WORD = 1;
export const QUOTED = 2;
export const STRING = 3;
export const NUMBER = 4;
export const LPAREN = 5;
export const RPAREN = 6;
export const COMMA = 7;
export const SEMICOLON = 8;

// Keywords; a WORD carries one of these or NONE. The first twelve are reserved (never a name).
export const NONE = 0;
export const CREATE = 1;
export const PRIMARY = 2;
export const FOREIGN = 3;
export const CONSTRAINT = 4;
export const UNIQUE = 5;
export const REFERENCES = 6;
export const NOT = 7;
export const NULL = 8;
export const DEFAULT = 9;
export const ON = 10;
export const TRUE = 11;
export const FALSE = 12;
export const LAST_RESERVED = FALSE;
export const MODEL = 13;
export const IF = 14;
export const EXISTS = 15;
export const KEY = 16;
export const VERSION = 17;
export const TIMESTAMP = 18;
export const DELETE = 19;
export const CASCADE = 20;
export const SET = 21;
export const RESTRICT = 22;
export const NO = 23;
export const ACTION = 24;
export const MANY = 25;
export const ONE = 26;
export const TO = 27;
export const BEHAVIOR = 28;
export const RECORD = 29;
export const TIME = 30;
export const SERIES = 31;
export const WITH = 32;
export const HISTORY = 33;
export const COMMENT = 34;

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

// Keywords are recognised without making a string of each word (most words are names, and the
// strings would be garbage at once): a word's hash, taken over its letters in upper case as it
// is scanned, picks a slot of a small open-addressing table, and the keyword there is compared
// letter by letter. `c & 0xdf` is the upper case of an ASCII letter, and maps a digit or '_'
// to no letter, so the comparison is case-insensitive and exact.
const KEYWORD_SLOTS = 128;
const SLOT_MASK = KEYWORD_SLOTS - 1;
/** Keyword id by slot, NONE for an empty slot. */
const keywordSlots = new Int32Array(KEYWORD_SLOTS);
/** The keywords by id, as upper-case letter codes. */
const keywordCodes: number[][] = [];

function foldStep(h: number, c: number): number {
  return Math.imul(h ^ (c & 0xdf), 0x01000193);
}
const FOLD_SEED = 0x811c9dc5 | 0;

for (const [word, id] of Object.entries(KEYWORD_IDS)) {
  const codes = [...word].map((ch) => ch.charCodeAt(0));
  keywordCodes[id] = codes;
  let h = FOLD_SEED;
  for (const c of codes) h = foldStep(h, c);
  let slot = h & SLOT_MASK;
  while (keywordSlots[slot] !== NONE) slot = (slot + 1) & SLOT_MASK;
  keywordSlots[slot] = id;
}

/** The keyword the word text[start, end) spells in any case (its hash `h`), or NONE. */
function keywordAt(text: string, start: number, end: number, h: number): number {
  for (let slot = h & SLOT_MASK; ; slot = (slot + 1) & SLOT_MASK) {
    const id = keywordSlots[slot]!;
    if (id === NONE) return NONE;
    const codes = keywordCodes[id]!;
    if (codes.length !== end - start) continue;
    let k = 0;
    while (k < codes.length && (text.charCodeAt(start + k) & 0xdf) === codes[k]) k++;
    if (k === codes.length) return id;
  }
}

/** Thrown to give up; caught by the callers of scan (parseFast, resolveDirect). */
export const GIVE_UP = new Error('fast path gives up');

/**
 * Token arrays, shared by every call and grown as needed: the fast path is synchronous and not
 * re-entrant, and a file's tokens are dead once its AST is built. Arrays grown past KEPT_TOKENS
 * for a huge file are let go after it.
 */
const INITIAL_TOKENS = 4096;
const KEPT_TOKENS = 1 << 16;
export let kinds = new Int32Array(INITIAL_TOKENS);
export let starts = new Int32Array(INITIAL_TOKENS);
export let ends = new Int32Array(INITIAL_TOKENS);

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
/** Scans `text` into the token arrays; comments go to `comments`, or nowhere when it is null. */
export function scan(text: string, file: string, comments: Comment[] | null): number {
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
      // foldStep, written out: this loop runs for every letter of a schema.
      let h = Math.imul(FOLD_SEED ^ (c & 0xdf), 0x01000193);
      i++;
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (!((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || (d >= 48 && d <= 57) || d === 95)) break;
        h = Math.imul(h ^ (d & 0xdf), 0x01000193);
      }
      kind = WORD | (keywordAt(text, start, i, h) << 8);
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
      comments?.push({ text: text.slice(start, i), span: { file, start, end: i } });
      continue;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) throw GIVE_UP;
      i = close + 2;
      comments?.push({ text: text.slice(start, i), span: { file, start, end: i } });
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
  if (text.charCodeAt(i) === 45) i++;
  if (isDigit(text.charCodeAt(i))) {
    while (isDigit(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === 46) {
      i++;
      while (isDigit(text.charCodeAt(i))) i++;
    }
  } else if (text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  } else {
    throw GIVE_UP;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const sign = text.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (isDigit(text.charCodeAt(j))) {
      while (isDigit(text.charCodeAt(j))) j++;
      i = j;
    }
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** After a text's tokens are used: arrays grown past KEPT_TOKENS for a huge file are let go. */
export function releaseTokens(): void {
  if (kinds.length > KEPT_TOKENS) {
    kinds = new Int32Array(INITIAL_TOKENS);
    starts = new Int32Array(INITIAL_TOKENS);
    ends = new Int32Array(INITIAL_TOKENS);
  }
}
