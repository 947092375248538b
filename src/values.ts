/**
 * Canonical stored values: the one definition of how each column type is stored in a mirror.
 *
 * Timestamps are UTC text of one fixed width ('2024-03-01T12:00:00.000000Z'), so text order is
 * instant order; dates are 'YYYY-MM-DD'; decimals are plain text with exactly `scale` fractional
 * digits (no exponent, no loss); booleans are 0 and 1. The compiler uses these for DEFAULT values
 * and the runtime for every value it stores, so both agree on what a value looks like.
 */

/** Parse an ISO-8601 date-time (any offset, or none for UTC) to canonical UTC text; undefined if invalid. */
export function canonicalTimestamp(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const micros = (frac + '000000').slice(0, 6);
  const base = utcMillis(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(base);
  if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const utc = new Date(base - offsetMinutes * 60_000);
  const year = utc.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(year, 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}T${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}.${micros}Z`;
}

/** Date.UTC reads years 0 to 99 as 1900 to 1999; this does not ('0001-01-01' is a common sentinel). */
function utcMillis(year: number, month: number, day: number, h = 0, mi = 0, s = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(h, mi, s, 0);
  return d.getTime();
}

export function canonicalDate(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const d = new Date(utcMillis(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** Decimal text with exactly `scale` fractional digits; undefined if it has more digits than fit. */
export function canonicalDecimal(text: string, precision: number, scale: number): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const negative = m[1] === '-';
  const whole = (m[2] ?? '').replace(/^0+/, '') || '0';
  const fracRaw = m[3] ?? '';
  if (fracRaw.replace(/0+$/, '').length > scale) return undefined;
  if ((whole === '0' ? 0 : whole.length) > precision - scale) return undefined;
  const frac = fracRaw.padEnd(scale, '0').slice(0, scale);
  const body = scale > 0 ? `${whole}.${frac}` : whole;
  const zero = /^[0.]*$/.test(body);
  return negative && !zero ? `-${body}` : body;
}
