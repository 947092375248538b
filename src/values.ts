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
  return fastTimestamp(text) ?? generalTimestamp(text);
}

/**
 * The general parser: every form canonicalTimestamp accepts. Exported for the test that holds
 * the fast path to it.
 */
export function generalTimestamp(text: string): string | undefined {
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
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2, 4) || '0');
    // An offset is at most 23:59 either way (RFC 3339's time-numoffset): +25:00 is a mistake, not a time.
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = sign * (hours * 60 + minutes);
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
  return isCanonicalDecimal(text, precision, scale) ? text : generalDecimal(text, precision, scale);
}

/** The general form of canonicalDecimal; exported for the test that holds the fast path to it. */
export function generalDecimal(text: string, precision: number, scale: number): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const negative = m[1] === '-';
  const whole = (m[2] ?? '').replace(/^0+/, '') || '0';
  const fracRaw = m[3] ?? '';
  // Trailing zeros counted by a loop: a regular expression anchored at the end backtracks quadratically.
  let significant = fracRaw.length;
  while (significant > 0 && fracRaw.charCodeAt(significant - 1) === 48) significant--;
  if (significant > scale) return undefined;
  if ((whole === '0' ? 0 : whole.length) > precision - scale) return undefined;
  const frac = fracRaw.padEnd(scale, '0').slice(0, scale);
  const body = scale > 0 ? `${whole}.${frac}` : whole;
  const zero = /^[0.]*$/.test(body);
  return negative && !zero ? `-${body}` : body;
}

/**
 * A number literal (the lexer's -?digits[.digits][e±digits]) written without an exponent and
 * without zeros that do not count (1e6 is 1000000, 2.50 is 2.5, 2.0 is 2), exactly; undefined
 * when that would take more than a few hundred digits.
 */
export function plainNumber(text: string): string | undefined {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = m;
  const shift = Number(exponent);
  if (!Number.isSafeInteger(shift) || Math.abs(shift) > 400) return undefined;
  // The digits, and where the point goes among them.
  const digits = whole + fraction;
  let point = whole.length + shift;
  let padded = digits;
  if (point > padded.length) padded += '0'.repeat(point - padded.length);
  if (point < 0) {
    padded = '0'.repeat(-point) + padded;
    point = 0;
  }
  const intPart = padded.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const fracPart = padded.slice(point).replace(/0+$/, '');
  const plain = fracPart === '' ? intPart : `${intPart}.${fracPart}`;
  return sign && /[1-9]/.test(plain) ? `-${plain}` : plain;
}

const DIGIT_0 = 48;

/**
 * Whether text is already canonical for (precision, scale): an optional '-', a whole part without
 * leading zeros (or a single 0), and, when scale > 0, a point and exactly `scale` digits; not a
 * negative zero. Most decimals in change files are, and are then stored as they are.
 */
function isCanonicalDecimal(text: string, precision: number, scale: number): boolean {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  const wholeStart = i;
  while (i < n && text.charCodeAt(i) >= DIGIT_0 && text.charCodeAt(i) <= DIGIT_0 + 9) i++;
  const whole = i - wholeStart;
  if (whole === 0 || (whole > 1 && text.charCodeAt(wholeStart) === DIGIT_0)) return false;
  const zeroWhole = whole === 1 && text.charCodeAt(wholeStart) === DIGIT_0;
  if (!zeroWhole && whole > precision - scale) return false;
  let nonZero = !zeroWhole;
  if (scale > 0) {
    if (text.charCodeAt(i) !== 46 || n - i - 1 !== scale) return false;
    for (let j = i + 1; j < n; j++) {
      const d = text.charCodeAt(j) - DIGIT_0;
      if (d < 0 || d > 9) return false;
      if (d !== 0) nonZero = true;
    }
  } else if (i !== n) return false;
  return wholeStart === 0 || nonZero;
}

/** Two or more digits at `at` as a number, or -1 if any is not a digit. */
function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * The shape change files nearly always use, parsed without a regular expression or a Date:
 * YYYY-MM-DDTHH:MM:SS, an optional fraction of 1 to 9 digits, then Z or an offset ±HH:MM. Anything
 * else, including anything this cannot prove valid, is undefined: the general parser decides.
 */
function fastTimestamp(text: string): string | undefined {
  const n = text.length;
  if (n < 20 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84) return undefined;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined;
  const monthDays = mo === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
  if (d > monthDays) return undefined;
  let i = 19;
  let micros = '000000';
  if (text.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < n && i - start < 9 && digits(text, i, 1) >= 0) i++;
    const len = i - start;
    if (len === 0) return undefined;
    micros = len >= 6 ? text.slice(start, start + 6) : text.slice(start, i) + '000000'.slice(len);
  }
  let offset = 0;
  const z = text.charCodeAt(i);
  if ((z === 90 || z === 122) && i + 1 === n) {
    // Z
  } else if ((z === 43 || z === 45) && i + 6 === n && text.charCodeAt(i + 3) === 58) {
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return undefined;
    offset = (z === 45 ? -1 : 1) * (oh * 60 + om);
  } else return undefined;
  const local = h * 60 + mi - offset;
  if (offset === 0 || (local >= 0 && local < 1440)) {
    // The same day in UTC: only the hours and minutes move.
    return `${text.slice(0, 11)}${pad2(Math.floor(local / 60))}:${pad2(local % 60)}:${pad2(s)}.${micros}Z`;
  }
  let minutes = daysFromCivil(y, mo, d) * 1440 + local;
  const days = Math.floor(minutes / 1440);
  minutes -= days * 1440;
  const [yy, mm, dd] = civilFromDays(days);
  if (yy < 0 || yy > 9999) return undefined;
  return `${String(yy).padStart(4, '0')}-${pad2(mm)}-${pad2(dd)}T${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}:${pad2(s)}.${micros}Z`;
}

/**
 * Whether a timestamp's text has a digit that is not 0 past the sixth of its fraction: finer than
 * the microsecond a TIMESTAMP stores, so it would be cut off (ingest and DEFAULT refuse it).
 */
export function finerThanMicrosecond(text: string): boolean {
  return SUB_MICROSECOND.test(text);
}
const SUB_MICROSECOND = /\.\d{6}\d*[1-9]/;

/**
 * Whether number text that a double reads as 0 is not 0: a value too small for a double (1e-400),
 * which would be stored as 0 (ingest and DEFAULT refuse it).
 */
export function underflowsToZero(text: string): boolean {
  return /[1-9]/.test(text.replace(/[eE].*$/, ''));
}

