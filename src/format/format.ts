/**
 * The formatter: the text of one .mdl file to the same models in the canonical layout.
 *
 * Input: a source file and a diagnostics bag. Output: the formatted text, or undefined when the
 * file has a syntax error (the errors go into the bag, and the file is not to be touched). Pure,
 * like every stage: the command (cli/fmt.ts) reads and writes the files.
 *
 * The canonical layout:
 *  - Keywords in upper case. Names exactly as written, quoted where they were quoted and nowhere
 *    else. A type name is upper case when it is one of mdl's types, as written otherwise. String
 *    and number literals as written (a string is re-quoted with '' for a quote inside).
 *  - `CREATE MODEL [IF NOT EXISTS] name (` on one line; then one element per line, indented two
 *    spaces, each but the last followed by a comma; then `)`, the options and `;` on one line.
 *  - Columns: the names padded to the longest name of the model plus two spaces, the types to
 *    the longest type plus one space, then the modifiers: so names, types and modifiers each start
 *    in one column within a model.
 *  - Lines keep within 100 characters where breaking helps: in a column that would run past,
 *    each REFERENCES and COMMENT starts a line of its own, in the modifier column; a long FOREIGN
 *    KEY puts its REFERENCES clause on the next line, indented once more. A long name, string or
 *    trailing comment can still make a line longer.
 *  - Element order: the columns (in their own order), then PRIMARY KEY, VERSION, TIMESTAMP,
 *    UNIQUE, FOREIGN KEY (each kind in its own order). A model is left in its written order when
 *    moving the columns first would change the order in which keys or relationships are declared
 *    (a table-level UNIQUE or FOREIGN KEY written before a column that declares one of its own),
 *    because that order is part of the meaning: it orders the unique keys and names relationships.
 *  - Modifier order within a column: NOT NULL or NULL, DEFAULT, PRIMARY KEY, VERSION, TIMESTAMP,
 *    UNIQUE, REFERENCES, COMMENT. Option order: BEHAVIOR, WITH HISTORY, COMMENT. A modifier or
 *    option given twice keeps the order of its repeats (the checker reports them; the last
 *    DEFAULT counts).
 *  - Nothing is added or dropped: an explicit default (`BEHAVIOR RECORD`, `MANY TO ONE`, `NULL`,
 *    `ON DELETE NO ACTION`) stays.
 *  - Models are separated by one blank line; the file ends with one newline.
 *  - Comments stay with what they are written beside:
 *    - a comment after code on the same line stays at the end of that line (two spaces before
 *      it, after the comma): after a column or constraint, after `(` of the header, after `;`;
 *    - a comment on its own line stays before the element or model that follows it, or before
 *      `)` after the last element, or at the end of the file;
 *    - a comment inside an element (between its words), before `(` of the header, or between `)`
 *      and `;` moves to its own line before that element or model: one element per line leaves
 *      no other place for it;
 *    - one blank line is kept where the source had one or more before or after a comment on its
 *      own line; other blank lines inside a model are removed;
 *    - the text of a comment is kept, with trailing spaces removed and line ends as `\n`.
 *
 * Invariants, held by tests/fmt.test.ts over every example, every test case and generated models:
 * formatting twice gives the text of formatting once, and the checker gives the same IR (spans
 * aside) and the same diagnostics before and after.
 */

import type { SourceFile } from '../source.js';
import { Diagnostics } from '../diagnostics/diagnostic.js';
import { parseSource, type Comment } from '../syntax/parse.js';
import type * as A from '../syntax/ast.js';
import { TYPE_NAMES as CHECKED_TYPE_NAMES } from '../check/resolve.js';

/** mdl's types, written in upper case by the formatter (the checker reads them case-insensitively). */
const TYPE_NAMES = new Set(CHECKED_TYPE_NAMES);

const INDENT = '  ';
/** The width a formatted line keeps within where it can (a long name or string may not). */
const MAX_WIDTH = 100;

export function formatSource(source: SourceFile, diagnostics: Diagnostics): string | undefined {
  const own = new Diagnostics();
  const { ast, comments } = parseSource(source, own);
  if (own.items.length > 0) {
    diagnostics.items.push(...own.items);
    if (own.hasErrors()) return undefined;
  }
  return render(source.text, ast, comments);
}

/** A comment on its own line. */
interface Note {
  readonly text: string;
  readonly blankBefore: boolean;
}

/** The comments that belong to one element or model. */
interface Attached {
  readonly leading: Note[];
  /** Comments that moved out from between its words, to go after `leading`. */
  readonly inner: string[];
  /** On its last line, after it. */
  readonly trailing: string[];
  /** Where the last leading comment ends in the source. */
  leadingEnd?: number;
  /** A blank line between the last leading comment and the element itself. */
  blankBefore: boolean;
}

function addLeading(slot: Attached, note: Note, end: number): void {
  slot.leading.push(note);
  slot.leadingEnd = end;
}

interface ModelLayout {
  readonly decl: A.ModelDecl;
  /** Offsets of the `(` and `)` around the elements. */
  readonly open: number;
  readonly close: number;
  readonly own: Attached;
  readonly header: string[];
  readonly elements: Attached[];
  /** Own-line comments after the last element, before `)`. */
  readonly end: Note[];
}

const attached = (): Attached => ({ leading: [], inner: [], trailing: [], blankBefore: false });

function render(text: string, ast: A.SourceUnit, comments: readonly Comment[]): string {
  const masked = maskComments(text, comments);
  const models: ModelLayout[] = ast.models.map((decl) => {
    const afterName = decl.name.span.end;
    const open = masked.indexOf('(', afterName);
    const last = decl.elements[decl.elements.length - 1];
    const optionsStart = decl.options[0]?.span.start ?? decl.span.end;
    const close = masked.lastIndexOf(')', optionsStart - 1);
    if (open < 0 || !last || close < last.span.end) throw new Error('formatter: a model without its parentheses');
    return { decl, open, close, own: attached(), header: [], elements: decl.elements.map(attached), end: [] };
  });
  const fileEnd: Note[] = [];

  const newlineIn = (from: number, to: number) => /[\r\n]/.test(text.slice(from, to));
  const blankIn = (from: number, to: number) => (text.slice(from, to).match(/\r\n|\r|\n/g)?.length ?? 0) >= 2;

  // The end of the last thing (token or comment) before the comment being placed.
  let previousComment = 0;
  let m = 0;
  for (const c of comments) {
    const s = c.span.start;
    const e = c.span.end;
    const body = normalizeComment(c.text);
    while (m < models.length && models[m]!.decl.span.end <= s) m++;
    const model = models[m];
    if (!model || s < model.decl.span.start) {
      // Between models, before the first or after the last.
      const before = m > 0 ? models[m - 1]! : undefined;
      const anchor = Math.max(before?.decl.span.end ?? 0, previousComment);
      if (before && !newlineIn(before.decl.span.end, s)) before.own.trailing.push(body);
      else {
        const note = { text: body, blankBefore: blankIn(anchor, s) };
        if (model) addLeading(model.own, note, e);
        else fileEnd.push(note);
      }
    } else if (s < model.open || s > model.close) {
      model.own.inner.push(body);
    } else {
      placeInBody(model, c, body, Math.max(previousComment, model.open + 1), newlineIn, blankIn);
    }
    previousComment = e;
  }

  // Where a model or element has leading comments, a blank line before it is measured from them.
  for (const model of models) {
    const own = model.own.leadingEnd;
    if (own !== undefined) model.own.blankBefore = blankIn(own, model.decl.span.start);
    model.decl.elements.forEach((el, i) => {
      const slot = model.elements[i]!;
      if (slot.leadingEnd !== undefined) slot.blankBefore = blankIn(slot.leadingEnd, el.span.start);
    });
  }

  const out: string[] = [];
  models.forEach((model, i) => {
    if (i > 0) out.push('');
    out.push(...renderModel(model));
  });
  fileEnd.forEach((note, i) => {
    if (note.blankBefore && (i > 0 || out.length > 0)) out.push('');
    out.push(note.text);
  });
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

function placeInBody(
  model: ModelLayout,
  c: Comment,
  body: string,
  previousEnd: number,
  newlineIn: (from: number, to: number) => boolean,
  blankIn: (from: number, to: number) => boolean,
): void {
  const s = c.span.start;
  const elements = model.decl.elements;
  const inside = elements.findIndex((el) => el.span.start <= s && s < el.span.end);
  if (inside >= 0) {
    model.elements[inside]!.inner.push(body);
    return;
  }
  let prev = -1;
  for (let i = 0; i < elements.length && elements[i]!.span.end <= s; i++) prev = i;
  const prevEnd = prev >= 0 ? elements[prev]!.span.end : model.open + 1;
  if (!newlineIn(prevEnd, s)) {
    (prev >= 0 ? model.elements[prev]!.trailing : model.header).push(body);
    return;
  }
  const note = { text: body, blankBefore: blankIn(Math.max(previousEnd, prevEnd), s) };
  const next = prev + 1;
  if (next < elements.length) addLeading(model.elements[next]!, note, c.span.end);
  else model.end.push(note);
}

function renderModel(model: ModelLayout): string[] {
  const { decl } = model;
  const lines: string[] = [];
  const own = withInner(model.own);
  own.notes.forEach((n, i) => {
    if (i > 0 && n.blankBefore) lines.push('');
    lines.push(n.text);
  });
  if (own.blankBefore) lines.push('');

  const header = `CREATE MODEL ${decl.ifNotExists ? 'IF NOT EXISTS ' : ''}${ident(decl.name)} (`;
  lines.push(withTrailing(header, model.header));

  const order = elementOrder(decl.elements);
  const columns = decl.elements.filter((el): el is A.ColumnDecl => el.kind === 'column-decl');
  const nameWidth = columns.reduce((w, c) => Math.max(w, ident(c.name).length), 0);
  const typeWidth = columns.reduce((w, c) => Math.max(w, typeText(c.type).length), 0);
  const body: string[] = [];
  order.forEach((index, position) => {
    const el = decl.elements[index]!;
    const slot = model.elements[index]!;
    const lead = withInner(slot);
    for (const n of lead.notes) {
      if (n.blankBefore && body.length > 0) body.push('');
      body.push(indentComment(n.text));
    }
    if (lead.blankBefore && body.length > 0) body.push('');
    const comma = position < order.length - 1 ? ',' : '';
    const text = elementLines(el, nameWidth, typeWidth, comma);
    for (let i = 0; i < text.length - 1; i++) body.push(INDENT + text[i]);
    body.push(withTrailing(INDENT + text[text.length - 1]! + comma, slot.trailing));
  });
  for (const n of model.end) {
    if (n.blankBefore) body.push('');
    body.push(indentComment(n.text));
  }
  lines.push(...body);

  const options = stableSort(decl.options, optionRank).map(optionText);
  lines.push(withTrailing(`)${options.map((o) => ` ${o}`).join('')};`, model.own.trailing));
  return lines;
}

/**
 * The comments to write before an element or model: its leading ones, then those moved out from
 * inside it. A blank line between the leading ones and it goes before the moved ones, which is
 * where the next run finds it.
 */
function withInner(slot: Attached): { notes: readonly Note[]; blankBefore: boolean } {
  const blank = slot.leading.length > 0 && slot.blankBefore;
  if (slot.inner.length === 0) return { notes: slot.leading, blankBefore: blank };
  const moved = slot.inner.map((text, i) => ({ text, blankBefore: i === 0 && blank }));
  return { notes: [...slot.leading, ...moved], blankBefore: false };
}

function withTrailing(line: string, trailing: readonly string[]): string {
  return trailing.length === 0 ? line : `${line}  ${trailing.join(' ')}`;
}

function indentComment(text: string): string {
  return INDENT + text;
}

/** Comment text with trailing spaces removed from each line and line ends as `\n`. */
function normalizeComment(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trimEnd())
    .join('\n');
}

/** The text with every comment blanked out, so that punctuation can be found by searching it. */
function maskComments(text: string, comments: readonly Comment[]): string {
  let out = '';
  let at = 0;
  for (const c of comments) {
    out += text.slice(at, c.span.start) + ' '.repeat(c.span.end - c.span.start);
    at = c.span.end;
  }
  return out + text.slice(at);
}

// ---- Order ----------------------------------------------------------------------------------

const ELEMENT_RANK: Record<A.Element['kind'], number> = {
  'column-decl': 0,
  'primary-key-decl': 1,
  'version-decl': 2,
  'timestamp-decl': 3,
  'unique-decl': 4,
  'foreign-key-decl': 5,
};

const MODIFIER_RANK: Record<A.ColumnConstraint['kind'], number> = {
  'not-null': 0,
  nullable: 0,
  default: 1,
  'primary-key': 2,
  version: 3,
  timestamp: 4,
  unique: 5,
  references: 6,
  comment: 7,
};

function optionRank(o: A.ModelOption): number {
  return o.kind === 'behavior' ? 0 : o.kind === 'history' ? 1 : 2;
}

function stableSort<T>(items: readonly T[], rank: (item: T) => number): T[] {
  return items
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

/** What an element declares whose order among its kind the checker keeps (see resolve.ts). */
function declares(el: A.Element): string[] {
  switch (el.kind) {
    case 'column-decl':
      return el.constraints.flatMap((c) =>
        c.kind === 'primary-key' || c.kind === 'version' || c.kind === 'timestamp' || c.kind === 'unique'
          ? [c.kind]
          : c.kind === 'references'
            ? ['references']
            : [],
      );
    case 'primary-key-decl':
      return ['primary-key'];
    case 'version-decl':
      return ['version'];
    case 'timestamp-decl':
      return ['timestamp'];
    case 'unique-decl':
      return ['unique'];
    case 'foreign-key-decl':
      return ['references'];
  }
}

/**
 * The indexes of the elements in canonical order, or in written order when the canonical one
 * would reorder the declarations of a key or of the relationships (the first primary key
 * counts, unique keys and relationships are listed and named in declaration order).
 */
function elementOrder(elements: readonly A.Element[]): number[] {
  const written = elements.map((_, i) => i);
  const canonical = stableSort(written, (i) => ELEMENT_RANK[elements[i]!.kind]);
  const sequence = (order: readonly number[]) => {
    const byKind = new Map<string, number[]>();
    for (const i of order) for (const k of declares(elements[i]!)) byKind.set(k, [...(byKind.get(k) ?? []), i]);
    return [...byKind.entries()].map(([k, is]) => `${k}:${is.join(',')}`).sort().join(' ');
  };
  return sequence(written) === sequence(canonical) ? canonical : written;
}

// ---- Text of the parts ----------------------------------------------------------------------

function ident(id: A.Ident): string {
  return id.quoted ? `"${id.text.replace(/"/g, '""')}"` : id.text;
}

function stringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function identList(ids: readonly A.Ident[]): string {
  return `(${ids.map(ident).join(', ')})`;
}

function typeText(t: A.TypeRef): string {
  const upper = t.name.text.toUpperCase();
  const name = !t.name.quoted && TYPE_NAMES.has(upper) ? upper : ident(t.name);
  return t.args.length === 0 ? name : `${name}(${t.args.map((a) => a.text).join(', ')})`;
}

/**
 * An element's lines (without the indent of the model's body, the comma or a trailing comment):
 * one, unless it would run past MAX_WIDTH. Then each REFERENCES and COMMENT of a column starts a
 * line of its own in the modifier column, and a FOREIGN KEY's REFERENCES clause goes on a line of
 * its own, indented once more.
 */
function elementLines(el: A.Element, nameWidth: number, typeWidth: number, comma: string): string[] {
  // The widest a line may be without the body's indent and the comma after the last.
  const room = MAX_WIDTH - INDENT.length - comma.length;
  if (el.kind === 'column-decl') {
    const ordered = stableSort(el.constraints, (c) => MODIFIER_RANK[c.kind]);
    const modifiers = ordered.map(modifierText);
    const head = ident(el.name).padEnd(nameWidth + 2) + typeText(el.type);
    if (modifiers.length === 0) return [head];
    const column = nameWidth + 2 + typeWidth + 1;
    const whole = `${head.padEnd(column)}${modifiers.join(' ')}`;
    if (whole.length <= room) return [whole];
    // Each REFERENCES and COMMENT (ranked last) after the first modifier starts a line of its own.
    const lines = [head.padEnd(column) + modifiers[0]];
    for (let i = 1; i < ordered.length; i++) {
      const kind = ordered[i]!.kind;
      if (kind === 'references' || kind === 'comment') lines.push(' '.repeat(column) + modifiers[i]);
      else lines[lines.length - 1] += ` ${modifiers[i]}`;
    }
    return lines;
  }
  const text = elementText(el);
  if (el.kind !== 'foreign-key-decl' || text.length <= room) return [text];
  const name = el.constraintName ? `CONSTRAINT ${ident(el.constraintName)} ` : '';
  return [`${name}FOREIGN KEY ${identList(el.columns)}`, `${INDENT}${referencesText(el.clause)}`];
}

function elementText(el: Exclude<A.Element, A.ColumnDecl>): string {
  switch (el.kind) {
    case 'primary-key-decl':
      return `PRIMARY KEY ${identList(el.columns)}`;
    case 'version-decl':
      return `VERSION ${identList(el.columns)}`;
    case 'timestamp-decl':
      return `TIMESTAMP ${identList(el.columns)}`;
    case 'unique-decl':
      return `UNIQUE ${identList(el.columns)}`;
    case 'foreign-key-decl': {
      const name = el.constraintName ? `CONSTRAINT ${ident(el.constraintName)} ` : '';
      return `${name}FOREIGN KEY ${identList(el.columns)} ${referencesText(el.clause)}`;
    }
  }
}

function modifierText(c: A.ColumnConstraint): string {
  switch (c.kind) {
    case 'not-null':
      return 'NOT NULL';
    case 'nullable':
      return 'NULL';
    case 'default':
      return `DEFAULT ${literalText(c.value)}`;
    case 'primary-key':
      return 'PRIMARY KEY';
    case 'version':
      return 'VERSION';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'unique':
      return 'UNIQUE';
    case 'references':
      return referencesText(c.clause);
    case 'comment':
      return `COMMENT ${stringLiteral(c.text)}`;
  }
}

function literalText(l: A.Literal): string {
  switch (l.kind) {
    case 'string':
      return stringLiteral(l.value);
    case 'number':
      return l.text;
    case 'boolean':
      return l.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
  }
}

function referencesText(r: A.ReferencesClause): string {
  let out = `REFERENCES ${ident(r.target)}`;
  if (r.columns) out += ` ${identList(r.columns)}`;
  if (r.cardinality) out += ` ${r.cardinality.from} TO ${r.cardinality.to}`;
  if (r.onDelete) out += ` ON DELETE ${r.onDelete.action}`;
  return out;
}

function optionText(o: A.ModelOption): string {
  switch (o.kind) {
    case 'behavior':
      return `BEHAVIOR ${o.value}`;
    case 'history':
      return 'WITH HISTORY';
    case 'comment':
      return `COMMENT ${stringLiteral(o.text)}`;
  }
}
