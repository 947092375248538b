/**
 * Canonical values: the timestamp fast path gives exactly what the general parser gives.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTimestamp } from '../src/index.js';
import { canonicalDecimal, generalDecimal, generalTimestamp } from '../src/values.js';

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));

describe('canonicalTimestamp', () => {
  it('agrees with the general parser on every shape near the common one', () => {
    const stamp = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
        two(13),
        two(32),
        fc.constantFrom('T', 't', ' '),
        two(24),
        two(60),
        two(60),
        fc.option(fc.stringMatching(/^\d{0,11}$/)),
        fc.constantFrom('Z', 'z', '', '+00:00', '-00:00', '+05:30', '-12:00', '+14:00', '+23:59', '+0200', '+02', ' Z', 'Z '),
      )
      .map(([y, mo, d, sep, h, mi, s, frac, zone]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac === null ? '' : `.${frac}`}${zone}`);
    fc.assert(
      fc.property(stamp, (text) => {
        expect(canonicalTimestamp(text)).toBe(generalTimestamp(text));
      }),
      { seed: 20261124, numRuns: 20000 },
    );
  });

  it('normalises offsets across day, month and year boundaries', () => {
    expect(canonicalTimestamp('2024-03-01T00:30:00+01:00')).toBe('2024-02-29T23:30:00.000000Z');
    expect(canonicalTimestamp('2023-12-31T23:00:00-02:00')).toBe('2024-01-01T01:00:00.000000Z');
    expect(canonicalTimestamp('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(canonicalTimestamp('0000-01-01T00:00:00+00:01')).toBeUndefined();
    expect(canonicalTimestamp('2024-03-01T12:00:00.1234567Z')).toBe('2024-03-01T12:00:00.123456Z');
  });
});

describe('canonicalDecimal', () => {
  it('agrees with the general parser, whether or not the text is already canonical', () => {
    const text = fc
      .tuple(
        fc.constantFrom('', '-', '+', ' '),
        fc.stringMatching(/^\d{0,6}$/),
        fc.option(fc.stringMatching(/^\d{0,5}$/)),
        fc.constantFrom('', ' ', 'x'),
      )
      .map(([sign, whole, frac, tail]) => `${sign}${whole}${frac === null ? '' : `.${frac}`}${tail}`);
    const shape = fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 4 })).filter(([p, s]) => s <= p);
    fc.assert(
      fc.property(text, shape, (t, [precision, scale]) => {
        expect(canonicalDecimal(t, precision, scale)).toBe(generalDecimal(t, precision, scale));
      }),
      { seed: 20261124, numRuns: 20000 },
    );
  });

  it('stores a canonical decimal as it is, and rewrites any other', () => {
    expect(canonicalDecimal('1234.50', 12, 2)).toBe('1234.50');
    expect(canonicalDecimal('-0.00', 12, 2)).toBe('0.00');
    expect(canonicalDecimal('007.5', 12, 2)).toBe('7.50');
    expect(canonicalDecimal('12345678901.00', 12, 2)).toBeUndefined();
  });
});
