/**
 * Ingest, a change file's bytes to text: UTF-8 read in chunks, with the bytes that are not UTF-8
 * kept visible to the readers instead of failing the whole file.
 *
 * A byte that is not UTF-8 belongs to one row, and SPEC section 4 wants a bad row rejected with
 * its reason while the rows beside it are applied. Replacing it with U+FFFD, as a lenient decoder
 * does, would mirror text that is not what the source holds; failing the file would block the
 * good rows. So each invalid sequence becomes NOT_UTF8 in the text, a lone low surrogate that
 * decoding valid UTF-8 never gives alone, and the readers (csv.ts, jsonl.ts) reject the row that holds
 * it as malformed-row, with its line.
 *
 * Invariants:
 * - Chunk boundaries never change the text: a chunk is decoded only up to its last complete
 *   sequence, and the bytes after that (at most three) start the next chunk.
 * - A file that is all UTF-8 takes the fast path, the platform's strict decoder, and comes out
 *   exactly as that decoder gives it (a BOM is kept: the readers skip it). Only a chunk the strict
 *   decoder refuses is decoded here, one NOT_UTF8 per maximal invalid subpart (Unicode's "best
 *   practice", which the WHATWG decoder follows for its U+FFFD), so that the text matches what a
 *   lenient decoder gives with each of its U+FFFD standing for a NOT_UTF8.
 * - `decoding.lossy` says whether any NOT_UTF8 was made, so that the readers look for it only then.
 */

import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Stands in the text for each sequence of bytes that is not UTF-8. The same code unit is also the
 * second half of some characters (U+10FFFF is DBFF DFFF), so a reader looks for it alone, with
 * hasNotUtf8, not for the code unit.
 */
export const NOT_UTF8 = '\uDFFF';

/** A surrogate that is not half of a pair: in decoded text, only ever a NOT_UTF8. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/** Whether the text holds a NOT_UTF8 (for text that readTextChunks or decodeLossy decoded). */
export function hasNotUtf8(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** Where the text's first NOT_UTF8 is, or -1. */
export function firstNotUtf8(text: string): number {
  return text.search(LONE_SURROGATE);
}

/** What decoding a file found, shared with its reader as the chunks are read. */
export interface Decoding {
  /** Set once a chunk held bytes that are not UTF-8 (and so NOT_UTF8 appears in the text). */
  lossy: boolean;
}

/**
 * The file's text in pieces of about `chunkSize` bytes. The file is closed when iteration ends,
 * however it ends.
 */
export function* readTextChunks(path: string, chunkSize: number, onRead?: (bytes: number) => void, decoding: Decoding = { lossy: false }): Generator<string> {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunk size must be a positive integer, not ${chunkSize}`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    // Room for the incomplete sequence carried over from the previous read, then a chunk.
    const buffer = Buffer.allocUnsafe(chunkSize + 3);
    // ignoreBOM keeps the BOM in the text, so that files and strings take the same path.
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let carried = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, carried, chunkSize, null);
      } catch (e) {
        throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
      }
      if (n === 0) {
        // The file ends inside a character.
        if (carried > 0) {
          decoding.lossy = true;
          yield decodeLossy(buffer, 0, carried);
        }
        return;
      }
      onRead?.(n);
      const end = carried + n;
      const cut = completeEnd(buffer, end);
      let text: string;
      try {
        text = strict.decode(buffer.subarray(0, cut));
      } catch {
        decoding.lossy = true;
        text = decodeLossy(buffer, 0, cut);
      }
      buffer.copy(buffer, 0, cut, end);
      carried = end - cut;
      if (text !== '') yield text;
    }
  } finally {
    closeSync(fd);
  }
}

/** The text of bytes[start, end), each maximal invalid subpart as one NOT_UTF8. */
export function decodeLossy(bytes: Buffer, start: number, end: number): string {
  let text = '';
  let valid = start;
  let i = start;
  while (i < end) {
    const length = sequenceLength(bytes, i, end);
    if (length > 0) {
      i += length;
      continue;
    }
    text += bytes.toString('utf8', valid, i) + NOT_UTF8;
    i -= length;
    valid = i;
  }
  return text + bytes.toString('utf8', valid, end);
}

/**
 * The length of the well-formed sequence at bytes[i] (Unicode's table 3-7), or minus the length
 * of the maximal subpart of one that is not: its lead and the continuation bytes that fitted.
 */
function sequenceLength(bytes: Buffer, i: number, end: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return 1;
  let following: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    following = 1;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    following = 2;
    if (lead === 0xe0) low = 0xa0; // not an overlong form
    else if (lead === 0xed) high = 0x9f; // not a surrogate
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    following = 3;
    if (lead === 0xf0) low = 0x90; // not an overlong form
    else if (lead === 0xf4) high = 0x8f; // not past U+10FFFF
  } else {
    return -1;
  }
  for (let k = 1; k <= following; k++) {
    const next = i + k < end ? bytes[i + k]! : -1;
    if (next < low || next > high) return -k;
    low = 0x80;
    high = 0xbf;
  }
  return following + 1;
}

/**
 * Where the bytes[0, end) stop being complete: the start of a sequence the last bytes begin but
 * do not finish, or `end`. Always at a byte that is not a continuation byte, so that no sequence
 * before it reaches past it, and decoding before and after it apart gives the text of the whole.
 */
function completeEnd(bytes: Buffer, end: number): number {
  for (let j = end - 1; j >= 0 && j >= end - 3; j--) {
    const b = bytes[j]!;
    if (b >= 0x80 && b <= 0xbf) continue;
    const needed = b >= 0xf5 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 1;
    return end - j < needed ? j : end;
  }
  return end;
}

/**
 * For a row the readers found NOT_UTF8 in, starting on line `line`: why it is rejected, and its
 * text for the reject table, where each NOT_UTF8 shows as U+FFFD (a lone surrogate cannot be
 * stored as UTF-8).
 */
export function notUtf8Row(raw: string, line: number): { readonly error: string; readonly raw: string } {
  return { error: `${notUtf8Where(raw, line)} (each such sequence shows as U+FFFD in the raw text)`, raw: shownText(raw) };
}

/** Where the first NOT_UTF8 of text starting on line `line` is: its column, and its line when the text runs over several. */
export function notUtf8Where(raw: string, line: number): string {
  const at = firstNotUtf8(raw);
  const before = raw.slice(0, at);
  const breaks = before.match(/\r\n|\r|\n/g)?.length ?? 0;
  const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
  // Columns count characters as an editor shows them, not UTF-16 units.
  const column = Array.from(before.slice(lineStart)).length + 1;
  return `bytes that are not UTF-8 at ${breaks > 0 ? `line ${line + breaks}, ` : ''}column ${column}`;
}

/** The text with each NOT_UTF8 as U+FFFD. */
export function shownText(raw: string): string {
  return raw.replace(LONE_SURROGATES, '\uFFFD');
}
