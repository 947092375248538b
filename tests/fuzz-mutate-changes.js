// Fuzzing: mutators for change files. CSV and JSON Lines text broken the ways exports and hands
// break it (ragged rows, stray quotes, missing headers, repeated and renamed keys, truncated JSON),
// bytes broken below the text (invalid UTF-8, NUL, BOMs, bare CRs), and values that test each
// column type's conversion. Pure functions of the random source (fuzz-mutate.js); types in
// fuzz-mutate-changes.d.ts.

/** Values that stress each column type's conversion; some fit, most do not. */
export const FIELD_VALUES = [
  '', ' ', 'NULL', 'null', 'd', 'D ', ' u', 'x', 'U', '0', '-0', '+1', ' 1 ', '1.', '.5', '1e3', '1E-400', '1e309', 'NaN',
  'Infinity', '-Infinity', '0x10', '１２', '٣', '9223372036854775807', '9223372036854775808', '-9223372036854775809',
  '32768', '-32769', '2147483648', '12345678901234567890.12345', '0.000000000000000000001', '1.10', '-0.00', '00012',
  'true', 'FALSE', 'yes', 'No', 't', 'f', '2', '2024-02-29', '2023-02-29', '2024-13-01', '0000-01-01', '9999-12-31',
  '2024-03-01T12:00:00Z', '2024-03-01 12:00:00', '2024-03-01T12:00:00.123456789+05:30', '2024-03-01T24:00:00Z',
  '2024-03-01T12:00:00+14:01', '2024-03-01T12:00:00-0800', '2024-03-01T12:00', '1970-01-01T00:00:00.0000001Z', '{}',
  '[1, 2]', '{"a": [1, {"b": null}]}', '{"a": 1,}', '"s"', 'é', '\u0000', '\ud800', '\u{1f600}', 'a,b', 'a"b', 'a\nb',
];

/** A value that usually fits a column of this type, so that rows get past conversion. */
export function plausible(r, type) {
  switch (type.kind) {
    case 'string': return r.pick(['a', 'b', 'abc', 'é', 'x'.repeat(r.size(300))]);
    case 'integer': return String(r.int(4));
    case 'double': return r.pick(['1.5', '-2', '1e3']);
    case 'decimal': return r.pick(['0', '1', '0.5', '12.50']);
    case 'boolean': return r.pick(['true', 'false']);
    case 'date': return `2024-03-0${1 + r.int(9)}`;
    case 'timestamp': return `2024-03-01T12:0${r.int(10)}:00${r.pick(['Z', '+01:00', ''])}`;
    case 'json': return r.pick(['{"a": 1}', '[]', '"s"', 'null']);
    default: return 'x';
  }
}

/** A field as CSV writes it: quoted when it must be, empty for null. */
export function csvField(v) {
  if (v === null) return '';
  return /[",\r\n]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Splits CSV text into lines of fields; quotes are ignored (this is for breaking files, not reading them). */
function csvLines(text) {
  return text.split(/\r\n|\n|\r/).map((line) => line.split(','));
}

function csvQuote(r, v) {
  if (/[",\r\n]/.test(v) || r.chance(0.1)) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

/** One structural mutation of CSV text: rows, fields, header, quoting, values. */
export function mutateCsv(r, text, limits) {
  const lines = csvLines(text);
  if (lines.length > 1 && lines[lines.length - 1].join('') === '') lines.pop();
  const row = () => (lines.length > 1 ? 1 + r.int(lines.length - 1) : 0);
  const field = (i) => r.int(lines[i].length);
  const join = () => {
    const ends = r.chance(0.7) ? [r.pick(['\n', '\r\n', '\r'])] : ['\n', '\r\n', '\r'];
    return lines.map((l) => l.join(',')).reduce((s, l, i) => (i === 0 ? l : s + r.pick(ends) + l), '') + (r.chance(0.7) ? r.pick(ends) : '');
  };
  switch (r.int(12)) {
    case 0: {
      const i = row();
      if (r.chance(0.5)) lines[i].splice(field(i), 1);
      else lines[i].splice(field(i), 0, r.pick(FIELD_VALUES).replace(/[,\r\n]/g, ''));
      break;
    }
    case 1: {
      const i = row();
      const j = field(i);
      lines[i][j] = r.chance(0.5) ? `"${lines[i][j]}` : `${lines[i][j]}"${r.chance(0.5) ? 'x' : ''}`;
      break;
    }
    case 2: {
      const i = row();
      const j = field(i);
      lines[i][j] = csvQuote(r, r.pick(FIELD_VALUES));
      break;
    }
    case 3: lines.splice(0, 1); break;
    case 4: {
      const h = lines[0];
      const j = r.int(h.length);
      const choice = r.int(4);
      if (choice === 0) h[j] = h[j].toUpperCase();
      else if (choice === 1) h[j] = ` ${h[j]} `;
      else if (choice === 2) h.push(r.pick(h));
      else h[j] = csvQuote(r, r.pick(['unknown_column', '', '_change_request_type', h[j] + 'x', '"']));
      break;
    }
    case 5: {
      const i = row();
      const j = row();
      [lines[i], lines[j]] = [lines[j], lines[i]];
      break;
    }
    case 6: {
      const i = row();
      for (let n = r.size(limits.repeat); n > 0; n--) lines.splice(i, 0, [...lines[i]]);
      break;
    }
    case 7: lines.splice(row(), r.size(3)); break;
    case 8: {
      const i = row();
      const j = field(i);
      // A huge field: the field repeated to up to `field` characters.
      const f = lines[i][j] || 'x';
      lines[i][j] = csvQuote(r, f.repeat(Math.max(1, Math.ceil(r.size(limits.field) / f.length))));
      break;
    }
    case 9: {
      // The change type column, with something in it.
      const h = lines[0];
      let j = h.indexOf('_change_request_type');
      if (j < 0) {
        h.push('_change_request_type');
        j = h.length - 1;
      }
      lines[row()][j] = r.pick(['d', 'D', ' u ', 'x', '', 'delete', '"d"']);
      break;
    }
    case 10: lines.splice(row(), 0, r.chance(0.5) ? [''] : ['', '']); break;
    default: {
      const i = row();
      lines[i] = lines[i].map((f) => (r.chance(0.3) ? ` ${f}` : f));
      break;
    }
  }
  return join();
}

/** One structural mutation of JSON Lines text: keys, values, lines and broken JSON. */
export function mutateJsonl(r, text, limits) {
  const lines = text.split(/\r?\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
  if (lines.length === 0) lines.push('{}');
  const i = r.int(lines.length);
  const line = lines[i];
  let obj;
  try {
    obj = JSON.parse(line);
  } catch {
    obj = undefined;
  }
  const isObject = obj !== null && typeof obj === 'object' && !Array.isArray(obj);
  const keys = isObject ? Object.keys(obj) : [];
  const value = () => {
    const v = r.pick(FIELD_VALUES);
    switch (r.int(6)) {
      case 0: return JSON.stringify(v);
      case 1: return /^-?\d/.test(v) && !/[^0-9eE.+-]/.test(v) ? v : JSON.stringify(v);
      case 2: return r.pick(['true', 'false', 'null', '[]', '{}', '[1,[2,[3]]]', '{"k":{"k":{}}}', '-0', '1e400', '0.1e-999']);
      case 3: return r.pick(['"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"\\u0000"', '"a\\/b"', '"\\x41"', "'s'", 'NaN', '01', '+1', '.5', '1.', 'tru', '"\t"']);
      case 4: return '['.repeat(r.size(limits.depth)) + ']'.repeat(r.size(limits.depth));
      default: return JSON.stringify(v.repeat(r.size(limits.field)));
    }
  };
  switch (r.int(10)) {
    case 0:
      if (isObject && keys.length > 0) {
        const k = r.pick(keys);
        lines[i] = line.replace(JSON.stringify(k), r.pick([k.toUpperCase(), `${k}x`, '', '_change_request_type', k]).replace(/^|$/g, '"'));
      }
      break;
    case 1:
      if (isObject && keys.length > 0) {
        const k = r.pick(keys);
        const rest = Object.entries(obj).filter(([key]) => key !== k).map(([key, v]) => `${JSON.stringify(key)}: ${JSON.stringify(v)}`);
        rest.splice(r.int(rest.length + 1), 0, `${JSON.stringify(k)}: ${value()}`);
        lines[i] = `{${rest.join(', ')}}`;
      }
      break;
    case 2:
      if (isObject && keys.length > 0) {
        // A key twice, or twice in different case.
        const k = r.pick(keys);
        lines[i] = line.replace(/}\s*$/, `, ${JSON.stringify(r.chance(0.5) ? k : k.toUpperCase())}: ${value()}}`);
      }
      break;
    case 3: lines[i] = line.slice(0, r.int(line.length + 1)); break;
    case 4: {
      const j = r.int(line.length + 1);
      lines[i] = line.slice(0, j) + r.pick(['}', '{', '"', ':', ',', '\\', ' ', '\t', '\r', '\u0000', '\u2028']) + line.slice(j + (r.chance(0.5) ? 1 : 0));
      break;
    }
    case 5: lines[i] = r.pick(['[1]', '"s"', '1', 'null', 'true', '', ' ', '{}', '{"a":1} {"b":2}', '{"a":1}x']); break;
    case 6: {
      const j = r.int(lines.length);
      for (let n = r.size(limits.repeat); n > 0; n--) lines.splice(j, 0, lines[i]);
      break;
    }
    case 7: lines.splice(i, r.chance(0.5) ? 1 : 2, ...(r.chance(0.5) ? [lines[(i + 1) % lines.length] + line] : [])); break;
    case 8:
      if (isObject) lines[i] = JSON.stringify({ ...obj, _change_request_type: r.pick(['d', 'D', 'u', ' d ', 'x', '', null, 1, true]) });
      break;
    default: {
      const j = r.int(lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      break;
    }
  }
  const ends = r.chance(0.7) ? [r.pick(['\n', '\r\n'])] : ['\n', '\r\n', '\r'];
  return lines.reduce((s, l, k) => (k === 0 ? l : s + r.pick(ends) + l), '') + (r.chance(0.7) ? '\n' : '');
}

const BAD_UTF8 = [[0xff], [0xfe], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0xc3]];

/** One byte-level mutation: flips, NULs, invalid UTF-8, BOMs and line breaks anywhere. */
export function mutateBytes(r, bytes) {
  const at = () => r.int(bytes.length + 1);
  const insert = (extra) => {
    const i = r.chance(0.2) ? bytes.length : at();
    return Buffer.concat([bytes.subarray(0, i), Buffer.from(extra), bytes.subarray(i)]);
  };
  switch (r.int(6)) {
    case 0: {
      const out = Buffer.from(bytes);
      for (let n = r.size(8); n > 0 && out.length > 0; n--) out[r.int(out.length)] ^= 1 << r.int(8);
      return out;
    }
    case 1: return insert(new Array(r.size(16)).fill(0));
    case 2: return insert(r.pick(BAD_UTF8));
    case 3: return r.chance(0.5) ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) : insert([0xef, 0xbb, 0xbf]);
    case 4: return insert([r.pick([0x0a, 0x0d]), ...(r.chance(0.5) ? [0x0a] : [])]);
    default: {
      const i = at();
      return Buffer.concat([bytes.subarray(0, i), bytes.subarray(Math.min(bytes.length, i + r.size(32)))]);
    }
  }
}
