/**
 * Property: the front end and the checker never throw, whatever the input. Random text, text
 * built from the language's own tokens, and valid models mutated by cutting, repeating and
 * inserting pieces all give diagnostics (with spans inside the text), never an exception.
 * Fixed seed, so CI is repeatable; `npm run fuzz` (a later issue) runs longer.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSources, compileSources, formatDiagnostics } from '../src/index.js';
import { root } from './helpers.js';
import { applyEdits, corpus, mdlFiles, SEED } from './mdl-arbitraries.js';


const pieces = [
  'CREATE', 'MODEL', 'IF', 'NOT', 'EXISTS', 'NULL', '(', ')', ',', ';', 'PRIMARY', 'KEY', 'VERSION', 'TIMESTAMP',
  'UNIQUE', 'REFERENCES', 'FOREIGN', 'CONSTRAINT', 'ON', 'DELETE', 'CASCADE', 'SET', 'RESTRICT', 'NO', 'ACTION',
  'MANY', 'TO', 'ONE', 'BEHAVIOR', 'RECORD', 'TIME', 'SERIES', 'WITH', 'HISTORY', 'COMMENT', 'DEFAULT', 'TRUE',
  'STRING', 'BIGINT', 'DECIMAL', 'VARCHAR', 'JSON', 'a', 'b', 'id', 'seq', '"q"', '"', "'s'", "'", '1', '-2.5',
  '12', '--c\n', '/*', '*/', ' ', '\n', '\t', '$', '£', '\u0000', '\uD800', '__', '_mdl_x', '_change_request_type',
];

function assertWellFormed(text: string): void {
  const sources = [{ path: 'fuzz.mdl', text }];
  const result = compileSources(sources);
  for (const d of result.diagnostics) {
    if (!d.span) continue;
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
    expect(d.span.end).toBeLessThanOrEqual(text.length);
  }
  // Rendering must not throw either, in every mode.
  formatDiagnostics(result.diagnostics, sources, 'plain');
  formatDiagnostics(result.diagnostics, sources, 'json');
  if (result.ok) expect(result.sql).toBeDefined();
  else expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
}

describe('the front end never throws', () => {
  it('on random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => assertWellFormed(text)), {
      seed: SEED,
      numRuns: 400,
    });
  });

  it('on sequences of the language’s own tokens', () => {
    const tokens = fc.array(fc.constantFrom(...pieces), { maxLength: 80 }).map((ts) => ts.join(' '));
    fc.assert(fc.property(tokens, (text) => assertWellFormed(text)), { seed: SEED, numRuns: 600 });
  });

  it('on valid models with pieces cut, repeated or inserted', () => {
    const mutation = fc.record({
      doc: fc.constantFrom(...corpus),
      edits: fc.array(
        fc.record({
          at: fc.nat(),
          length: fc.nat({ max: 40 }),
          kind: fc.constantFrom('cut', 'repeat', 'insert'),
          insert: fc.constantFrom(...pieces),
        }),
        { minLength: 1, maxLength: 5 },
      ),
    });
    fc.assert(
      fc.property(mutation, ({ doc, edits }) => {
        assertWellFormed(applyEdits(doc, edits));
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('mutates a real corpus: valid examples and every error case', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(3);
    const crm = mdlFiles(join(root, 'examples/crm')).map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));
    expect(checkSources(crm).ok).toBe(true);
  });
});
