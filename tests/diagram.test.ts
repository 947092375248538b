/**
 * `mdl diagram`: the Mermaid and DOT text for a schema, and the command around them.
 *
 * The CRM example's Mermaid diagram is committed (examples/crm/expected/diagram.mmd, shown in the
 * README) and compared like the SQL goldens; `MDL_ACCEPT=1` rewrites it. Neither Mermaid nor
 * Graphviz is a dependency, so each output is read back here by a strict reader of the subset
 * that the renderer promises to write: Mermaid's erDiagram lexer rules (a bare or quoted entity,
 * single-word attribute types and names, PK/FK/UK keys, a quoted comment, a relationship with
 * its two cardinality markers) and DOT's grammar (quoted ids, HTML labels that must be
 * well-formed XML with only the entities Graphviz knows).
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkProject, checkText, type Schema } from '../src/index.js';
import { renderDiagram, renderDot, renderMermaid } from '../src/diagram/diagram.js';
import { run } from '../src/cli/diagram.js';
import { UsageError } from '../src/cli/io.js';
import { project, root } from './helpers.js';

const accept = process.env['MDL_ACCEPT'] === '1' && process.env['CI'] !== 'true';
const crmDir = join(root, 'examples', 'crm');
const golden = join(crmDir, 'expected', 'diagram.mmd');

function schemaOf(text: string): Schema {
  const r = checkText(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.schema;
}

function crmSchema(): Schema {
  const r = checkProject([crmDir]);
  expect(r.ok).toBe(true);
  return r.schema;
}

/** Runs the command module as `mdl diagram` would, capturing what it prints. */
function runDiagram(args: readonly string[]): { status: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const capture = (sink: (s: string) => void) => (chunk: string | Uint8Array) => {
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture((s) => (stdout += s)) as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture((s) => (stderr += s)) as typeof process.stderr.write);
  try {
    const status = run(args);
    return { status, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

// ---- a strict reader of the Mermaid erDiagram subset --------------------------------------------

interface MermaidAttribute {
  readonly type: string;
  readonly name: string;
  readonly keys: readonly string[];
  readonly comment: string | null;
}

interface MermaidRelationship {
  readonly left: string;
  readonly link: string;
  readonly right: string;
  readonly label: string;
}

interface MermaidDiagram {
  readonly entities: Map<string, MermaidAttribute[]>;
  readonly relationships: MermaidRelationship[];
}

// Words Mermaid's erDiagram lexer reads as keywords or statements, when bare.
const mermaidKeywords = /^(erdiagram|one|only|zero|many|to|optionally|u|o|class|classdef|style|subgraph|end|direction|title|acctitle|accdescr)$/i;
const word = '[A-Za-z_][A-Za-z0-9_]*';
// A bare entity, or a quoted one: Mermaid's ENTITY_NAME token, "[^"%\r\n\v\b\\]+".
const entityPattern = `(${word}|"[^"%\\\\\\r\\n\\v\\b]+")`;
const entityLine = new RegExp(`^    ${entityPattern} \\{$`);
const attributeLine = new RegExp(`^        (${word}) (${word})(?: ((?:PK|FK|UK)(?:, (?:PK|FK|UK))*))?(?: "([^"%]*)")?$`);
const relationshipLine = new RegExp(`^    ${entityPattern} (\\|\\||\\|o)(--|\\.\\.)(o\\{|o\\|) ${entityPattern} : "([^"%]*)"$`);

function entityName(token: string): string {
  if (token.startsWith('"')) return token.slice(1, -1);
  expect(token, `${token} is read as a Mermaid keyword`).not.toMatch(mermaidKeywords);
  return token;
}

function readMermaid(text: string): MermaidDiagram {
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines[0]).toBe('erDiagram');
  const entities = new Map<string, MermaidAttribute[]>();
  const relationships: MermaidRelationship[] = [];
  let open: MermaidAttribute[] | null = null;
  for (const line of lines.slice(1)) {
    if (open) {
      if (line === '    }') {
        open = null;
        continue;
      }
      const a = attributeLine.exec(line);
      expect(a, `not an attribute line: ${line}`).not.toBeNull();
      expect(a![2], 'PK, FK and UK are keys to Mermaid, not names').not.toMatch(/^(pk|fk|uk)$/i);
      open.push({ type: a![1]!, name: a![2]!, keys: a![3] ? a![3].split(', ') : [], comment: a![4] ?? null });
      continue;
    }
    // Outside braces Mermaid takes a line holding "direction TB" (or BT, LR, RL) for a statement.
    expect(line).not.toMatch(/direction\s+(tb|bt|lr|rl)/i);
    const e = entityLine.exec(line);
    if (e) {
      const name = entityName(e[1]!);
      expect(entities.has(name), `entity ${name} declared twice`).toBe(false);
      open = [];
      entities.set(name, open);
      continue;
    }
    const r = relationshipLine.exec(line);
    expect(r, `not an entity or relationship line: ${line}`).not.toBeNull();
    relationships.push({ left: entityName(r![1]!), link: r![2]! + r![3]! + r![4]!, right: entityName(r![5]!), label: r![6]! });
  }
  expect(open, 'an entity block is not closed').toBeNull();
  for (const r of relationships) {
    expect(entities.has(r.left), `relationship to undeclared ${r.left}`).toBe(true);
    expect(entities.has(r.right), `relationship to undeclared ${r.right}`).toBe(true);
  }
  return { entities, relationships };
}

// ---- a strict reader of the DOT subset ------------------------------------------------------

type DotAttrs = Map<string, string>;

interface DotGraph {
  readonly defaults: Map<string, DotAttrs>;
  readonly nodes: Map<string, DotAttrs>;
  readonly edges: { from: string; to: string; attrs: DotAttrs }[];
}

type Token = { kind: 'id' | 'html' | 'punct'; text: string };

function tokenizeDot(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) i++;
    else if (text.startsWith('->', i)) {
      tokens.push({ kind: 'punct', text: '->' });
      i += 2;
    } else if ('{}[]=,;'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch });
      i++;
    } else if (ch === '"') {
      // In a DOT quoted string only \" is an escape; a backslash before anything else stays.
      let value = '';
      let j = i + 1;
      for (; text[j] !== '"'; j++) {
        expect(j < text.length, 'unterminated string').toBe(true);
        if (text[j] === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) value += text[++j] === '"' ? '"' : '\\\\';
        else value += text[j];
      }
      tokens.push({ kind: 'id', text: value });
      i = j + 1;
    } else if (ch === '<') {
      // An HTML string: up to the '>' that balances the opening '<'.
      let depth = 0;
      let j = i;
      for (; ; j++) {
        expect(j < text.length, 'unterminated HTML string').toBe(true);
        if (text[j] === '<') depth++;
        if (text[j] === '>' && --depth === 0) break;
      }
      tokens.push({ kind: 'html', text: text.slice(i + 1, j) });
      i = j + 1;
    } else {
      const m = /^[A-Za-z_0-9.#]+/.exec(text.slice(i));
      expect(m, `unexpected character ${ch}`).not.toBeNull();
      tokens.push({ kind: 'id', text: m![0] });
      i += m![0].length;
    }
  }
  return tokens;
}

function readDot(text: string): DotGraph {
  const tokens = tokenizeDot(text);
  let p = 0;
  const next = () => tokens[p++]!;
  const expectPunct = (s: string) => expect(next()).toEqual({ kind: 'punct', text: s });
  const readId = () => {
    const t = next();
    expect(t.kind).toBe('id');
    return t.text;
  };
  const readAttrs = (): DotAttrs => {
    const attrs: DotAttrs = new Map();
    expectPunct('[');
    while (tokens[p]!.text !== ']' || tokens[p]!.kind !== 'punct') {
      const key = readId();
      expectPunct('=');
      const value = next();
      expect(value.kind === 'id' || value.kind === 'html').toBe(true);
      if (value.kind === 'html') checkHtml(value.text);
      attrs.set(key, value.text);
      if (tokens[p]!.text === ',') p++;
    }
    expectPunct(']');
    return attrs;
  };
  expect(readId()).toBe('digraph');
  readId();
  expectPunct('{');
  const graph: DotGraph = { defaults: new Map(), nodes: new Map(), edges: [] };
  while (!(tokens[p]!.kind === 'punct' && tokens[p]!.text === '}')) {
    const first = readId();
    if (tokens[p]!.text === '->') {
      p++;
      const to = readId();
      graph.edges.push({ from: first, to, attrs: readAttrs() });
    } else if (['graph', 'node', 'edge'].includes(first)) {
      graph.defaults.set(first, readAttrs());
    } else {
      expect(graph.nodes.has(first), `node ${first} declared twice`).toBe(false);
      graph.nodes.set(first, readAttrs());
    }
    expectPunct(';');
  }
  expectPunct('}');
  expect(p).toBe(tokens.length);
  for (const e of graph.edges) {
    expect(graph.nodes.has(e.from), `edge from undeclared ${e.from}`).toBe(true);
    expect(graph.nodes.has(e.to), `edge to undeclared ${e.to}`).toBe(true);
  }
  return graph;
}

const htmlTags = new Set(['table', 'tr', 'td', 'b', 'i', 'u', 'br']);

/** Graphviz's HTML labels are XML: balanced known tags, and & only in the entities it knows. */
function checkHtml(label: string): void {
  const stack: string[] = [];
  for (const m of label.matchAll(/<(\/?)([a-z]+)((?: [a-z]+="[^"<>&]*")*)(\/?)>|&(?:amp|lt|gt|quot|#\d+);|([<>&])/g)) {
    if (m[5]) throw new Error(`unescaped ${m[5]} in HTML label: ${label}`);
    if (!m[2]) continue;
    expect(htmlTags.has(m[2]), `unknown tag ${m[2]}`).toBe(true);
    if (m[4]) expect(m[2]).toBe('br');
    else if (m[1]) expect(stack.pop()).toBe(m[2]);
    else stack.push(m[2]);
  }
  expect(stack).toEqual([]);
}

/** The text of an HTML label fragment, tags dropped, entities decoded. */
function htmlText(fragment: string): string {
  return fragment
    .replace(/<br\/>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#\d+);/g, (_, e: string) =>
      e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : String.fromCodePoint(Number(e.slice(1))),
    );
}

/** A model's table: the title, then [name, type, marks] per column. */
function tableRows(label: string): { title: string; rows: string[][] } {
  const rows = [...label.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!));
  return { title: htmlText(rows[0]![0]!), rows: rows.slice(1).map((r) => r.map(htmlText)) };
}

// ---- the CRM example ------------------------------------------------------------------------

describe('the CRM example', () => {
  it('draws the committed Mermaid diagram (npm run golden:accept with MDL_ACCEPT=1 rewrites it)', () => {
    const r = runDiagram([crmDir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    if (accept) {
      mkdirSync(dirname(golden), { recursive: true });
      writeFileSync(golden, r.stdout);
    }
    expect(existsSync(golden), 'examples/crm/expected/diagram.mmd is missing; run with MDL_ACCEPT=1').toBe(true);
    expect(r.stdout).toBe(readFileSync(golden, 'utf8'));
  });

  it('has every model, column and relationship, with keys, version and crow\'s feet', () => {
    const schema = crmSchema();
    const d = readMermaid(renderMermaid(schema));
    expect([...d.entities.keys()]).toEqual(schema.models.map((m) => m.name));
    for (const m of schema.models) expect(d.entities.get(m.name)!.map((a) => a.name)).toEqual(m.columns.map((c) => c.name));
    expect(d.relationships).toHaveLength(schema.models.reduce((n, m) => n + m.relationships.length, 0));

    const account = new Map(d.entities.get('account')!.map((a) => [a.name, a]));
    expect(account.get('id')).toEqual({ type: 'varchar_18', name: 'id', keys: ['PK'], comment: null });
    expect(account.get('domain')!.keys).toEqual(['UK']);
    expect(account.get('owner_id')!.keys).toEqual(['FK']);
    expect(account.get('annual_revenue')!.type).toBe('decimal_18_2');
    expect(account.get('system_modstamp')).toEqual({ type: 'timestamp', name: 'system_modstamp', keys: [], comment: 'version' });
    const link = new Map(d.entities.get('account_contact')!.map((a) => [a.name, a]));
    expect(link.get('account_id')!.keys).toEqual(['PK', 'FK']);
    expect(link.get('primary')!.name).toBe('primary');

    const rel = (left: string, right: string, label: string) =>
      d.relationships.find((r) => r.left === left && r.right === right && r.label === label)?.link;
    // owner_id is NOT NULL: exactly one owner; a user owns zero or more accounts. Not part of the key: dashed.
    expect(rel('sales_user', 'account', 'owner_id')).toBe('||..o{');
    // A nullable reference: zero or one parent.
    expect(rel('account', 'account', 'parent_account_id')).toBe('|o..o{');
    expect(rel('sales_user', 'contact', 'owner_id')).toBe('|o..o{');
    // ONE TO ONE, and the reference is the whole primary key: identifying, solid.
    expect(rel('account', 'account_billing_profile', 'account_id')).toBe('||--o|');
    // A link model's halves are identifying MANY TO ONE.
    expect(rel('account', 'account_contact', 'account_id')).toBe('||--o{');
    expect(rel('contact', 'account_contact', 'contact_id')).toBe('||--o{');
    // A reference to a UNIQUE key, not the primary key, is drawn the same way.
    expect(rel('contact', 'marketing_consent', 'email')).toBe('||--o{');
  });

  it('draws a DOT graph with a table per model and a labelled edge per relationship', () => {
    const schema = crmSchema();
    const g = readDot(renderDot(schema));
    expect([...g.nodes.keys()]).toEqual(schema.models.map((m) => m.name));
    const table = tableRows(g.nodes.get('account')!.get('label')!);
    expect(table.title).toBe('account');
    expect(table.rows[0]).toEqual(['id', 'VARCHAR(18)', 'PK']);
    expect(table.rows.find((r) => r[0] === 'annual_revenue')).toEqual(['annual_revenue', 'DECIMAL(18, 2)', '']);
    expect(table.rows.find((r) => r[0] === 'domain')).toEqual(['domain', 'VARCHAR(255)', 'UK']);
    expect(table.rows.at(-1)).toEqual(['system_modstamp', 'TIMESTAMP', 'version']);
    expect(tableRows(g.nodes.get('account_contact')!.get('label')!).rows[0]).toEqual(['account_id', 'VARCHAR(18)', 'PK, FK']);

    expect(g.edges).toHaveLength(12);
    const edge = (from: string, to: string, first: string) => g.edges.find((e) => e.from === from && e.to === to && htmlText(e.attrs.get('label')!).startsWith(first))!;
    const owner = edge('account', 'sales_user', 'owner_id');
    expect(htmlText(owner.attrs.get('label')!)).toBe('owner_id \u2192 id\nMANY TO ONE (M:1)\nON DELETE RESTRICT');
    expect([owner.attrs.get('arrowtail'), owner.attrs.get('arrowhead'), owner.attrs.get('style')]).toEqual(['crowodot', 'teetee', 'dashed']);
    const parent = edge('account', 'account', 'parent_account_id');
    expect(htmlText(parent.attrs.get('label')!)).toBe('parent_account_id \u2192 id\nMANY TO ONE (M:0)\nON DELETE SET NULL');
    expect(parent.attrs.get('arrowhead')).toBe('teeodot');
    const billing = edge('account_billing_profile', 'account', 'account_id');
    expect(htmlText(billing.attrs.get('label')!)).toBe('account_id \u2192 id\nONE TO ONE (1:1)\nON DELETE CASCADE');
    expect([billing.attrs.get('arrowtail'), billing.attrs.get('arrowhead'), billing.attrs.get('style')]).toEqual(['teeodot', 'teetee', undefined]);
    expect(htmlText(edge('marketing_consent', 'contact', 'email').attrs.get('label')!)).toBe('email \u2192 email\nMANY TO ONE (M:1)\nON DELETE CASCADE');
    expect(g.defaults.get('edge')!.get('dir')).toBe('both');
  });

  it('is deterministic', () => {
    expect(renderMermaid(crmSchema())).toBe(renderMermaid(crmSchema()));
    expect(renderDot(crmSchema())).toBe(renderDot(crmSchema()));
  });
});

// ---- names Mermaid and DOT cannot take as they are ----------------------------------------------

const oddName = 'Sales & "pipeline" 100% \\ <b>won</b> #quot; direction TB';
const odd = `
CREATE MODEL "${oddName.replace(/"/g, '""')}" (
  "pk"          BIGINT NOT NULL PRIMARY KEY,
  "first name"  STRING,
  "1st"         DECIMAL(12, 2),
  "Fk"          BIGINT NOT NULL REFERENCES "end",
  seq           BIGINT NOT NULL VERSION
);
CREATE MODEL "end" (id BIGINT NOT NULL PRIMARY KEY, seq BIGINT NOT NULL VERSION);
CREATE MODEL many (
  id    BIGINT NOT NULL PRIMARY KEY REFERENCES "${oddName.replace(/"/g, '""')}" ONE TO ONE ON DELETE CASCADE,
  other BIGINT UNIQUE REFERENCES "END" ONE TO ONE ON DELETE SET NULL,
  seq   BIGINT NOT NULL VERSION
);
CREATE MODEL "Sales & \uFF02pipeline\uFF02 100\uFF05 \u2216 \u2039b\u203Awon\u2039/b\u203A \uFF03quot; direction_TB" (id BIGINT NOT NULL PRIMARY KEY, seq BIGINT NOT NULL VERSION);
CREATE MODEL ticks (
  id BIGINT NOT NULL, at TIMESTAMP NOT NULL, seq BIGINT NOT NULL VERSION,
  PRIMARY KEY (id, at), TIMESTAMP (at)
) BEHAVIOR TIME SERIES WITH HISTORY;
`;

describe('awkward names', () => {
  it('Mermaid: quotes keywords and odd names, replaces what it cannot quote, keeps entities distinct', () => {
    const text = renderMermaid(schemaOf(odd));
    const d = readMermaid(text);
    const names = [...d.entities.keys()];
    expect(names).toHaveLength(5);
    expect(names[0]).toBe("Sales & \uFF02pipeline\uFF02 100\uFF05 \u2216 \u2039b\u203Awon\u2039/b\u203A \uFF03quot; direction_TB");
    // The model that was named like the first one after replacement gets a suffix, not its place.
    expect(names[3]).toBe(`${names[0]}_2`);
    expect(text).toContain('\n    "end" {\n');
    expect(text).toContain('\n    "many" {\n');
    expect(text).toContain('\n    ticks {\n');
    expect(d.entities.get(names[0]!)).toEqual([
      { type: 'bigint', name: 'pk_', keys: ['PK'], comment: "named 'pk'" },
      { type: 'string', name: 'first_name_', keys: [], comment: "named 'first name'" },
      { type: 'decimal_12_2', name: '_1st', keys: [], comment: "named '1st'" },
      { type: 'bigint', name: 'Fk_', keys: ['FK'], comment: "named 'Fk'" },
      { type: 'bigint', name: 'seq', keys: [], comment: 'version' },
    ]);
    expect(d.entities.get('ticks')!.map((a) => [a.name, a.keys, a.comment])).toEqual([
      ['id', ['PK'], null],
      ['at', ['PK'], 'event time'],
      ['seq', [], 'version'],
    ]);
    expect(d.relationships).toEqual([
      { left: 'end', link: '||..o{', right: names[0], label: 'Fk' },
      { left: names[0], link: '||--o|', right: 'many', label: 'id' },
      // Referenced as "END": drawn to the model as declared. Nullable ONE TO ONE: zero or one each way.
      { left: 'end', link: '|o..o|', right: 'many', label: 'other' },
    ]);
    expect(d.entities.get('many')!.find((a) => a.name === 'other')!.keys).toEqual(['FK', 'UK']);
  });

  it('DOT: ids and labels keep every name exactly, escaped', () => {
    const g = readDot(renderDot(schemaOf(odd)));
    // In a DOT id only \" is an escape: a backslash is written (and stays) doubled.
    const oddId = oddName.replace(/\\/g, '\\\\');
    expect([...g.nodes.keys()]).toEqual([oddId, 'end', 'many', expect.stringMatching(/_TB$/), 'ticks']);
    const table = tableRows(g.nodes.get(oddId)!.get('label')!);
    expect(table.title).toBe(oddName);
    expect(table.rows.map((r) => r[0])).toEqual(['pk', 'first name', '1st', 'Fk', 'seq']);
    expect(table.rows[0]).toEqual(['pk', 'BIGINT', 'PK']);
    expect(tableRows(g.nodes.get('ticks')!.get('label')!)).toEqual({
      title: 'ticks\ntime series, with history',
      rows: [
        ['id', 'BIGINT', 'PK'],
        ['at', 'TIMESTAMP', 'PK, event time'],
        ['seq', 'BIGINT', 'version'],
      ],
    });
    expect(g.edges.map((e) => [e.from, e.to, htmlText(e.attrs.get('label')!), e.attrs.get('arrowtail'), e.attrs.get('arrowhead')])).toEqual([
      [oddId, 'end', 'Fk \u2192 id\nMANY TO ONE (M:1)\nON DELETE NO ACTION', 'crowodot', 'teetee'],
      ['many', oddId, 'id \u2192 pk\nONE TO ONE (1:1)\nON DELETE CASCADE', 'teeodot', 'teetee'],
      ['many', 'end', 'other \u2192 id\nONE TO ONE (1:0)\nON DELETE SET NULL', 'teeodot', 'teeodot'],
    ]);
  });

  it('renderDiagram picks the format', () => {
    const schema = schemaOf(odd);
    expect(renderDiagram(schema, 'mermaid')).toBe(renderMermaid(schema));
    expect(renderDiagram(schema, 'dot')).toBe(renderDot(schema));
  });
});

// ---- the command ----------------------------------------------------------------------------

describe('mdl diagram', () => {
  const models = `CREATE MODEL account (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);
CREATE MODEL contact (id STRING NOT NULL PRIMARY KEY, account_id STRING REFERENCES account, v BIGINT NOT NULL VERSION);
`;

  it('prints Mermaid by default and DOT with --format dot', () => {
    const dir = project({ 'm.mdl': models });
    const mermaid = runDiagram([dir]);
    expect(mermaid).toEqual({
      status: 0,
      stderr: '',
      stdout: `erDiagram
    account {
        string id PK
        bigint v "version"
    }
    contact {
        string id PK
        string account_id FK
        bigint v "version"
    }
    account |o..o{ contact : "account_id"
`,
    });
    expect(runDiagram([dir, '--format', 'mermaid']).stdout).toBe(mermaid.stdout);
    const dot = runDiagram([dir, '--format', 'dot']);
    expect(dot.status).toBe(0);
    expect(dot.stdout).toBe(renderDot(checkProject([dir]).schema));
    expect(readDot(dot.stdout).edges.map((e) => [e.from, e.to])).toEqual([['contact', 'account']]);
  });

  it('writes to -o FILE, and says so on standard error', () => {
    const dir = project({ 'models/m.mdl': models });
    const out = join(dir, 'er.dot');
    const r = runDiagram([join(dir, 'models'), '--format', 'dot', '-o', out]);
    expect(r).toEqual({ status: 0, stdout: '', stderr: `wrote ${out}: 2 models\n` });
    expect(readFileSync(out, 'utf8')).toBe(renderDot(checkProject([join(dir, 'models')]).schema));
    const bad = runDiagram([join(dir, 'models'), '-o', join(dir, 'missing', 'er.mmd')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^mdl diagram: cannot write .*er\.mmd: no such file or directory\n$/);
  });

  it('reports the errors like mdl check, draws nothing and exits 1', () => {
    const dir = project({ 'm.mdl': models.replace('REFERENCES account', 'REFERENCES acount') });
    const out = join(dir, 'er.mmd');
    const r = runDiagram([dir, '-o', out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error[MDL2007]: unknown model acount');
    expect(r.stderr).toContain('= help: did you mean account?');
    expect(r.stderr).toMatch(/failed: 1 error; nothing written\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an unknown format as a usage error', () => {
    expect(() => run(['--format', 'svg'])).toThrow(UsageError);
    expect(() => run(['--format', 'svg'])).toThrow(/--format must be one of mermaid, dot, not 'svg'/);
  });
});
