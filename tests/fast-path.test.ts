/**
 * The syntax stage has two paths (src/syntax/fast-path.ts and the Chevrotain pipeline behind
 * parseWithRecovery). They must agree: on a file without a syntax error the fast path builds the
 * same AST, spans included, and on a file with one it gives up, so that the Chevrotain path
 * reports it. Checked on every committed .mdl file, on generated valid files that use every
 * production, and on mutations of both. Fixed seed, so CI is repeatable.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../src/index.js';
import { fastPathKeywords, parseFast } from '../src/syntax/fast-path.js';
import { tokens } from '../src/syntax/lexer.js';
import { parseWithRecovery } from '../src/syntax/parse.js';
import { root } from './helpers.js';

const SEED = 20261124;

function mdlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return mdlFiles(p);
    return e.endsWith('.mdl') ? [p] : [];
  });
}

/** Both paths on one text: the fast path's result, and the Chevrotain path's AST and errors. */
function bothPaths(text: string) {
  const fast = parseFast('t.mdl', text);
  const diagnostics = new Diagnostics();
  const slow = parseWithRecovery({ path: 't.mdl', text }, diagnostics);
  return { fast, slow, errors: diagnostics.items.map((d) => d.code) };
}

function assertAgree(text: string): boolean {
  const { fast, slow, errors } = bothPaths(text);
  if (errors.length > 0) {
    expect(fast, `the fast path accepted a file with ${errors.join(', ')}:\n${text}`).toBeUndefined();
    return false;
  }
  expect(fast, `the fast path gave up on a correct file:\n${text}`).toBeDefined();
  expect(fast!.ast).toStrictEqual(slow.ast);
  expect(fast!.comments).toStrictEqual(slow.comments);
  return true;
}

const corpusFiles = [...mdlFiles(join(root, 'examples')), ...mdlFiles(join(root, 'tests/cases'))];
const corpus = corpusFiles.map((f) => readFileSync(f, 'utf8'));

// A generator of correct files that reaches every production and the lexer's corners: keywords
// in any case, soft keywords as names, quoted names with doubled quotes, every kind of literal,
// comments and unusual whitespace between tokens. Tokens are joined with S, a mark replaced at the
// end by a separator, so that strings and quoted names keep their own spaces.
const S = '\u0001';
const RESERVED = ['CREATE', 'PRIMARY', 'FOREIGN', 'CONSTRAINT', 'UNIQUE', 'REFERENCES', 'NOT', 'NULL', 'DEFAULT', 'ON', 'TRUE', 'FALSE'];
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
const validFile = fc
  .tuple(fc.array(model, { maxLength: 3 }), fc.array(fc.constantFrom(...SEPARATORS), { minLength: 64, maxLength: 64 }))
  .map(([models, seps]) => {
    let i = 0;
    return models.join('\n').replace(/\u0001/g, () => seps[i++ % seps.length]!);
  });

describe('the fast path and the Chevrotain path agree', () => {
  it('on the keywords, and on which of them are reserved', () => {
    const T = tokens();
    expect([...fastPathKeywords.all].sort()).toEqual(T.keywordTokens.map((t) => t.name).sort());
    expect([...fastPathKeywords.reserved].sort()).toEqual([...T.reservedWords].sort());
  });

  it('on every committed .mdl file, and takes the fast path on every correct one', () => {
    let correct = 0;
    for (const [i, text] of corpus.entries()) {
      const file = relative(root, corpusFiles[i]!);
      const { fast, slow, errors } = bothPaths(text);
      if (errors.length > 0) {
        expect(fast, `${file}: accepted by the fast path despite ${errors.join(', ')}`).toBeUndefined();
      } else {
        expect(fast, `${file}: the fast path gave up on a correct file`).toBeDefined();
        expect(fast!.ast, file).toStrictEqual(slow.ast);
        expect(fast!.comments, file).toStrictEqual(slow.comments);
        correct++;
      }
    }
    // The examples and the valid cases; if this drops, a test above no longer tests much.
    expect(correct).toBeGreaterThan(40);
  });

  it('on generated correct files that use every production', () => {
    fc.assert(
      fc.property(validFile, (text) => {
        expect(assertAgree(text), `Chevrotain reported an error in a generated correct file:\n${text}`).toBe(true);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('on correct files with pieces cut, repeated, swapped or inserted', () => {
    const pieces = ['(', ')', ',', ';', "'", '"', '--', '/*', '*/', '.', '-', 'NOT', 'KEY', 'PRIMARY', 'VERSION', '1', 'x', '\n', 'é'];
    const mutated = fc
      .tuple(
        fc.oneof(fc.constantFrom(...corpus), validFile),
        fc.array(
          fc.record({ at: fc.nat(), length: fc.nat({ max: 12 }), kind: fc.constantFrom('cut', 'repeat', 'insert'), insert: fc.constantFrom(...pieces) }),
          { minLength: 1, maxLength: 3 },
        ),
      )
      .map(([doc, edits]) => {
        let text = doc;
        for (const e of edits) {
          const at = text.length === 0 ? 0 : e.at % text.length;
          if (e.kind === 'cut') text = text.slice(0, at) + text.slice(at + e.length);
          else if (e.kind === 'repeat') text = text.slice(0, at) + text.slice(at, at + e.length) + text.slice(at);
          else text = text.slice(0, at) + e.insert + text.slice(at);
        }
        return text;
      });
    let accepted = 0;
    fc.assert(
      fc.property(mutated, (text) => {
        if (assertAgree(text)) accepted++;
      }),
      { seed: SEED, numRuns: 1500 },
    );
    // Both outcomes must be exercised for the property to mean something.
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(1450);
  });
});
