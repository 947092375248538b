/**
 * Canonical values: the timestamp fast path gives exactly what the general parser gives. And a
 * number literal written plainly (the checker's hint for a default with an exponent).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTimestamp } from '../src/index.js';
import { canonicalDecimal, generalDecimal, generalTimestamp, plainNumber } from '../src/values.js';

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
        fc.constantFrom('Z', 'z', '', '+00:00', '-00:00', '+05:30', '-12:00', '+14:00', '+23:59', '+0200', '+02', ' Z', 'Z ', '+24:00', '-25:00', '+12:60', '+99:99', '+2400'),
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

  it('refuses an offset that is no offset: hours past 23 or minutes past 59', () => {
    for (const zone of ['+24:00', '+25:00', '-99:59', '+12:60', '+12:99', '+2400', '-24']) {
      expect(canonicalTimestamp(`2024-03-01T12:00:00${zone}`), zone).toBeUndefined();
      expect(generalTimestamp(`2024-03-01 12:00${zone}`), zone).toBeUndefined();
    }
    expect(canonicalTimestamp('2024-03-01T12:00:00+23:59')).toBe('2024-02-29T12:01:00.000000Z');
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

describe('plainNumber', () => {
  it('writes a literal without its exponent and the zeros that do not count', () => {
    expect(['1e6', '1E+2', '2.0', '2.50', '1.5e-1', '-0.0', '-1e0', '0012.3400', '.5e1', '5.e-3', '1e-3'].map(plainNumber)).toEqual([
      '1000000', '100', '2', '2.5', '0.15', '0', '-1', '12.34', '5', '0.005', '0.001',
    ]);
    expect(plainNumber('1e999999')).toBeUndefined();
  });

  it('gives the value of the literal, digit for digit', () => {
    // digits · 10^(exponent - decimals), compared as exact rationals through BigInt.
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: -40, max: 40 }), (n, decimals, exponent) => {
        const abs = (n < 0n ? -n : n).toString().padStart(decimals + 1, '0');
        const literal = `${n < 0n ? '-' : ''}${abs.slice(0, abs.length - decimals)}${decimals > 0 ? `.${abs.slice(abs.length - decimals)}` : ''}e${exponent}`;
        const plain = plainNumber(literal)!;
        expect(plain).toMatch(/^-?(0|[1-9]\d*)(\.\d*[1-9])?$/);
        const [w, f = ''] = plain.replace('-', '').split('.');
        const got = BigInt(w! + f) * (plain.startsWith('-') ? -1n : 1n);
        // got / 10^f.length == n · 10^(exponent - decimals)
        const left = got * 10n ** BigInt(Math.max(0, decimals - exponent));
        const right = n * 10n ** BigInt(f.length) * 10n ** BigInt(Math.max(0, exponent - decimals));
        expect(left).toBe(right);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
