/**
 * The diagnostic catalogue is documented and exercised: LANGUAGE.md lists every code (its table is
 * generated from codes.ts; `npm run golden:accept` rewrites it), and every code a model can cause
 * is shown by at least one committed case under tests/cases.
 */

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Codes } from '../src/index.js';
import { checkSources } from '../src/pipeline.js';
import { root } from './helpers.js';

const accept = process.env['MDL_ACCEPT'] === '1' && process.env['CI'] !== 'true';
const entries = Object.values(Codes);

function errorFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return errorFiles(p);
    return /\.(errors|warnings)\.txt$/.test(e) ? [p] : [];
  });
}

/** Code -> the first case (in path order) whose expected output shows it. */
function casesByCode(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of errorFiles(join(root, 'tests/cases')).sort()) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^(?:error|warning|info)\[(MDL\d{4})\]/gm)) {
      if (out.has(m[1]!)) continue;
      // A one-file case is <name>.mdl; a project case is the folder <name>/.
      const base = f.replace(/\.(errors|warnings)\.txt$/, '');
      const input = existsSync(`${base}.mdl`) ? `${base}.mdl` : base;
      out.set(m[1]!, relative(root, input).split('\\').join('/'));
    }
  }
  return out;
}

function catalogueTable(): string {
  const cases = casesByCode();
  const rows = entries.map((e) => {
    const example = cases.get(e.code);
    const link = example ? ` ([example](${example}))` : '';
    return `| ${e.code} | \`${e.name}\` | ${e.severity} | ${e.explain.replace(/\|/g, '\\|')}${link} |`;
  });
  return ['| code | name | severity | what it means |', '|---|---|---|---|', ...rows].join('\n');
}

describe('the diagnostic catalogue', () => {
  it('has unique codes and kebab-case names, in ascending order', () => {
    const codes = entries.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(codes);
    for (const e of entries) {
      expect(e.code).toMatch(/^MDL[1-5]\d{3}$/);
      expect(e.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
    expect(new Set(entries.map((e) => e.name)).size).toBe(entries.length);
  });

  it('is documented in LANGUAGE.md, generated from codes.ts', () => {
    const path = join(root, 'LANGUAGE.md');
    const doc = readFileSync(path, 'utf8');
    const start = '<!-- catalogue:start -->\n';
    const end = '<!-- catalogue:end -->';
    const i = doc.indexOf(start);
    const j = doc.indexOf(end);
    expect(i).toBeGreaterThan(0);
    const expected = `${start}${catalogueTable()}\n`;
    const actual = doc.slice(i, j);
    if (accept && actual !== expected) writeFileSync(path, doc.slice(0, i) + expected + doc.slice(j));
    else expect(actual).toBe(expected);
  });

  it('has a committed case showing every code a model can cause', () => {
    const shown = casesByCode();
    const fromModels = entries.filter((e) => !e.code.startsWith('MDL5'));
    expect(fromModels.filter((e) => !shown.has(e.code)).map((e) => `${e.code} ${e.name}`)).toEqual([]);
  });
});

describe('hints that are text to paste', () => {
  it('MDL3024: the link model it suggests is read and checked without a mistake, odd names and reserved words included', () => {
    const models = `
CREATE MODEL tag (id BIGINT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);
CREATE MODEL "Order Line" (a BIGINT NOT NULL, "b c" DATE NOT NULL, "on" STRING NOT NULL, "say ""hi""" STRING NOT NULL, v BIGINT NOT NULL VERSION, PRIMARY KEY (a, "b c", "on", "say ""hi"""));
`;
    const wrong = `${models}CREATE MODEL "default" (id BIGINT NOT NULL PRIMARY KEY, t BIGINT, d DATE, o STRING, s STRING, v BIGINT NOT NULL VERSION,
  FOREIGN KEY (t, d, o, s) REFERENCES "Order Line" (a, "b c", "on", "say ""hi""") MANY TO MANY);`;
    const found = checkSources([{ path: 'm.mdl', text: wrong }]).diagnostics.filter((d) => d.code === 'MDL3024');
    expect(found).toHaveLength(1);
    const link = /CREATE MODEL[\s\S]*\);/.exec(found[0]!.hint!)![0];
    const fixed = `${models}CREATE MODEL "default" (id BIGINT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\n${link}\n`;
    expect(checkSources([{ path: 'm.mdl', text: fixed }]).diagnostics).toEqual([]);
  });
});
