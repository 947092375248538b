/**
 * A model's piece of the compiled script is made two ways (src/compile/sqlite.ts): put together
 * from its compiled statements (compileSources, the API, the golden files), or filled from a
 * template made from the same statement builders (renderSqliteChunks without a program, which
 * `mdl compile` uses). They must give the same text, byte for byte: checked on every example and
 * valid case, and on generated schemas. Fixed seed.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileProject, compileSources } from '../src/index.js';
import { renderSqliteChunks } from '../src/compile/sqlite.js';
import { fill, HOLE_CLOSE, HOLE_OPEN, prepare } from '../src/compile/template.js';
import { corpus, SEED } from './mdl-arbitraries.js';

function bothWays(sources: { path: string; text: string }[]): boolean {
  const r = compileSources(sources);
  if (!r.ok) return false;
  expect([...renderSqliteChunks(r.schema)].join('')).toBe(r.sql);
  return true;
}

describe('the compiled script, from statements and from the template', () => {
  it('is the same for every example project', () => {
    for (const example of ['crm', 'subscriptions', 'web-events']) {
      const r = compileProject([`examples/${example}`]);
      expect(r.ok).toBe(true);
      expect([...renderSqliteChunks(r.schema)].join('')).toBe(r.sql);
    }
  });

  it('is the same for every valid committed file', () => {
    let compiled = 0;
    for (const text of corpus) if (bothWays([{ path: 't.mdl', text }])) compiled++;
    expect(compiled).toBeGreaterThan(40);
  });

  it('is the same for generated schemas (history, time series, relationships, comments, odd names)', () => {
    let compiled = 0;
    fc.assert(
      fc.property(compilableSchema, (text) => {
        if (bothWays([{ path: 'a.mdl', text }])) compiled++;
      }),
      { seed: SEED, numRuns: 300 },
    );
    // Nearly all should compile; the property is empty if none do.
    expect(compiled).toBeGreaterThan(250);
  });
});

// Schemas that pass check: each model a key, a version and a few columns of any type, some WITH
// HISTORY, some time series, some with a COMMENT (quotes, non-ASCII), unique keys, and a
// relationship to an earlier model with any ON DELETE. Names are plain, quoted, or odd.
const modelName = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/).filter((n) => !n.includes('__') && !n.startsWith('_mdl_')) },
  fc.constantFrom('"Order Line"', '"we""ird"', '"excluded"', '"select"'),
);
const COLUMN_TYPES = [['STRING', "DEFAULT 'x'"], ['VARCHAR(12)', ''], ['INT', 'DEFAULT 0'], ['BIGINT', ''], ['DOUBLE', 'DEFAULT 1.5'],
  ['DECIMAL(12, 2)', 'DEFAULT 3.1'], ['DECIMAL(5)', ''], ['BOOLEAN', 'DEFAULT TRUE'], ['DATE', ''], ['TIMESTAMP', ''], ['JSON', '']] as const;
const modelShape = fc.record({
  name: modelName,
  columns: fc.array(fc.tuple(fc.nat({ max: COLUMN_TYPES.length - 1 }), fc.boolean(), fc.boolean()), { maxLength: 5 }),
  history: fc.boolean(),
  timeSeries: fc.boolean(),
  comment: fc.option(fc.constantFrom("'plain'", "'it''s'", "'a -- b'", "'é ✓'")),
  unique: fc.boolean(),
  reference: fc.option(fc.tuple(fc.constantFrom('', 'ON DELETE CASCADE', 'ON DELETE SET NULL', 'ON DELETE RESTRICT', 'ONE TO ONE'), fc.boolean())),
});
const compilableSchema = fc.uniqueArray(modelShape, { minLength: 1, maxLength: 4, selector: (m) => m.name.replace(/"/g, '').toLowerCase() }).map((models) =>
  models
    .map((m, i) => {
      const lines = ['id STRING NOT NULL', 'seq BIGINT NOT NULL'];
      m.columns.forEach(([t, notNull, withDefault], j) => {
        const [type, dflt] = COLUMN_TYPES[t]!;
        lines.push(`c${j} ${type}${notNull ? ' NOT NULL' : ''}${withDefault && dflt ? ` ${dflt}` : ''}`);
      });
      if (m.timeSeries) lines.push('at TIMESTAMP NOT NULL TIMESTAMP');
      // A time-series model's key includes its time: the reference goes to a record model only.
      if (m.reference && i > 0 && !models[i - 1]!.timeSeries) {
        const [clause, notNull] = m.reference;
        const one = clause === 'ONE TO ONE';
        lines.push(`parent_id STRING${notNull && clause !== 'ON DELETE SET NULL' ? ' NOT NULL' : ''}${one ? ' UNIQUE' : ''} REFERENCES ${models[i - 1]!.name} (id) ${clause}`);
      }
      lines.push(m.timeSeries ? 'PRIMARY KEY (id, at)' : 'PRIMARY KEY (id)', 'VERSION (seq)');
      if (m.unique && m.columns.length > 0) lines.push('UNIQUE (c0, seq)');
      const options = [m.timeSeries ? 'BEHAVIOR TIME SERIES' : '', m.history ? 'WITH HISTORY' : '', m.comment ? `COMMENT ${m.comment}` : ''];
      return `CREATE MODEL ${m.name} (\n  ${lines.join(',\n  ')}\n) ${options.join(' ')};`;
    })
    .join('\n\n'),
);

describe('templates', () => {
  it('fill what the builder placed, and refuse a placeholder the builder changed', () => {
    const p = { a: `${HOLE_OPEN}a${HOLE_CLOSE}`, b: `${HOLE_OPEN}b${HOLE_CLOSE}` };
    const t = prepare(`x ${p.a} y ${p.b}${p.a} z`, ['a', 'b']);
    expect(fill(t, { a: '1', b: '2' })).toBe('x 1 y 21 z');
    expect(() => prepare(`x ${p.a.toUpperCase()}`, ['a'])).toThrow(/placeholder that is not one of the keys/);
  });
});
