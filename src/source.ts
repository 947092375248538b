/**
 * Sources and spans.
 *
 * A span is a half-open range of UTF-16 offsets [start, end) into one source file. Line and
 * column are never stored: they are computed here, only when something is shown to a person.
 */

export interface SourceFile {
  /** The path as the user gave it (relative paths stay relative), with '/' separators. */
  readonly path: string;
  readonly text: string;
}

export interface Span {
  /** Path of the SourceFile the offsets point into. */
  readonly file: string;
  /** Offset of the first character. */
  readonly start: number;
  /** Offset just past the last character; equal to start for an empty span. */
  readonly end: number;
}

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, counted in UTF-16 code units. */
  readonly column: number;
}

const lineStartCache = new WeakMap<SourceFile, number[]>();

/** Offsets at which each line begins; '\n', '\r\n' and a lone '\r' all end a line. */
export function lineStarts(source: SourceFile): number[] {
  let starts = lineStartCache.get(source);
  if (starts) return starts;
  starts = [0];
  const text = source.text;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  lineStartCache.set(source, starts);
  return starts;
}

export function positionAt(source: SourceFile, offset: number): Position {
  const starts = lineStarts(source);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

/** Text of a 1-based line, without its line terminator. */
export function lineText(source: SourceFile, line: number): string {
  const starts = lineStarts(source);
  const start = starts[line - 1];
  if (start === undefined) return '';
  const next = starts[line];
  let end = next === undefined ? source.text.length : next;
  while (end > start && (source.text.charCodeAt(end - 1) === 10 || source.text.charCodeAt(end - 1) === 13)) end--;
  return source.text.slice(start, end);
}
