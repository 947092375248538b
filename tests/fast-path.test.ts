/**
 * The syntax stage has two paths (src/syntax/fast-path.ts and the Chevrotain pipeline behind
 * parseWithRecovery). They must agree: on a file without a syntax error the fast path builds the
 * same AST, spans included, and on a file with one it gives up, so that the Chevrotain path
 * reports it. Checked on every committed .mdl file, on generated valid files that use every
 * production, and on mutations of both. Fixed seed, so CI is repeatable.
 */

import { relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../src/index.js';
import { fastPathKeywords, parseFast } from '../src/syntax/fast-path.js';
import { tokens } from '../src/syntax/lexer.js';
import { parseWithRecovery } from '../src/syntax/parse.js';
import { root } from './helpers.js';
import { corpus, corpusFiles, mutated, SEED, validFile } from './mdl-arbitraries.js';

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
    const texts = mutated(fc.oneof(fc.constantFrom(...corpus), validFile));
    let accepted = 0;
    fc.assert(
      fc.property(texts, (text) => {
        if (assertAgree(text)) accepted++;
      }),
      { seed: SEED, numRuns: 1500 },
    );
    // Both outcomes must be exercised for the property to mean something.
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(1450);
  });
});
