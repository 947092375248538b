/**
 * "Did you mean": the bounded edit distance agrees with the plain one up to its bound; a
 * suggestion is found among thousands of like names and for a very long name. (How long that
 * takes is not asserted here: before the bound, a thousand suggestions among 4,000 names took
 * 12 s, and a name of 20,000 characters 6 s; now well under a second, all of this test.)
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from '../src/diagnostics/suggest.js';

/** Optimal string alignment, computed whole: the reference. */
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('editDistance', () => {
  it('is the distance when it is at most the bound, and the bound plus one otherwise', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 12 });
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 14 }), (a, b, max) => {
        const full = reference(a, b);
        expect(editDistance(a, b)).toBe(full);
        expect(editDistance(a, b, max)).toBe(Math.min(full, max + 1));
      }),
      { seed: 20261125, numRuns: 5000 },
    );
  });

  it('suggests among thousands of like names, and for a very long name', () => {
    const names = Array.from({ length: 4000 }, (_, i) => `model_number_${i}`);
    for (let i = 0; i < 1000; i++) expect(suggest(`modle_numbr_${i}`, names)).toBe(`model_number_${i}`);
    const long = 'x'.repeat(20_000);
    expect(suggest(long.slice(1), ['y'.repeat(19_999), long])).toBe(long);
    expect(suggest('z'.repeat(20_000), [long])).toBeUndefined();
  });
});
