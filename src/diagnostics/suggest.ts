/**
 * "Did you mean ...?": the closest known name to a misspelt one.
 *
 * Optimal-string-alignment distance (edits, with adjacent transpositions), case-insensitive; a
 * candidate is offered only when it is close relative to the name's length, so that a name with
 * nothing like it gets no suggestion rather than a silly one.
 */

let rows: Int32Array[] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * The distance between a and b when it is at most `max`, else max + 1. Computed on a band about
 * the diagonal that doubles until it holds the distance: time in proportion to the length times
 * the distance, not to the product of the lengths, for two long names that are alike.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  const longest = Math.max(a.length, b.length);
  for (let band = 1; ; band *= 2) {
    const k = Math.min(band, max, longest);
    const d = bandedDistance(a, b, k);
    if (d <= k) return d;
    if (k >= max || k >= longest) return max + 1;
  }
}

/** The distance when it is at most `max`, else max + 1, from the cells at most `max` from the diagonal. */
function bandedDistance(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  // Cells further than `max` from the diagonal cannot lead to a distance of at most `max`, so
  // each row is computed on that band alone, and a row whose every cell is past it ends the count.
  if (Math.abs(n - m) > max) return max + 1;
  if (n === 0) return m;
  if (m === 0) return n;
  const k = Math.min(max, Math.max(n, m));
  const far = n + m + 1;
  // Three rows, reused from call to call (a suggestion compares one name with thousands).
  if (rows[0]!.length < m + 2) rows = [new Int32Array(m + 2), new Int32Array(m + 2), new Int32Array(m + 2)];
  let [prev2, prev, cur] = rows as [Int32Array, Int32Array, Int32Array];
  prev2.fill(far, 0, m + 2);
  prev.fill(far, 0, m + 2);
  cur.fill(far, 0, m + 2);
  for (let j = 0; j <= Math.min(m, k); j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    const from = Math.max(1, i - k);
    const to = Math.min(m, i + k);
    cur[from - 1] = from === 1 ? i : far;
    let rowMin = cur[from - 1]!;
    for (let j = from; j <= to; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    cur[to + 1] = far;
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[m]!, max + 1);
}

/** The larger of the characters a has beyond b's and b has beyond a's: at most their edit distance. */
function bagDistance(a: string, b: string): number {
  const count = new Map<number, number>();
  for (let i = 0; i < a.length; i++) count.set(a.charCodeAt(i), (count.get(a.charCodeAt(i)) ?? 0) + 1);
  for (let i = 0; i < b.length; i++) count.set(b.charCodeAt(i), (count.get(b.charCodeAt(i)) ?? 0) - 1);
  let more = 0;
  let fewer = 0;
  for (const c of count.values()) {
    if (c > 0) more += c;
    else fewer -= c;
  }
  return Math.max(more, fewer);
}

/** The best candidate for `name`, or undefined when none is close enough. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const target = name.toLowerCase();
  const limit = Math.max(1, Math.floor(target.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const lower = c.toLowerCase();
    if (lower === target) continue;
    const bound = Math.min(limit, bestDistance - 1);
    if (Math.abs(lower.length - target.length) > bound) continue;
    // For long names, a count of the characters one has and the other lacks first: no edit
    // distance is smaller, and it takes a moment where the distance could take seconds.
    if (target.length > 64 && bagDistance(target, lower) > bound) continue;
    const d = editDistance(target, lower, bound);
    if (d <= bound) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const s = suggest(name, candidates);
  return s === undefined ? undefined : `did you mean ${s}?`;
}
