/**
 * Text templates made from the statement builders themselves.
 *
 * The builders (apply.ts's applyText, sqlite.ts's tableText and composeChunk) place a model's
 * parts in fixed text and decide nothing. Called once with a placeholder for each part, they give
 * the text of every model with holes where the parts go; `prepare` splits that into its fixed
 * pieces and the parts between them, and `fill` makes one model's text from its parts. The
 * statements are written once, in the builders; a template only saves the work of putting a
 * model's text together from dozens of nested pieces, and the constants in it are joined once.
 */

/** A placeholder is a part's key between these: what a builder is given in place of the part. */
export const HOLE_OPEN = '\u0001';
export const HOLE_CLOSE = '\u0002';

export interface Template<K extends string> {
  /** The fixed pieces: one more than the holes. */
  readonly pieces: readonly string[];
  /** The part that goes in each hole. */
  readonly holes: readonly K[];
}

/** Splits text made from placeholders into fixed pieces and holes. */
export function prepare<K extends string>(text: string, keys: readonly K[]): Template<K> {
  const known = new Set<string>(keys);
  const pieces: string[] = [];
  const holes: K[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf(HOLE_OPEN, from);
    if (open < 0) break;
    const close = text.indexOf(HOLE_CLOSE, open);
    const key = text.slice(open + 1, close);
    if (close < 0 || !known.has(key)) {
      throw new Error(`template: a placeholder that is not one of the keys, or was changed on the way: ${JSON.stringify(text.slice(open, open + 40))}`);
    }
    pieces.push(text.slice(from, open));
    holes.push(key as K);
    from = close + 1;
  }
  pieces.push(text.slice(from));
  return { pieces, holes };
}

/** The template's text with each hole filled from `parts`. */
export function fill<K extends string>(t: Template<K>, parts: Readonly<Record<K, string>>): string {
  const { pieces, holes } = t;
  let out = pieces[0]!;
  for (let i = 0; i < holes.length; i++) out += parts[holes[i]!] + pieces[i + 1]!;
  return out;
}
