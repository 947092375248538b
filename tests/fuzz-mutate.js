// Fuzzing: a seeded random source, the corpus, and the mutators that turn valid .mdl text into
// the broken text people write (fuzz-mutate-changes.js does the same for change files).
//
// The fuzz-*.js files are plain JavaScript with types beside them (.d.ts), so that
// tests/fuzz.test.ts (on src/, in CI) and scripts/fuzz.js (on dist/, for long runs) share every
// generator and property. Everything here is a pure function of its random source: a case is
// reproduced from its seed alone. Mutators work on strings, so they can make lone surrogates
// and NULs; fuzz-mutate-changes.js also breaks bytes, to make invalid UTF-8.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';

// ---------------------------------------------------------------------------------------------
// Random source

/** A small, fast, seedable generator (mulberry32); every draw goes through it. */
export function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return {
    next,
    int,
    /** An integer in [lo, hi]. */
    range: (lo, hi) => lo + int(hi - lo + 1),
    pick: (items) => items[int(items.length)],
    chance: (p) => next() < p,
    /** Small numbers often, large ones sometimes: sizes, counts, lengths. */
    size: (max) => Math.min(max, Math.floor(Math.exp(next() * Math.log(max + 1)))),
  };
}

/** The seed of one case: a hash of the run's seed, the target and the case's index (FNV-1a). */
export function caseSeed(seed, target, index) {
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${target}:${index}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Corpus

function filesUnder(dir, ext) {
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) return filesUnder(p, ext);
      return ext.includes(extname(e)) ? [p] : [];
    });
}

/**
 * The examples' projects (their .mdl files, and their change files with the model each is for)
 * and every .mdl under tests/cases, read from the repository at `root`.
 */
export function loadCorpus(root) {
  const projects = readdirSync(join(root, 'examples'))
    .sort()
    .filter((name) => statSync(join(root, 'examples', name)).isDirectory())
    .map((name) => {
      const dir = join(root, 'examples', name);
      const models = join(dir, 'models');
      const sources = filesUnder(models, ['.mdl']).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));
      const changesDir = join(dir, 'changes');
      const changes = filesUnder(changesDir, ['.csv', '.jsonl']).map((p) => ({
        path: relative(root, p),
        model: basename(p, extname(p)),
        format: extname(p) === '.csv' ? 'csv' : 'jsonl',
        bytes: readFileSync(p),
      }));
      return { name, models, sources, changes };
    });
  const cases = filesUnder(join(root, 'tests', 'cases'), ['.mdl']).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));
  return { projects, cases };
}

// ---------------------------------------------------------------------------------------------
// .mdl text

const TYPES = [
  'STRING', 'TEXT', 'VARCHAR', 'VARCHAR(1)', 'VARCHAR(0)', 'VARCHAR(99999999999999999999)', 'INTEGER', 'INT', 'SMALLINT',
  'BIGINT', 'LONG', 'DOUBLE', 'FLOAT', 'NUMBER', 'DECIMAL(38, 0)', 'DECIMAL(18, 2)', 'DECIMAL(0, 0)', 'DECIMAL(5, 9)',
  'DECIMAL(1000, 2)', 'DECIMAL', 'DECIMAL(4)', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'DATETIME', 'JSON', 'BLOB', 'varchar ( 3 )',
];
const CARDINALITIES = ['MANY TO ONE', 'ONE TO ONE', 'MANY TO MANY', 'ONE TO MANY', 'MANY TO', 'TO ONE'];
const ACTIONS = ['CASCADE', 'SET NULL', 'RESTRICT', 'NO ACTION', 'SET DEFAULT'];
const LITERALS = ["'x'", "''", "'it''s'", '1', '-2.5', '1e400', '99999999999999999999999', 'TRUE', 'FALSE', 'NULL', "'2024-02-30'", "'2024-03-01T12:00:00Z'", "'{\"a\": 1}'"];
const OPTIONS = ['BEHAVIOR TIME SERIES', 'BEHAVIOR RECORD', 'WITH HISTORY', "COMMENT 'c'", 'BEHAVIOR', 'WITH'];
const PIECES = [
  'CREATE', 'MODEL', 'IF', 'NOT', 'EXISTS', 'NULL', '(', ')', ',', ';', 'PRIMARY', 'KEY', 'VERSION', 'TIMESTAMP', 'UNIQUE',
  'REFERENCES', 'FOREIGN', 'CONSTRAINT', 'ON', 'DELETE', 'CASCADE', 'SET', 'RESTRICT', 'NO', 'ACTION', 'MANY', 'TO', 'ONE',
  'BEHAVIOR', 'RECORD', 'TIME', 'SERIES', 'WITH', 'HISTORY', 'COMMENT', 'DEFAULT', 'TRUE', '"', "'", '--', '/*', '*/', '$',
  '__', '_mdl_x', '_change_request_type', 'a__b', '"a""b"', '""', '0', '-', '.', '\n', '\r', '\r\n', '\t', '\f', '\v',
];
/** Text that is hard on spans, columns and case folding: combining marks, astral planes, İ and ß. */
const UNICODE = [
  'é', 'e\u0301', '\u200b', '\u202e', '\u2028', '\u2029', '\ufeff', '\u{1d518}', '\u{1f600}', 'Σ', 'ﬃ', '\u0130', 'ß',
  '\ufffd', 'ＣＲＥＡＴＥ', '\u00a0', '\u3000', '\u0085', 'ǅ', 'K', 'ı',
];
const SURROGATES = ['\ud800', '\udfff', '\udc00\ud800', '\ud83d', 'a\ud800b'];

/** Rough tokens with their offsets: enough to cut, repeat and swap whole words and strings. */
export function roughTokens(text) {
  const re = /"(?:[^"]|"")*"?|'(?:[^']|'')*'?|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|[A-Za-z_0-9]+|\S/gu;
  const out = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  return out;
}

function identifiers(tokens) {
  const seen = new Set();
  for (const t of tokens) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.text) || /^"/.test(t.text)) seen.add(t.text);
  return seen.size > 0 ? [...seen] : ['a'];
}

/** A plausible piece of a model, built from names the text already uses: it often checks. */
function snippet(r, names) {
  const n = () => r.pick(names);
  const cols = () => (r.chance(0.7) ? n() : `${n()}, ${n()}`);
  switch (r.int(8)) {
    case 0: return `${n()} ${r.pick(TYPES)}${r.chance(0.5) ? ' NOT NULL' : ''}`;
    case 1: return `PRIMARY KEY (${cols()})`;
    case 2: return `${r.pick(['VERSION', 'TIMESTAMP', 'UNIQUE'])} (${cols()})`;
    case 3: return `${r.chance(0.3) ? `CONSTRAINT ${n()} ` : ''}FOREIGN KEY (${cols()}) REFERENCES ${n()}${r.chance(0.5) ? ` (${cols()})` : ''} ${r.pick(CARDINALITIES)} ON DELETE ${r.pick(ACTIONS)}`;
    case 4: return `REFERENCES ${n()} ${r.pick(CARDINALITIES)}`;
    case 5: return `DEFAULT ${r.pick(LITERALS)}`;
    case 6: return r.pick(OPTIONS);
    default: return `ON DELETE ${r.pick(ACTIONS)}`;
  }
}

/**
 * One mutation of .mdl text. `others` are texts to splice from; `limits` bound the sizes that
 * make a case slow (CI keeps them small, the long run does not).
 */
export function mutateText(r, text, others, limits) {
  const tokens = roughTokens(text);
  const at = () => r.int(text.length + 1);
  const tok = () => (tokens.length > 0 ? r.pick(tokens) : { start: at(), end: at(), text: '' });
  const insert = (s) => {
    const i = r.chance(0.5) && tokens.length > 0 ? r.pick([tok().start, tok().end]) : at();
    return text.slice(0, i) + s + text.slice(i);
  };
  const replace = (t, s) => text.slice(0, t.start) + s + text.slice(t.end);
  switch (r.int(16)) {
    case 0: {
      // One code unit changed: a bit flipped, or any UTF-16 unit at all.
      if (text.length === 0) return insert(String.fromCharCode(r.int(0x10000)));
      const i = r.int(text.length);
      const c = r.chance(0.5) ? text.charCodeAt(i) ^ (1 << r.int(16)) : r.int(0x10000);
      return text.slice(0, i) + String.fromCharCode(c) + text.slice(i + 1);
    }
    case 1: {
      const t = tok();
      const n = r.size(8);
      const last = tokens[Math.min(tokens.length - 1, tokens.indexOf(t) + n - 1)] ?? t;
      return text.slice(0, t.start) + text.slice(last.end);
    }
    case 2: {
      const t = tok();
      // Copies of a token, up to `repeat` of them and `cap` characters in all.
      const copies = Math.min(r.size(limits.repeat), Math.floor(limits.cap / (t.text.length + 1)));
      return text.slice(0, t.end) + ` ${t.text}`.repeat(copies) + text.slice(t.end);
    }
    case 3: {
      if (tokens.length < 2) return insert(r.pick(PIECES));
      let a = tok();
      let b = tok();
      if (a.start > b.start) [a, b] = [b, a];
      if (a.end > b.start) return text;
      return text.slice(0, a.start) + b.text + text.slice(a.end, b.start) + a.text + text.slice(b.end);
    }
    case 4: {
      const other = r.pick(others) ?? text;
      return text.slice(0, at()) + other.slice(r.int(other.length + 1));
    }
    case 5: return insert(r.pick(UNICODE));
    case 6: return insert(r.chance(0.5) ? '\u0000' : '\u0000'.repeat(r.size(64)));
    case 7: return insert(r.pick(SURROGATES));
    case 8: {
      const name = r.pick(['x', 'é', '_', 'a1']).repeat(r.range(1, limits.identifier));
      const t = tokens.find((x, i) => i > 2 && /^[A-Za-z_]/.test(x.text)) ?? tok();
      return r.chance(0.5) ? replace(t, r.chance(0.2) ? `"${name}"` : name) : insert(` ${name} `);
    }
    case 9: {
      const depth = r.range(1, limits.depth);
      const s = '('.repeat(depth) + (r.chance(0.5) ? r.pick(identifiers(tokens)) : '') + (r.chance(0.7) ? ')'.repeat(depth) : '');
      return insert(s);
    }
    case 10: return insert(` ${r.pick(PIECES)} `);
    case 11: return insert(r.pick(['"', "'", '/*', '--', '*/', '"\n', "'\n"]));
    case 12: {
      // Another name where a name was: duplicates, unknown references, references to columns.
      const named = tokens.filter((t) => /^[A-Za-z_"]/.test(t.text));
      if (named.length === 0) return insert(r.pick(PIECES));
      return replace(r.pick(named), r.pick(identifiers(tokens)));
    }
    case 13: {
      // A type, cardinality, action, literal or option in place of one, or a new element.
      const words = tokens.filter((t) => /^[A-Za-z]/.test(t.text));
      if (words.length === 0 || r.chance(0.4)) {
        const commas = tokens.filter((t) => t.text === ',' || t.text === '(' || t.text === ')');
        const c = commas.length > 0 ? r.pick(commas) : tok();
        const s = snippet(r, identifiers(tokens));
        return text.slice(0, c.end) + (c.text === ')' ? ` ${s} ` : ` ${s}, `) + text.slice(c.end);
      }
      return replace(r.pick(words), snippet(r, identifiers(tokens)));
    }
    case 14: {
      const t = tok();
      const s = r.chance(0.5) ? t.text.toLowerCase() : t.text.toUpperCase();
      return replace(t, r.chance(0.2) ? s.replace(/[A-Za-z]/g, (ch) => (r.chance(0.5) ? ch.toUpperCase() : ch.toLowerCase())) : s);
    }
    default: {
      // Line endings of every kind, and a BOM where it does not belong.
      const ends = ['\n', '\r\n', '\r', '\u2028', '\ufeff'];
      return r.chance(0.5) ? text.replace(/\r?\n/g, () => r.pick(ends)) : insert(r.pick(ends));
    }
  }
}

const KEYWORDS = new Set(PIECES.filter((p) => /^[A-Z]+$/.test(p)).concat(['MODEL', 'KEY', 'TEXT', 'STRING', 'VARCHAR', 'INTEGER', 'INT', 'SMALLINT', 'BIGINT', 'LONG', 'DOUBLE', 'FLOAT', 'NUMBER', 'DECIMAL', 'BOOLEAN', 'DATE', 'DATETIME', 'JSON', 'FALSE']));

/** The statements of a text, each with the token ranges of its elements (the parts between top-level commas). */
export function statements(tokens) {
  const out = [];
  let current;
  let depth = 0;
  let elementStart = -1;
  tokens.forEach((t, i) => {
    const word = t.text.toUpperCase();
    if (word === 'CREATE' && depth === 0) {
      current = { first: i, last: i, open: -1, close: -1, elements: [] };
      out.push(current);
    }
    if (!current) return;
    current.last = i;
    if (t.text === '(') {
      depth++;
      if (depth === 1 && current.open < 0) {
        current.open = i;
        elementStart = i + 1;
      }
    } else if (t.text === ')') {
      if (depth === 1 && current.close < 0) {
        current.close = i;
        if (elementStart < i) current.elements.push([elementStart, i - 1]);
      }
      depth = Math.max(0, depth - 1);
    } else if (t.text === ',' && depth === 1 && current.close < 0) {
      if (elementStart < i) current.elements.push([elementStart, i - 1]);
      elementStart = i + 1;
    } else if (t.text === ';' && depth === 0) {
      current = undefined;
    }
  });
  return out;
}

const TYPE_RE = /\b(?:VARCHAR|DECIMAL)\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\)|\b(?:STRING|TEXT|INTEGER|INT|SMALLINT|BIGINT|LONG|DOUBLE|FLOAT|NUMBER|BOOLEAN|DATE|DATETIME|JSON|VARCHAR)\b/gi;
const CARDINALITY_RE = /\b(?:MANY|ONE)\s+TO\s+(?:ONE|MANY)\b/gi;
const ACTION_RE = /\bON\s+DELETE\s+(?:CASCADE|SET\s+NULL|RESTRICT|NO\s+ACTION)\b/gi;
const NULLABILITY_RE = /\bNOT\s+NULL\b/gi;
const OPTION_RE = /\bBEHAVIOR\s+(?:RECORD|TIME\s+SERIES)\b|\bWITH\s+HISTORY\b/gi;
const MODIFIERS = ['NOT NULL', 'NULL', 'UNIQUE', 'PRIMARY KEY', 'VERSION', 'TIMESTAMP', "COMMENT 'c'"];

function replaceMatch(r, text, re, choices) {
  const matches = [...text.matchAll(re)];
  if (matches.length === 0) return undefined;
  const m = r.pick(matches);
  return text.slice(0, m.index) + r.pick(choices) + text.slice(m.index + m[0].length);
}

/**
 * One mutation that keeps the text parsing (most of the time) but changes what it means: types,
 * names, nullability, keys, relationships and options swapped, elements and models cut, repeated
 * and moved. This is what reaches the checker's rules and the compiler.
 */
export function mutateModel(r, text, limits) {
  const tokens = roughTokens(text);
  const stmts = statements(tokens).filter((s) => s.open >= 0);
  const span = (a, b) => [tokens[a].start, tokens[b].end];
  const names = identifiers(tokens).filter((n) => !KEYWORDS.has(n.toUpperCase()));
  switch (r.int(10)) {
    case 0: return replaceMatch(r, text, TYPE_RE, TYPES) ?? text;
    case 1: return replaceMatch(r, text, CARDINALITY_RE, CARDINALITIES.slice(0, 3)) ?? text;
    case 2: return replaceMatch(r, text, ACTION_RE, ACTIONS.slice(0, 4).map((a) => `ON DELETE ${a}`)) ?? text;
    case 3: return replaceMatch(r, text, r.chance(0.5) ? NULLABILITY_RE : OPTION_RE, ['', 'NULL', 'NOT NULL', ...OPTIONS.slice(0, 4)]) ?? text;
    case 4: {
      // Another known name in place of a name: duplicates, unknown and mismatched references.
      const named = tokens.filter((t) => names.includes(t.text));
      if (named.length === 0 || names.length === 0) return text;
      const t = r.pick(named);
      const name = r.chance(0.8) ? r.pick(names) : r.pick([t.text.toUpperCase(), `"${t.text}"`, `${t.text}__x`, '_mdl_x', '_change_request_type']);
      return text.slice(0, t.start) + name + text.slice(t.end);
    }
    case 5: {
      // A modifier after a column's type.
      const columns = stmts.flatMap((s) => s.elements).filter(([a, b]) => b > a && !KEYWORDS.has(tokens[a].text.toUpperCase()));
      if (columns.length === 0) return text;
      const [, b] = r.pick(columns);
      const modifier = r.chance(0.2) ? `REFERENCES ${r.pick(names)}` : r.chance(0.1) ? `DEFAULT ${r.pick(LITERALS)}` : r.pick(MODIFIERS);
      return `${text.slice(0, tokens[b].end)} ${modifier}${text.slice(tokens[b].end)}`;
    }
    case 6: {
      // An element cut, repeated or moved to another model.
      const s = stmts.length > 0 ? r.pick(stmts) : undefined;
      if (!s || s.elements.length === 0) return text;
      const el = r.pick(s.elements);
      const [start, end] = span(el[0], el[1]);
      const piece = text.slice(start, end);
      if (r.chance(0.4) && s.elements.length > 1) {
        const cutEnd = tokens[el[1] + 1]?.text === ',' ? tokens[el[1] + 1].end : end;
        return text.slice(0, start) + text.slice(cutEnd);
      }
      const target = r.pick(stmts);
      const at = tokens[target.open].end;
      return `${text.slice(0, at)} ${piece},${text.slice(at)}`;
    }
    case 7: {
      // A model cut or repeated (a duplicate model), or its name changed.
      if (stmts.length === 0) return text;
      const s = r.pick(stmts);
      const end = tokens[Math.min(tokens.length - 1, s.last)].end;
      const piece = text.slice(tokens[s.first].start, end);
      if (r.chance(0.4)) return text.slice(0, tokens[s.first].start) + text.slice(end);
      return `${text}\n${r.chance(0.5) ? piece : piece.replace(/^(CREATE\s+MODEL\s+)(IF\s+NOT\s+EXISTS\s+)?/i, (m) => (r.chance(0.5) ? `${m}IF NOT EXISTS ` : m))}\n`;
    }
    case 8: {
      const s = stmts.length > 0 ? r.pick(stmts) : undefined;
      if (!s || s.close < 0) return text;
      const at = tokens[s.close].start;
      return `${text.slice(0, at)}, ${snippet(r, names.length > 0 ? names : ['a'])} ${text.slice(at)}`;
    }
    default: {
      // A long name: SQLite has no limit, the checker may.
      const named = tokens.filter((t) => names.includes(t.text));
      if (named.length === 0) return text;
      const t = r.pick(named);
      const long = t.text.repeat(Math.ceil(r.size(limits.identifier) / t.text.length));
      return text.slice(0, t.start) + long + text.slice(t.end);
    }
  }
}

/** Random text: arbitrary code units, or the language's own words in any order. */
export function randomText(r, maxLength) {
  if (r.chance(0.4)) {
    const n = r.size(maxLength);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(r.chance(0.8) ? r.int(128) : r.int(0x10000));
    return s;
  }
  const words = [];
  const n = r.size(Math.max(1, maxLength >> 2));
  for (let i = 0; i < n; i++) words.push(r.chance(0.8) ? r.pick(PIECES) : r.chance(0.5) ? r.pick(TYPES) : r.pick(UNICODE));
  return words.join(r.pick([' ', '', '\n']));
}
