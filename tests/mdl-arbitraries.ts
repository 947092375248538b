/**
 * Arbitraries of .mdl text shared by the tests that hold two paths to the same result (the
 * syntax stage's fast path, check's direct path): the committed files, generated correct files
 * that reach every production and the lexer's corners, and mutations of both.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { root } from './helpers.js';

export const SEED = 20261124;

/** Every .mdl file below `dir`, in name order. */
export function mdlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) return mdlFiles(p);
      return e.endsWith('.mdl') ? [p] : [];
    });
}

export const corpusFiles = [...mdlFiles(join(root, 'examples')), ...mdlFiles(join(root, 'tests/cases'))];
export const corpus = corpusFiles.map((f) => readFileSync(f, 'utf8'));

// A generator of correct files that reaches every production and the lexer's corners: keywords
// in any case, soft keywords as names, quoted names with doubled quotes, every kind of literal,
// comments and unusual whitespace between tokens. Tokens are joined with S, a mark replaced at the
// end by a separator, so that strings and quoted names keep their own spaces.
const S = '\u0001';
export const RESERVED = ['CREATE', 'PRIMARY', 'FOREIGN', 'CONSTRAINT', 'UNIQUE', 'REFERENCES', 'NOT', 'NULL', 'DEFAULT', 'ON', 'TRUE', 'FALSE'];
const SOFT = ['MODEL', 'IF', 'EXISTS', 'KEY', 'VERSION', 'TIMESTAMP', 'DELETE', 'CASCADE', 'SET', 'RESTRICT', 'NO', 'ACTION',
  'MANY', 'ONE', 'TO', 'BEHAVIOR', 'RECORD', 'TIME', 'SERIES', 'WITH', 'HISTORY', 'COMMENT'];

const anyCase = (word: string) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((up) =>
    [...word].map((ch, i) => (up[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''),
  );
const kw = (phrase: string) => fc.tuple(...phrase.split(' ').map(anyCase)).map((ws) => ws.join(S));

const plainName = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/)
  .filter((w) => !RESERVED.includes(w.toUpperCase()));
const quotedName = fc.stringMatching(/^[A-Za-z0-9_ ;(),'"-]{1,10}$/).map((w) => `"${w.replace(/"/g, '""')}"`);
const name = fc.oneof({ weight: 5, arbitrary: plainName }, fc.constantFrom(...SOFT).chain(anyCase), quotedName);
const stringLit = fc.stringMatching(/^[A-Za-z0-9 '"*\/-]{0,12}$/).map((s) => `'${s.replace(/'/g, "''")}'`);
const numberLit = fc.stringMatching(/^-?(\d{1,4}(\.\d{0,3})?|\.\d{1,3})([eE][+-]?\d{1,2})?$/);
const literal = fc.oneof(stringLit, numberLit, kw('TRUE'), kw('FALSE'), kw('NULL'));
const columnList = fc.array(name, { minLength: 1, maxLength: 3 }).map((ns) => `(${S}${ns.join(`${S},${S}`)}${S})`);
const references = fc
  .tuple(
    kw('REFERENCES'),
    name,
    fc.option(columnList),
    fc.option(fc.tuple(fc.constantFrom('MANY', 'ONE'), fc.constantFrom('MANY', 'ONE')).chain(([a, b]) => kw(`${a} TO ${b}`))),
    fc.option(fc.constantFrom('CASCADE', 'SET NULL', 'RESTRICT', 'NO ACTION').chain((a) => kw(`ON DELETE ${a}`))),
  )
  .map((parts) => parts.filter((p) => p !== null).join(S));
const columnConstraint = fc.oneof(
  kw('NOT NULL'),
  kw('NULL'),
  fc.tuple(kw('DEFAULT'), literal).map((p) => p.join(S)),
  kw('PRIMARY KEY'),
  kw('VERSION'),
  kw('TIMESTAMP'),
  kw('UNIQUE'),
  references,
  fc.tuple(kw('COMMENT'), stringLit).map((p) => p.join(S)),
);
const dataType = fc
  .tuple(name, fc.option(fc.array(numberLit, { minLength: 1, maxLength: 2 })))
  .map(([n, args]) => (args ? `${n}${S}(${S}${args.join(`${S},${S}`)}${S})` : n));
const column = fc
  .tuple(name, dataType, fc.array(columnConstraint, { maxLength: 4 }))
  .map(([n, t, cs]) => [n, t, ...cs].join(S));
const element = fc.oneof(
  { weight: 4, arbitrary: column },
  fc.tuple(kw('PRIMARY KEY'), columnList).map((p) => p.join(S)),
  fc.tuple(kw('VERSION'), columnList).map((p) => p.join(S)),
  fc.tuple(kw('TIMESTAMP'), columnList).map((p) => p.join(S)),
  fc.tuple(kw('UNIQUE'), columnList).map((p) => p.join(S)),
  fc
    .tuple(fc.option(fc.tuple(kw('CONSTRAINT'), name).map((p) => p.join(S))), kw('FOREIGN KEY'), columnList, references)
    .map((parts) => parts.filter((p) => p !== null).join(S)),
);
const option = fc.oneof(
  kw('BEHAVIOR RECORD'),
  kw('BEHAVIOR TIME SERIES'),
  kw('WITH HISTORY'),
  fc.tuple(kw('COMMENT'), stringLit).map((p) => p.join(S)),
);
const model = fc
  .tuple(kw('CREATE MODEL'), fc.option(kw('IF NOT EXISTS')), name, fc.array(element, { minLength: 1, maxLength: 6 }), fc.array(option, { maxLength: 3 }))
  .map(([create, ifNot, n, els, opts]) => [create, ifNot ?? '', n, `(${S}${els.join(`${S},${S}`)}${S})`, ...opts, ';'].join(S));

/** The marks between tokens become any separator the lexer skips, comments included. */
const SEPARATORS = [' ', '  ', '\n', '\t', '\r\n', '\r', '\f', '\v', '\u00a0', '\ufeff', ' -- a comment\n', '/* block\n comment */', ' /**/ '];
export const validFile = fc
  .tuple(fc.array(model, { maxLength: 3 }), fc.array(fc.constantFrom(...SEPARATORS), { minLength: 64, maxLength: 64 }))
  .map(([models, seps]) => {
    let i = 0;
    return models.join('\n').replace(/\u0001/g, () => seps[i++ % seps.length]!);
  });

/** A text with pieces cut, repeated or inserted: mostly a file with a mistake, sometimes still correct. */
export function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const pieces = ['(', ')', ',', ';', "'", '"', '--', '/*', '*/', '.', '-', 'NOT', 'KEY', 'PRIMARY', 'VERSION', '1', 'x', '\n', 'é'];
  return fc
    .tuple(
      base,
      fc.array(
        fc.record({ at: fc.nat(), length: fc.nat({ max: 12 }), kind: fc.constantFrom('cut', 'repeat', 'insert'), insert: fc.constantFrom(...pieces) }),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([doc, edits]) => applyEdits(doc, edits));
}

export interface Edit {
  readonly at: number;
  readonly length: number;
  readonly kind: 'cut' | 'repeat' | 'insert';
  readonly insert: string;
}

/** The text with each edit made in turn: `length` characters at `at` (modulo the length) cut or repeated, or `insert` put there. */
export function applyEdits(doc: string, edits: readonly Edit[]): string {
  let text = doc;
  for (const e of edits) {
    const at = text.length === 0 ? 0 : e.at % text.length;
    if (e.kind === 'cut') text = text.slice(0, at) + text.slice(at + e.length);
    else if (e.kind === 'repeat') text = text.slice(0, at) + text.slice(at, at + e.length) + text.slice(at);
    else text = text.slice(0, at) + e.insert + text.slice(at);
  }
  return text;
}

// Files that also resolve: every name a key, version or relationship uses is a column of its model,
// so that resolution mostly reports nothing, and sometimes one mistake (a type mdl does not have, a
// repeated modifier, a key declared twice, an unknown column, a repeated option, a reserved name)
// so that giving up is tested too.
const columnName = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/) },
  fc.constantFrom('Amount', 'CREATED_AT', 'version', 'timestamp', 'key', 'comment', 'model'),
  fc.stringMatching(/^[a-z ]{1,6}$/).map((w) => `"${w}"`),
);
const TYPES = ['STRING', 'text', 'VARCHAR(20)', 'varchar ( 5 )', 'INTEGER', 'int', 'SMALLINT', 'BIGINT', 'LONG', 'DOUBLE',
  'float', 'NUMBER', 'DECIMAL(12, 2)', 'decimal(5)', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'DateTime', 'JSON'];
/** Modifiers by kind: a column gets at most one of each kind, unless a mistake repeats one. */
const MODIFIERS: readonly (readonly string[])[] = [
  ['NOT NULL', 'not null', 'NULL'],
  ['DEFAULT 0', "DEFAULT 'x'", 'DEFAULT TRUE', 'DEFAULT -1.5e3', 'DEFAULT NULL'],
  ["COMMENT 'it''s'", "comment ''"],
  ['UNIQUE'],
  ['REFERENCES other', 'REFERENCES other (id) ONE TO ONE', 'references Other (ID) many to one on delete set null'],
];
const resolvableColumn = fc.record({
  type: fc.constantFrom(...TYPES),
  modifiers: fc.uniqueArray(fc.nat({ max: MODIFIERS.length - 1 }), { maxLength: 3 }).chain((kinds) =>
    fc.tuple(...kinds.map((k) => fc.constantFrom(...MODIFIERS[k]!))),
  ),
});
const MISTAKES = ['bad type', 'repeated modifier', 'unknown column', 'repeated option', 'reserved name', 'two primary keys',
  'two versions', 'contradiction', 'repeated column'] as const;
export const resolvableModel = fc
  .record({
    name: fc.stringMatching(/^[A-Za-z][a-z0-9]{0,6}$/),
    names: fc.uniqueArray(columnName, { minLength: 2, maxLength: 7, selector: (n) => n.replace(/"/g, '').toLowerCase() }),
    columns: fc.array(resolvableColumn, { minLength: 7, maxLength: 7 }),
    // Which column is the key and which the version, and where each is declared.
    key: fc.nat(),
    keyInline: fc.boolean(),
    versionInline: fc.boolean(),
    timestamp: fc.option(fc.nat()),
    unique: fc.option(fc.array(fc.nat(), { minLength: 1, maxLength: 2 })),
    foreignKey: fc.option(fc.tuple(fc.nat(), fc.boolean())),
    options: fc.uniqueArray(fc.constantFrom('BEHAVIOR RECORD', 'behavior time series', 'WITH HISTORY', "COMMENT 'm'"), {
      maxLength: 3,
      selector: (o) => o.split(' ')[0]!.toUpperCase(),
    }),
    mistake: fc.option(fc.constantFrom(...MISTAKES), { freq: 3 }),
  })
  .map((m) => {
    const n = m.names.length;
    const names = [...m.names];
    // Key columns are named in another case where they are listed: names resolve case-insensitively.
    const listed = (i: number) => {
      const c = names[i % n]!;
      return c.startsWith('"') ? c : c.toUpperCase();
    };
    const key = m.key % n;
    const version = (key + 1) % n;
    const mods = m.columns.slice(0, n).map((c) => [...c.modifiers]);
    const types = m.columns.slice(0, n).map((c) => c.type);
    const elements: string[] = [];
    if (m.keyInline) mods[key]!.push('PRIMARY KEY');
    else elements.push(`PRIMARY KEY (${listed(key)})`);
    if (m.versionInline) mods[version]!.push('VERSION');
    else elements.push(`VERSION (${listed(version)})`);
    if (m.timestamp !== null) elements.push(`TIMESTAMP (${listed(m.timestamp)})`);
    if (m.unique) elements.push(`UNIQUE (${[...new Set(m.unique.map((u) => u % n))].map(listed).join(', ')})`);
    if (m.foreignKey) elements.push(`${m.foreignKey[1] ? 'CONSTRAINT c ' : ''}FOREIGN KEY (${listed(m.foreignKey[0])}) REFERENCES other`);
    const options = [...m.options];
    let name = m.name;
    switch (m.mistake) {
      case 'bad type':
        types[0] = ['NUMERIC', 'VARCHAR(0)', '"STRING"', 'DECIMAL(40, 2)', 'BOOLEAN(1)', 'VARCHAR(1, 2)'][key % 6]!;
        break;
      case 'repeated modifier':
        mods[0]!.push(mods[0]![0] ?? 'UNIQUE', mods[0]![0] ?? 'UNIQUE');
        break;
      case 'unknown column':
        elements.push('UNIQUE (nope)');
        break;
      case 'repeated option':
        options.push(options[0] ?? 'WITH HISTORY', options[0] ?? 'WITH HISTORY');
        break;
      case 'reserved name':
        if (key % 2 === 0) name = `${name}__x`;
        else names[0] = '_mdl_x';
        break;
      case 'two primary keys':
        elements.push(`PRIMARY KEY (${listed(version)})`);
        break;
      case 'two versions':
        elements.push(`VERSION (${listed(key)}, ${listed(version)})`);
        break;
      case 'contradiction':
        mods[0] = ['NOT NULL', 'DEFAULT NULL'];
        break;
      case 'repeated column':
        names.push(names[0]!.toUpperCase());
        types.push('STRING');
        mods.push([]);
        break;
      case null:
        break;
    }
    const columns = names.map((c, i) => [c, types[i]!, ...mods[i]!].join(' '));
    return `CREATE MODEL ${name} (\n  ${[...columns, ...elements].join(',\n  ')}\n) ${options.join(' ')};`;
  });
export const resolvableFile = fc.array(resolvableModel, { minLength: 1, maxLength: 3 }).map((ms) => ms.join('\n\n'));
