/**
 * Diagrams: a checked schema (IR) in, the text of an entity-relationship diagram out, one function
 * per format: Mermaid's `erDiagram` (which GitHub draws inside Markdown) and Graphviz DOT.
 *
 * Pure and deterministic: models in schema order (files by path, then declaration order), columns
 * and relationships in declaration order. Only a schema that checked without errors is drawn;
 * a relationship kind that check rejects is a bug here, and throws.
 *
 * What both formats show: every column with its type; PK (primary key), FK (referencing column),
 * UK (in a UNIQUE key), the version column and a time series' event time; each relationship from
 * the referencing (child) model to the referenced (parent) one, with its columns and cardinality.
 * The parent end is "exactly one" when every referencing column is NOT NULL and "zero or one"
 * otherwise (the M:1 / M:0 notation); the child end is "zero or more" for MANY TO ONE and "zero
 * or one" for ONE TO ONE. A relationship is drawn solid when it is identifying (its columns are
 * part of the child's primary key), dashed otherwise.
 */

import { assertNever, findModel, nameKey, type Model, type Relationship, type Schema } from '../ir.js';

export type DiagramFormat = 'mermaid' | 'dot';

export function renderDiagram(schema: Schema, format: DiagramFormat): string {
  switch (format) {
    case 'mermaid':
      return renderMermaid(schema);
    case 'dot':
      return renderDot(schema);
    default:
      return assertNever(format);
  }
}

// ---- what the two formats share -------------------------------------------------------------

interface Marks {
  readonly pk: boolean;
  readonly fk: boolean;
  readonly uk: boolean;
  readonly version: boolean;
  readonly eventTime: boolean;
}

function columnMarks(model: Model): Map<string, Marks> {
  const has = (names: readonly string[]) => new Set(names.map(nameKey));
  const pk = has(model.primaryKey?.columns ?? []);
  const fk = has(model.relationships.flatMap((r) => r.columns));
  const uk = has(model.uniqueKeys.flatMap((k) => k.columns));
  const version = model.version ? nameKey(model.version.column) : null;
  const eventTime = model.timestamp ? nameKey(model.timestamp.column) : null;
  const out = new Map<string, Marks>();
  for (const c of model.columns) {
    const k = nameKey(c.name);
    out.set(c.name, { pk: pk.has(k), fk: fk.has(k), uk: uk.has(k), version: version === k, eventTime: eventTime === k });
  }
  return out;
}

function keyList(m: Marks): string[] {
  const keys: string[] = [];
  if (m.pk) keys.push('PK');
  if (m.fk) keys.push('FK');
  if (m.uk) keys.push('UK');
  return keys;
}

function roleList(m: Marks): string[] {
  const roles: string[] = [];
  if (m.version) roles.push('version');
  if (m.eventTime) roles.push('event time');
  return roles;
}

interface Ends {
  /** How many parents a child row has: exactly one, or none when a referencing column is NULL. */
  readonly parent: 'one' | 'zero-or-one';
  /** How many children a parent row has. */
  readonly child: 'zero-or-more' | 'zero-or-one';
  readonly identifying: boolean;
}

function relationshipEnds(model: Model, r: Relationship): Ends {
  const optional = r.notation === 'M:0' || r.notation === '1:0';
  const pk = new Set((model.primaryKey?.columns ?? []).map(nameKey));
  const identifying = r.columns.every((c) => pk.has(nameKey(c)));
  switch (r.cardinality) {
    case 'many-to-one':
      return { parent: optional ? 'zero-or-one' : 'one', child: 'zero-or-more', identifying };
    case 'one-to-one':
      return { parent: optional ? 'zero-or-one' : 'one', child: 'zero-or-one', identifying };
    case 'many-to-many':
    case 'one-to-many':
      throw new Error(`relationship ${model.name}.${r.name} is ${r.cardinality}, which check rejects`);
    default:
      return assertNever(r.cardinality);
  }
}

/** The declared spelling of a relationship's target (the reference may spell it otherwise). */
function targetName(schema: Schema, r: Relationship): string {
  return findModel(schema, r.target)?.name ?? r.target;
}

function words(kind: string): string {
  return kind.replace(/-/g, ' ').toUpperCase();
}

// ---- Mermaid --------------------------------------------------------------------------------

/*
 * Mermaid's erDiagram lexer is strict, and differs between versions; what is written here keeps
 * to what every recent version reads:
 * - An entity is a bare word `[A-Za-z_][A-Za-z0-9_]*` unless that word is one Mermaid's lexer
 *   takes for a keyword (`one`, `many`, `end`, `class` ...); otherwise it is double-quoted, and
 *   the characters a quoted entity may not hold (`"`, `%`, `\`) are replaced by look-alikes, as
 *   are `<`, `>` (markup) and `#` (Mermaid's entity codes). Names that end up equal get a suffix.
 * - An attribute's type and name are single words: a type is written in lower case with its
 *   arguments joined by `_` (`DECIMAL(18, 2)` is `decimal_18_2`, `VARCHAR(18)` is `varchar_18`).
 *   A column name that is not such a word (or is PK, FK or UK, which Mermaid reads as keys) has
 *   the other characters replaced by `_`, and its real name in the attribute's comment.
 * - The comment (a quoted string) also says `version` and `event time`, which Mermaid has no key
 *   marker for.
 */

const mermaidKeywords = new Set(
  ['erdiagram', 'one', 'only', 'zero', 'many', 'to', 'optionally', 'u', 'o', 'class', 'classdef', 'style', 'subgraph', 'end', 'direction', 'title', 'acctitle', 'accdescr'],
);

const lookAlike: Record<string, string> = { '"': '\uFF02', '%': '\uFF05', '\\': '\u2216', '<': '\u2039', '>': '\u203A', '#': '\uFF03' };

/** Text for inside a Mermaid double-quoted string: nothing Mermaid would read as syntax. */
function mermaidText(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F]/g, ' ').replace(/["%\\<>#]/g, (ch) => lookAlike[ch]!);
}

/** The same, on a line outside an entity's braces. */
function mermaidLineText(text: string): string {
  // There the lexer takes any line holding `direction TB` (or BT, LR, RL) for a direction statement.
  return mermaidText(text).replace(/(direction)\s+(tb|bt|lr|rl)/gi, '$1_$2');
}

function isMermaidWord(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

function mermaidEntities(schema: Schema): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const m of schema.models) {
    const base = mermaidLineText(m.name) || '_';
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    out.set(nameKey(m.name), isMermaidWord(name) && !mermaidKeywords.has(name.toLowerCase()) ? name : `"${name}"`);
  }
  return out;
}

function mermaidType(spelled: string): string {
  const word = spelled.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return word === '' || /^[0-9]/.test(word) ? `t_${word}` : word;
}

function mermaidAttributeName(name: string): string {
  if (isMermaidWord(name) && !/^(pk|fk|uk)$/i.test(name)) return name;
  const word = name.replace(/[^A-Za-z0-9_]+/g, '_');
  return /^[A-Za-z_]/.test(word) ? `${word}_` : `_${word}`;
}

const mermaidParentEnd = { one: '||', 'zero-or-one': '|o' } as const;
const mermaidChildEnd = { 'zero-or-more': 'o{', 'zero-or-one': 'o|' } as const;

export function renderMermaid(schema: Schema): string {
  const entities = mermaidEntities(schema);
  const entity = (name: string) => entities.get(nameKey(name))!;
  const lines = ['erDiagram'];
  for (const m of schema.models) {
    const marks = columnMarks(m);
    lines.push(`    ${entity(m.name)} {`);
    for (const c of m.columns) {
      const mk = marks.get(c.name)!;
      const name = mermaidAttributeName(c.name);
      const notes = roleList(mk);
      if (name !== c.name) notes.push(`named '${c.name}'`);
      const keys = keyList(mk);
      let line = `        ${mermaidType(c.type.spelled)} ${name}`;
      if (keys.length > 0) line += ` ${keys.join(', ')}`;
      if (notes.length > 0) line += ` "${mermaidText(notes.join('; '))}"`;
      lines.push(line);
    }
    lines.push('    }');
  }
  for (const m of schema.models) {
    for (const r of m.relationships) {
      const ends = relationshipEnds(m, r);
      const link = `${mermaidParentEnd[ends.parent]}${ends.identifying ? '--' : '..'}${mermaidChildEnd[ends.child]}`;
      lines.push(`    ${entity(targetName(schema, r))} ${link} ${entity(m.name)} : "${mermaidLineText(r.columns.join(', '))}"`);
    }
  }
  return lines.join('\n') + '\n';
}

// ---- DOT --------------------------------------------------------------------------------------

/*
 * A digraph with one node per model, its label an HTML-like table (name, type, marks per column),
 * and one edge per relationship from the child to the parent, drawn with crow's-foot arrows and
 * labelled with the columns, the cardinality and the ON DELETE action. Every label is HTML-like,
 * so that one escape (XML entities) covers all text; ordinary DOT labels would read `\n`, `\l`
 * or `\N` inside a name as escapes. Node ids are the model names as quoted DOT strings.
 */

function dotId(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n|\r/g, '\\n')}"`;
}

const xmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function html(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => xmlEntities[ch]!).replace(/[\u0000-\u001F\u007F]/g, ' ');
}

const dotParentEnd = { one: 'teetee', 'zero-or-one': 'teeodot' } as const;
const dotChildEnd = { 'zero-or-more': 'crowodot', 'zero-or-one': 'teeodot' } as const;

function dotTable(m: Model): string {
  const marks = columnMarks(m);
  const traits: string[] = [];
  if (m.behavior === 'time-series') traits.push('time series');
  if (m.history) traits.push('with history');
  const title = `<b>${html(m.name)}</b>${traits.length > 0 ? `<br/><i>${traits.join(', ')}</i>` : ''}`;
  const rows = [`<tr><td colspan="3" bgcolor="#e8e8e8">${title}</td></tr>`];
  for (const c of m.columns) {
    const mk = marks.get(c.name)!;
    const name = mk.pk ? `<u>${html(c.name)}</u>` : html(c.name);
    const tags = [...keyList(mk), ...roleList(mk)].join(', ');
    rows.push(`<tr><td align="left">${name}</td><td align="left">${html(c.type.spelled)}</td><td align="left">${tags}</td></tr>`);
  }
  return `<table border="0" cellborder="1" cellspacing="0" cellpadding="4">${rows.join('')}</table>`;
}

export function renderDot(schema: Schema): string {
  const lines = [
    'digraph mdl {',
    '  graph [rankdir=LR];',
    '  node [shape=none, margin=0, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10, dir=both];',
  ];
  for (const m of schema.models) lines.push(`  ${dotId(m.name)} [label=<${dotTable(m)}>];`);
  for (const m of schema.models) {
    for (const r of m.relationships) {
      const ends = relationshipEnds(m, r);
      const label = [
        `${html(r.columns.join(', '))} &#8594; ${html(r.targetColumns.join(', '))}`,
        `${words(r.cardinality)} (${r.notation})`,
        `ON DELETE ${words(r.onDelete)}`,
      ].join('<br/>');
      const attrs = [`label=<${label}>`, `arrowtail=${dotChildEnd[ends.child]}`, `arrowhead=${dotParentEnd[ends.parent]}`];
      if (!ends.identifying) attrs.push('style=dashed');
      lines.push(`  ${dotId(m.name)} -> ${dotId(targetName(schema, r))} [${attrs.join(', ')}];`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
