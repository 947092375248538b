/**
 * A diagnostic and the bag that stages report into.
 *
 * Stages never throw for a user's mistake: they report here and carry on with a placeholder, so
 * that one run shows every independent problem and one typo gives one message.
 */

import type { Span } from '../source.js';
import { Codes, type CodeKey, type ParamsOf, type Severity } from './codes.js';

export interface Diagnostic {
  /** Stable code from the catalogue, e.g. MDL2007. */
  readonly code: string;
  /** Kebab-case name from the catalogue, e.g. unknown-model. */
  readonly name: string;
  readonly severity: Severity;
  readonly message: string;
  /** Where it is; absent only for problems with no place in a file (an unreadable path). */
  readonly span?: Span;
  /** What to do about it, when there is something specific to say ("did you mean ...?"). */
  readonly hint?: string;
  /** Other places that explain this one (the first declaration of a duplicate). */
  readonly related?: readonly { readonly message: string; readonly span: Span }[];
}

export class Diagnostics {
  readonly items: Diagnostic[] = [];

  report<K extends CodeKey>(
    key: K,
    span: Span | undefined,
    params: ParamsOf<K>,
    extra: { hint?: string; related?: Diagnostic['related'] } = {},
  ): void {
    const entry = Codes[key];
    const message = (entry.message as (p: ParamsOf<K>) => string)(params);
    const d: { -readonly [P in keyof Diagnostic]: Diagnostic[P] } = {
      code: entry.code,
      name: entry.name,
      severity: entry.severity,
      message,
    };
    if (span) d.span = span;
    if (extra.hint) d.hint = extra.hint;
    if (extra.related && extra.related.length > 0) d.related = extra.related;
    this.items.push(d);
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.items) if (d.severity === 'error') n++;
    return n;
  }

  hasErrors(): boolean {
    return this.errorCount > 0;
  }
}

/** Diagnostics in reading order: by file, then offset, then code. */
export function sortDiagnostics(items: readonly Diagnostic[]): Diagnostic[] {
  return [...items].sort((a, b) => {
    const fa = a.span?.file ?? '';
    const fb = b.span?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const sa = a.span?.start ?? -1;
    const sb = b.span?.start ?? -1;
    if (sa !== sb) return sa - sb;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
