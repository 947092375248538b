/**
 * Within one batch, the changes that cannot win, settled in JavaScript before staging.
 *
 * The apply statements' first two steps (mark-duplicates, mark-stale) decide, among the staged
 * rows of one key, which are duplicates and which lose. Most batches hold one change per key, and
 * where a key repeats the decision is nearly always by version or by delete over upsert, which
 * JavaScript can make as well as SQLite. So this settles those keys here: their duplicates and
 * losers are counted and never staged, and the two steps can be skipped when nothing is left for
 * them. What only SQLite can decide exactly is the order of two different contents at one
 * version (the canonical content is SQLite's json_array text): such a key's rows are all staged,
 * and the steps run. Settling here is an optimisation that never changes a result: whenever it
 * is unsure (a value it cannot compare as SQLite would), it stages and lets SQLite decide.
 */

import type { StoredValue } from '../ingest/convert.js';
import type { StageRow } from './mirror.js';

export interface Settled {
  /** Rows to stage, in their original order. */
  readonly staged: StageRow[];
  readonly duplicate: number;
  readonly stale: number;
  /** Whether some key still has several staged rows (then mark-duplicates and mark-stale must run). */
  readonly repeats: boolean;
}

/** A key's identity as SQLite compares it: numbers and bigints by value, text as text. */
function keyOf(values: readonly StoredValue[], keyIndexes: readonly number[]): string {
  let k = '';
  for (const i of keyIndexes) {
    const v = values[i];
    k += typeof v === 'string' ? `s${v}\u0000` : `n${String(v)}\u0000`;
  }
  return k;
}

/** Same stored value for sure (Object.is: -0 and 0 are stored differently as REAL). */
function sameValue(a: StoredValue, b: StoredValue): boolean {
  return Object.is(a, b);
}

function sameChange(a: StageRow, b: StageRow, versionIndex: number): boolean {
  if (a.op !== b.op || !sameValue(a.values[versionIndex]!, b.values[versionIndex]!)) return false;
  if (a.op === 1) return true;
  for (let i = 0; i < a.values.length; i++) if (!sameValue(a.values[i]!, b.values[i]!)) return false;
  return true;
}

/**
 * -1, 0 or 1 by version then delete over upsert; undefined when only content could decide, or
 * when the versions cannot be compared here (text beyond ASCII: SQLite compares UTF-8 bytes).
 */
function order(a: StageRow, b: StageRow, versionIndex: number): number | undefined {
  const va = a.values[versionIndex]!;
  const vb = b.values[versionIndex]!;
  if (typeof va === 'string' || typeof vb === 'string') {
    if (typeof va !== 'string' || typeof vb !== 'string' || /[^\u0000-\u007f]/.test(va + vb)) return undefined;
  }
  if (va! < vb!) return -1;
  if (va! > vb!) return 1;
  if (a.op !== b.op) return a.op > b.op ? 1 : -1;
  return undefined;
}

export function settleWithinBatch(rows: readonly StageRow[], keyIndexes: readonly number[], versionIndex: number): Settled {
  const groups = new Map<string, number[] | number>();
  for (let i = 0; i < rows.length; i++) {
    const k = keyOf(rows[i]!.values, keyIndexes);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, i);
    else if (typeof g === 'number') groups.set(k, [g, i]);
    else g.push(i);
  }
  const keep: number[] = [];
  let duplicate = 0;
  let stale = 0;
  let repeats = false;
  for (const g of groups.values()) {
    if (typeof g === 'number') {
      keep.push(g);
      continue;
    }
    // Duplicates: identical to an earlier row of the key (mark-duplicates' rule).
    const alive: number[] = [];
    for (const i of g) {
      if (alive.some((o) => sameChange(rows[o]!, rows[i]!, versionIndex))) duplicate++;
      else alive.push(i);
    }
    // The greatest by (version, delete over upsert) wins, unless content would have to decide.
    let best = alive[0]!;
    let unsure = false;
    for (let j = 1; j < alive.length; j++) {
      const c = order(rows[alive[j]!]!, rows[best]!, versionIndex);
      if (c === undefined) unsure = true;
      else if (c > 0) best = alive[j]!;
    }
    if (!unsure) {
      // A later row that beat `best` may tie with one skipped earlier: check the winner against all.
      for (const i of alive) if (i !== best && order(rows[i]!, rows[best]!, versionIndex) !== -1) unsure = true;
    }
    if (unsure) {
      keep.push(...alive);
      repeats ||= alive.length > 1;
    } else {
      keep.push(best);
      stale += alive.length - 1;
    }
  }
  keep.sort((a, b) => a - b);
  return { staged: keep.map((i) => rows[i]!), duplicate, stale, repeats };
}
