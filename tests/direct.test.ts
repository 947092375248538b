/**
 * check's direct path (src/check/direct.ts) against the usual one (parse, then resolve the AST):
 * whenever the direct path returns models, the usual path reports nothing for the file and
 * resolves it to equal models, spans included; and it gives up on no file that parses and
 * resolves cleanly, so that correct projects take it. Checked on every committed .mdl file, on
 * generated files that resolve (or nearly), and on mutations of both. Fixed seed.
 */

import { relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveDirect } from '../src/check/direct.js';
import { Resolver } from '../src/check/resolve.js';
import { Diagnostics } from '../src/diagnostics/diagnostic.js';
import { parseWithRecovery } from '../src/syntax/parse.js';
import { root } from './helpers.js';
import { corpus, corpusFiles, mutated, resolvableFile, SEED, validFile } from './mdl-arbitraries.js';

/** Whether the direct path took the text; fails the test where the two paths disagree. */
function assertAgree(text: string, label = text): boolean {
  const drafts = resolveDirect('t.mdl', text);
  const usual = new Diagnostics();
  const resolver = new Resolver(usual);
  resolver.add(parseWithRecovery({ path: 't.mdl', text }, usual).ast);
  const reported = usual.items.map((d) => `${d.code} ${d.message}`);
  if (!drafts) {
    expect(reported, `the direct path gave up on a file that resolves cleanly:\n${label}`).not.toEqual([]);
    return false;
  }
  // Only what the two paths share may be reported: a model declared twice in the file.
  const direct = new Diagnostics();
  const taken = new Resolver(direct);
  taken.addDrafts(drafts);
  expect(direct.items, `the direct path took a file the usual path reports on:\n${label}`).toStrictEqual(usual.items);
  // Resolving across models (relationship targets) is shared too; its results must match.
  expect(taken.finish(), label).toStrictEqual(resolver.finish());
  expect(direct.items, label).toStrictEqual(usual.items);
  return true;
}

describe('the direct path and parse-then-resolve agree', () => {
  it('on every committed .mdl file, and takes every one that resolves cleanly', () => {
    let taken = 0;
    for (const [i, text] of corpus.entries()) if (assertAgree(text, relative(root, corpusFiles[i]!))) taken++;
    expect(taken).toBeGreaterThan(40);
  });

  it('on generated files that resolve, or nearly', () => {
    let taken = 0;
    fc.assert(
      fc.property(resolvableFile, (text) => {
        if (assertAgree(text)) taken++;
      }),
      { seed: SEED, numRuns: 600 },
    );
    // Both outcomes must be exercised for the property to mean something.
    expect(taken).toBeGreaterThan(60);
    expect(taken).toBeLessThan(540);
  });

  it('on generated correct syntax, and on mutations of all of these', () => {
    fc.assert(
      fc.property(fc.oneof(validFile, mutated(fc.oneof(fc.constantFrom(...corpus), resolvableFile, validFile))), (text) => {
        assertAgree(text);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});
