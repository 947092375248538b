/**
 * Check, part 1: AST to IR (name resolution).
 *
 * Builds the resolved schema from every file's AST: types mapped, column-level and table-level
 * declarations merged, names looked up case-insensitively and given their declared spelling.
 * Reports what only the declarations show (duplicates, unknown names and types, reserved names,
 * a key declared twice); the rules that read the finished IR live beside this file. Whatever
 * cannot be resolved is left out of the IR after its one diagnostic, so a typo is one message.
 */

import type { Span } from '../source.js';
import type { Diagnostics } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { showDefault } from './columns.js';
import type * as A from '../syntax/ast.js';
import {
  nameKey,
  type Cardinality,
  type Column,
  type ColumnRef,
  type ColumnType,
  type DefaultValue,
  type DeleteAction,
  type Key,
  type Model,
  type Relationship,
  type Schema,
} from '../ir.js';

/** mdl's type names, as the language spells them (read case-insensitively). */
export const TYPE_NAMES: readonly string[] = [
  'STRING', 'TEXT', 'VARCHAR', 'INTEGER', 'INT', 'SMALLINT', 'BIGINT', 'LONG', 'DOUBLE', 'FLOAT',
  'NUMBER', 'DECIMAL', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'DATETIME', 'JSON',
];

export const MAX_DECIMAL_PRECISION = 38;

/** Type names from other databases, and the mdl type to write instead. */
const FOREIGN_TYPES: Record<string, string> = {
  NUMERIC: 'DECIMAL(p, s)',
  REAL: 'DOUBLE',
  FLOAT8: 'DOUBLE',
  BOOL: 'BOOLEAN',
  UUID: 'STRING',
  CHAR: 'VARCHAR(n)',
  NVARCHAR: 'VARCHAR(n)',
  VARCHAR2: 'VARCHAR(n)',
  CLOB: 'TEXT',
  INT8: 'BIGINT',
  INT4: 'INTEGER',
  INT2: 'SMALLINT',
  TINYINT: 'SMALLINT',
  TIMESTAMPTZ: 'TIMESTAMP (stored as UTC)',
  TIMESTAMP_TZ: 'TIMESTAMP (stored as UTC)',
  JSONB: 'JSON',
  VARIANT: 'JSON',
};

/** A relationship as declared, resolved in `finish` once every model is known. */
export interface PendingReference {
  readonly columns: readonly A.Ident[];
  readonly clause: A.ReferencesClause;
  readonly constraintName?: A.Ident;
  readonly span: Span;
}

/** A model resolved on its own: what `finish` needs to resolve its relationships. */
export interface Draft {
  model: Model;
  /** False when a syntax error fell inside the declaration. */
  complete: boolean;
  columns: Map<string, Column>;
  references: PendingReference[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function resolve(units: readonly A.SourceUnit[], diagnostics: Diagnostics): Schema {
  const resolver = new Resolver(diagnostics);
  for (const unit of [...units].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) resolver.add(unit);
  return resolver.finish();
}

/**
 * Resolution one file at a time: `add` each file's AST (in path order), then `finish`. What
 * resolution keeps of an AST is small (names, spans, pending references), so a caller that
 * parses file by file can let each AST go as soon as it is added.
 */
export class Resolver {
  private readonly drafts: Draft[] = [];
  private readonly byName = new Map<string, Draft>();

  constructor(private readonly diagnostics: Diagnostics) {}

  add(unit: A.SourceUnit): void {
    for (const decl of unit.models) this.addDraft(resolveModel(decl, this.diagnostics));
  }

  /** One file's models resolved by the direct path (direct.ts), in declaration order. */
  addDrafts(drafts: readonly Draft[]): void {
    for (const draft of drafts) this.addDraft(draft);
  }

  private addDraft(draft: Draft): void {
    const { name, nameSpan } = draft.model;
    const key = nameKey(name);
    const earlier = this.byName.get(key);
    if (earlier) {
      this.diagnostics.report('duplicateModel', nameSpan, { name }, {
        related: [{ message: 'first declared here', span: earlier.model.nameSpan }],
      });
    } else {
      this.byName.set(key, draft);
    }
    this.drafts.push(draft);
  }

  /** Cross-model resolution (relationship targets), once every file is added. */
  finish(): Schema {
    const modelNames = this.drafts.map((d) => d.model.name);
    for (const draft of this.drafts) {
      const resolved: { rel: Relationship; ref: PendingReference }[] = [];
      for (const ref of draft.references) {
        const rel = resolveReference(draft, ref, this.byName, modelNames, this.diagnostics);
        if (rel) resolved.push({ rel, ref });
      }
      (draft.model as Mutable<Model>).relationships = nameRelationships(draft.model.name, resolved, this.diagnostics);
    }
    return { kind: 'schema', models: this.drafts.map((d) => d.model) };
  }
}

/**
 * Give every relationship a name unique in its model: its CONSTRAINT name (a repeated one is an
 * error), or fk_<columns>, numbered fk_<columns>_2, _3 ... where that is taken. Also reports the
 * same columns referencing the same target twice.
 */
function nameRelationships(
  model: string,
  resolved: readonly { rel: Relationship; ref: PendingReference }[],
  diagnostics: Diagnostics,
): Relationship[] {
  // The usual case, one relationship with no CONSTRAINT name: nothing to compare it with, and
  // resolveReference named it fk_<columns> already.
  if (resolved.length === 1 && !resolved[0]!.ref.constraintName) return [resolved[0]!.rel];
  if (resolved.length === 0) return [];
  const taken = new Map<string, Span>();
  for (const { ref } of resolved) {
    if (!ref.constraintName) continue;
    if (ref.constraintName.text === '') diagnostics.report('emptyName', ref.constraintName.span, { what: 'the constraint' });
    const k = nameKey(ref.constraintName.text);
    const first = taken.get(k);
    if (first) {
      diagnostics.report('duplicateConstraintName', ref.constraintName.span, { name: ref.constraintName.text, model }, {
        related: [{ message: 'first used here', span: first }],
      });
    } else taken.set(k, ref.constraintName.span);
  }
  const seenTargets = new Map<string, Span>();
  const out: Relationship[] = [];
  for (const { rel, ref } of resolved) {
    // The same pairs of columns in another order are the same relationship.
    const pairs = rel.columns.map((c, i) => `${nameKey(c)}\u0000${nameKey(rel.targetColumns[i] ?? '')}`).sort();
    const signature = JSON.stringify([nameKey(rel.target), pairs]);
    const earlier = seenTargets.get(signature);
    if (earlier) {
      diagnostics.report('duplicateRelationship', rel.span, { model, columns: rel.columns.join(', '), target: rel.target }, {
        related: [{ message: 'first declared here', span: earlier }],
      });
      continue;
    }
    seenTargets.set(signature, rel.span);
    if (ref.constraintName) {
      out.push(rel);
      continue;
    }
    const base = `fk_${rel.columns.join('_')}`;
    let name = base;
    for (let n = 2; taken.has(nameKey(name)); n++) name = `${base}_${n}`;
    taken.set(nameKey(name), rel.span);
    out.push({ ...rel, name });
  }
  return out;
}

/** The column modifiers that declare a key, each a bit of a small set. */
const KEY_MODIFIER_BITS: Partial<Record<A.ColumnConstraint['kind'], number>> = { 'primary-key': 1, version: 2, timestamp: 4, unique: 8 };

function resolveModel(decl: A.ModelDecl, diagnostics: Diagnostics): Draft {
  const name = decl.name.text;
  if (name === '') {
    diagnostics.report('emptyName', decl.name.span, { what: 'the model' });
  } else {
    const why = reservedModelName(name);
    if (why) diagnostics.report('reservedModelName', decl.name.span, { name, why });
  }

  const columns = new Map<string, Column>();
  const ordered: Column[] = [];
  const pkDecls: { idents: readonly A.Ident[]; span: Span }[] = [];
  const versionDecls: { idents: readonly A.Ident[]; span: Span }[] = [];
  const timestampDecls: { idents: readonly A.Ident[]; span: Span }[] = [];
  const uniqueDecls: { idents: readonly A.Ident[]; span: Span }[] = [];
  const references: PendingReference[] = [];

  for (const el of decl.elements) {
    switch (el.kind) {
      case 'column-decl': {
        const column = resolveColumn(decl.name.text, el, diagnostics);
        const key = nameKey(column.name);
        const earlier = columns.get(key);
        if (earlier) {
          // The duplicate is reported; its modifiers would only add consequences of the same slip.
          diagnostics.report('duplicateColumn', el.name.span, { model: name, column: el.name.text }, {
            related: [{ message: 'first declared here', span: earlier.nameSpan }],
          });
          break;
        }
        columns.set(key, column);
        ordered.push(column);
        // A repeated modifier is a warning (resolveColumn); it declares nothing twice.
        let seen = 0;
        for (const c of el.constraints) {
          if (c.kind === 'references') {
            references.push({ columns: [el.name], clause: c.clause, span: c.span });
            continue;
          }
          const bit = KEY_MODIFIER_BITS[c.kind];
          if (bit === undefined || (seen & bit) !== 0) continue;
          seen |= bit;
          const decl = { idents: [el.name], span: c.span };
          if (c.kind === 'primary-key') pkDecls.push(decl);
          else if (c.kind === 'version') versionDecls.push(decl);
          else if (c.kind === 'timestamp') timestampDecls.push(decl);
          else uniqueDecls.push(decl);
        }
        break;
      }
      case 'primary-key-decl':
        pkDecls.push({ idents: el.columns, span: el.span });
        break;
      case 'version-decl':
        versionDecls.push({ idents: el.columns, span: el.span });
        break;
      case 'timestamp-decl':
        timestampDecls.push({ idents: el.columns, span: el.span });
        break;
      case 'unique-decl':
        uniqueDecls.push({ idents: el.columns, span: el.span });
        break;
      case 'foreign-key-decl':
        references.push({
          columns: el.columns,
          clause: el.clause,
          span: el.span,
          ...(el.constraintName ? { constraintName: el.constraintName } : {}),
        });
        break;
    }
  }

  // In a model that could not be read whole, a name that does not resolve may be declared in the
  // part that was lost: the syntax error is the one message for it.
  const lookup = (idents: readonly A.Ident[], where: string): string[] =>
    resolveColumnList(name, columns, idents, where, decl.complete ? diagnostics : undefined);

  let partial = !decl.complete;
  let primaryKey: Key | null = null;
  pkDecls.forEach((d, i) => {
    if (i > 0) {
      diagnostics.report('multiplePrimaryKeys', d.span, { name }, {
        related: [{ message: 'first declared here', span: pkDecls[0]!.span }],
      });
      return;
    }
    const resolved = lookup(d.idents, 'PRIMARY KEY');
    if (resolved.length < d.idents.length) partial = true;
    primaryKey = { columns: resolved, span: d.span };
  });

  const single = (
    decls: { idents: readonly A.Ident[]; span: Span }[],
    what: string,
    code: 'multipleVersions' | 'multipleTimestamps',
  ): ColumnRef | null => {
    if (decls.length === 0) return null;
    const first = decls[0]!;
    if (decls.length > 1) {
      diagnostics.report(code, decls[1]!.span, { name }, { related: [{ message: 'first declared here', span: first.span }] });
    } else if (first.idents.length > 1) {
      diagnostics.report(code, first.idents[1]!.span, { name }, { hint: `${what} names one column` });
    }
    const [column] = lookup(first.idents.slice(0, 1), what);
    if (column === undefined) partial = true;
    return column === undefined ? null : { column, span: first.span };
  };
  const version = single(versionDecls, 'VERSION', 'multipleVersions');
  const timestamp = single(timestampDecls, 'TIMESTAMP', 'multipleTimestamps');
  const uniqueKeys: Key[] = uniqueDecls
    .map((d) => ({ columns: lookup(d.idents, 'UNIQUE'), span: d.span }))
    .filter((k) => k.columns.length > 0);

  let behavior: Model['behavior'] = 'record';
  let history = false;
  let comment: string | null = null;
  const seenOptions = new Set<string>();
  for (const opt of decl.options) {
    const label = opt.kind === 'behavior' ? 'BEHAVIOR' : opt.kind === 'history' ? 'WITH HISTORY' : 'COMMENT';
    if (seenOptions.has(label)) {
      diagnostics.report('duplicateOption', opt.span, { option: label, model: name });
      continue;
    }
    seenOptions.add(label);
    if (opt.kind === 'behavior') behavior = opt.value === 'TIME SERIES' ? 'time-series' : 'record';
    else if (opt.kind === 'history') history = true;
    else comment = opt.text;
  }

  const model: Model = {
    kind: 'model',
    name,
    nameSpan: decl.name.span,
    span: decl.span,
    partial,
    behavior,
    history,
    comment,
    columns: ordered,
    primaryKey,
    version,
    timestamp,
    uniqueKeys,
    relationships: [],
  };
  return { model, complete: decl.complete, columns, references };
}

/** Why a (non-empty) model name is kept for mdl's own tables, or undefined when it is not. */
export function reservedModelName(name: string): string | undefined {
  if (name.includes('__')) return 'names containing __ are kept for companion tables';
  if (nameKey(name).startsWith('_mdl_')) return 'names starting with _mdl_ are kept for metadata tables';
  return undefined;
}

/** Whether a column name (in nameKey form) is kept: the change kind's column, or mdl's own. */
export function reservedColumnKey(key: string): boolean {
  return key === '_change_request_type' || key.startsWith('_mdl_');
}

function resolveColumnList(
  model: string,
  columns: ReadonlyMap<string, Column>,
  idents: readonly A.Ident[],
  where: string,
  diagnostics: Diagnostics | undefined,
): string[] {
  const out: string[] = [];
  for (const id of idents) {
    const column = columns.get(nameKey(id.text));
    if (!column) {
      const hint = didYouMean(id.text, [...columns.values()].map((c) => c.name));
      diagnostics?.report('unknownColumn', id.span, { model, column: id.text, where }, hint ? { hint } : {});
      continue;
    }
    // Names resolve to the column's declared spelling, so a repeat is the same string again.
    if (out.includes(column.name)) {
      diagnostics?.report('duplicateColumnInList', id.span, { column: id.text, where });
      continue;
    }
    out.push(column.name);
  }
  return out;
}

function resolveColumn(model: string, decl: A.ColumnDecl, diagnostics: Diagnostics): Column {
  const name = decl.name.text;
  const lower = nameKey(name);
  if (name === '') diagnostics.report('emptyName', decl.name.span, { what: 'the column' });
  if (reservedColumnKey(lower)) {
    diagnostics.report('reservedColumnName', decl.name.span, { model, column: name });
  }
  let defaultValue: DefaultValue | null = null;
  let defaultDecl: A.ColumnConstraint | undefined;
  let notNullDecl: A.ColumnConstraint | undefined;
  let nullableDecl: A.ColumnConstraint | undefined;
  let comment: string | null = null;
  for (const c of decl.constraints) {
    switch (c.kind) {
      case 'not-null':
        if (notNullDecl) reportRepeated(diagnostics, name, c);
        else notNullDecl = c;
        break;
      case 'nullable':
        if (nullableDecl) reportRepeated(diagnostics, name, c);
        else nullableDecl = c;
        break;
      case 'default': {
        // A DEFAULT given again is a warning when it says the same, an error when it does not.
        const value = literalValue(c.value);
        if (defaultDecl && defaultValue && JSON.stringify(defaultValue) !== JSON.stringify(value)) {
          diagnostics.report('conflictingColumnModifier', c.span, { column: name, modifier: 'DEFAULT', first: showDefault(defaultValue), second: showDefault(value) });
        } else if (defaultDecl) reportRepeated(diagnostics, name, c);
        defaultDecl = c;
        defaultValue = value;
        break;
      }
      case 'comment':
        if (comment !== null && comment !== c.text) {
          diagnostics.report('conflictingColumnModifier', c.span, { column: name, modifier: 'COMMENT', first: showDefault({ kind: 'string', value: comment }), second: showDefault({ kind: 'string', value: c.text }) });
        } else if (comment !== null) reportRepeated(diagnostics, name, c);
        comment = c.text;
        break;
      case 'primary-key':
      case 'version':
      case 'timestamp':
      case 'unique':
        // Repeats of these are reported with the key declarations (resolveModel skips them).
        if (decl.constraints.some((o) => o !== c && o.kind === c.kind && o.span.start < c.span.start)) reportRepeated(diagnostics, name, c);
        break;
      case 'references':
        break;
    }
  }
  if (nullableDecl && notNullDecl) {
    const later = nullableDecl.span.start > notNullDecl.span.start ? nullableDecl : notNullDecl;
    diagnostics.report('contradictoryNullability', later.span, { column: name, why: 'is declared both NULL and NOT NULL' });
  } else if (notNullDecl && defaultValue?.kind === 'null') {
    diagnostics.report('contradictoryNullability', defaultDecl!.span, { column: name, why: 'is NOT NULL but defaults to NULL' });
  }
  return {
    kind: 'column',
    name,
    nameSpan: decl.name.span,
    span: decl.span,
    type: resolveType(decl.type, diagnostics),
    typeSpan: decl.type.span,
    notNull: notNullDecl !== undefined,
    default: defaultValue,
    defaultSpan: defaultDecl ? defaultDecl.span : null,
    comment,
  };
}

function reportRepeated(diagnostics: Diagnostics, column: string, c: A.ColumnConstraint): void {
  diagnostics.report('duplicateColumnModifier', c.span, { column, modifier: modifierLabel(c)! });
}

function modifierLabel(c: A.ColumnConstraint): string | undefined {
  switch (c.kind) {
    case 'not-null':
      return 'NOT NULL';
    case 'nullable':
      return 'NULL';
    case 'default':
      return 'DEFAULT';
    case 'primary-key':
      return 'PRIMARY KEY';
    case 'version':
      return 'VERSION';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'unique':
      return 'UNIQUE';
    case 'comment':
      return 'COMMENT';
    case 'references':
      return undefined;
  }
}

export function literalValue(lit: A.Literal): DefaultValue {
  switch (lit.kind) {
    case 'string':
      return { kind: 'string', value: lit.value };
    case 'number':
      return { kind: 'number', text: lit.text };
    case 'boolean':
      return { kind: 'boolean', value: lit.value };
    case 'null':
      return { kind: 'null' };
  }
}

/**
 * Types that resolved without a diagnostic, by their spelling as written: the columns of one
 * type share one (readonly) object, and a schema of thousands of columns resolves each spelling
 * once. Bounded, so that a long-lived process fed endless spellings does not grow without limit.
 */
const resolvedTypes = new Map<string, ColumnType>();
const MAX_RESOLVED_TYPES = 512;

/** The key resolvedTypes keeps an unquoted type under: its name and arguments as written. */
export function typeKey(name: string, args: readonly string[]): string {
  return args.length === 0 ? name : `${name}(${args.join(',')})`;
}

/** A type already resolved without a diagnostic, by typeKey; undefined when not (yet) known. */
export function knownType(key: string): ColumnType | undefined {
  return resolvedTypes.get(key);
}

export function resolveType(ref: A.TypeRef, diagnostics: Diagnostics): ColumnType {
  if (ref.name.quoted) return resolveTypeUncached(ref, diagnostics);
  const key = typeKey(ref.name.text, ref.args.map((a) => a.text));
  const known = resolvedTypes.get(key);
  if (known) return known;
  const before = diagnostics.items.length;
  const type = resolveTypeUncached(ref, diagnostics);
  if (diagnostics.items.length === before) {
    if (resolvedTypes.size >= MAX_RESOLVED_TYPES) resolvedTypes.clear();
    resolvedTypes.set(key, type);
  }
  return type;
}

function resolveTypeUncached(ref: A.TypeRef, diagnostics: Diagnostics): ColumnType {
  const upper = ref.name.text.toUpperCase();
  const spelled = ref.args.length > 0 ? `${upper}(${ref.args.map((a) => a.text).join(', ')})` : upper;
  const args: number[] = [];
  for (const a of ref.args) {
    if (!/^\d+$/.test(a.text)) {
      diagnostics.report('invalidNumber', a.span, { text: a.text, what: 'type argument (a whole number)' });
      return { kind: 'unknown', spelled };
    }
    args.push(Number(a.text));
  }
  const bad = (why: string): ColumnType => {
    diagnostics.report('invalidTypeArguments', ref.span, { type: spelled, why });
    return { kind: 'unknown', spelled };
  };
  const noArgs = (t: ColumnType): ColumnType => (args.length > 0 ? bad(`${upper} takes no arguments`) : t);

  switch (ref.name.quoted ? '' : upper) {
    case 'STRING':
    case 'TEXT':
      return noArgs({ kind: 'string', maxLength: null, spelled });
    case 'VARCHAR':
      if (args.length > 1) return bad('VARCHAR takes one length');
      if (args.length === 1 && args[0]! < 1) return bad('the length must be at least 1');
      return { kind: 'string', maxLength: args[0] ?? null, spelled };
    case 'INTEGER':
    case 'INT':
      return noArgs({ kind: 'integer', bits: 32, spelled });
    case 'SMALLINT':
      return noArgs({ kind: 'integer', bits: 16, spelled });
    case 'BIGINT':
    case 'LONG':
      return noArgs({ kind: 'integer', bits: 64, spelled });
    case 'DOUBLE':
    case 'FLOAT':
    case 'NUMBER':
      return noArgs({ kind: 'double', spelled });
    case 'DECIMAL': {
      if (args.length === 0) return bad('DECIMAL needs a precision, as in DECIMAL(12, 2)');
      const [precision, scale = 0] = args as [number, number?];
      if (precision < 1 || precision > MAX_DECIMAL_PRECISION) return bad(`the precision must be from 1 to ${MAX_DECIMAL_PRECISION}`);
      if (scale > precision) return bad('the scale cannot exceed the precision');
      return { kind: 'decimal', precision, scale, spelled };
    }
    case 'BOOLEAN':
      return noArgs({ kind: 'boolean', spelled });
    case 'DATE':
      return noArgs({ kind: 'date', spelled });
    case 'TIMESTAMP':
    case 'DATETIME':
      return noArgs({ kind: 'timestamp', spelled });
    case 'JSON':
      return noArgs({ kind: 'json', spelled });
    default: {
      if (ref.name.quoted) {
        diagnostics.report('unknownType', ref.name.span, { type: `"${ref.name.text}"` }, {
          hint: TYPE_NAMES.includes(upper) ? `type names are not quoted: write ${upper}` : undefined,
        });
        return { kind: 'unknown', spelled };
      }
      const instead = FOREIGN_TYPES[upper];
      const hint = instead ? `mdl has no ${upper}: write ${instead}` : didYouMean(ref.name.text, TYPE_NAMES);
      diagnostics.report('unknownType', ref.name.span, { type: ref.name.text }, hint ? { hint } : {});
      return { kind: 'unknown', spelled };
    }
  }
}

function resolveReference(
  draft: Draft,
  ref: PendingReference,
  models: ReadonlyMap<string, Draft>,
  modelNames: readonly string[],
  diagnostics: Diagnostics,
): Relationship | undefined {
  const source = draft.model;
  const columns = resolveColumnList(source.name, draft.columns, ref.columns, 'FOREIGN KEY', draft.complete ? diagnostics : undefined);
  if (columns.length !== ref.columns.length) return undefined;

  const clause = ref.clause;
  const target = models.get(nameKey(clause.target.text));
  if (!target) {
    const hint = didYouMean(clause.target.text, modelNames);
    diagnostics.report('unknownModel', clause.target.span, { name: clause.target.text }, hint ? { hint } : {});
    return undefined;
  }

  let targetColumns: string[];
  if (clause.columns) {
    targetColumns = [];
    for (const id of clause.columns) {
      const c = target.columns.get(nameKey(id.text));
      if (!c) {
        // A target that could not be read whole may have lost the column to a syntax error.
        const hint = didYouMean(id.text, [...target.columns.values()].map((x) => x.name));
        if (target.complete) diagnostics.report('unknownTargetColumn', id.span, { model: target.model.name, column: id.text }, hint ? { hint } : {});
        continue;
      }
      targetColumns.push(c.name);
    }
    if (targetColumns.length !== clause.columns.length) return undefined;
  } else {
    // The target's own missing key is reported against the target; say nothing more here.
    const pk = target.model.primaryKey;
    if (!pk || pk.columns.length === 0) return undefined;
    targetColumns = [...pk.columns];
  }

  const cardinality: Cardinality = !clause.cardinality
    ? 'many-to-one'
    : clause.cardinality.from === 'MANY'
      ? clause.cardinality.to === 'ONE'
        ? 'many-to-one'
        : 'many-to-many'
      : clause.cardinality.to === 'ONE'
        ? 'one-to-one'
        : 'one-to-many';
  const onDelete: DeleteAction = deleteAction(clause.onDelete?.action);
  const nullable = columns.some((c) => !draft.columns.get(nameKey(c))!.notNull);
  const one = cardinality === 'one-to-one';
  return {
    kind: 'relationship',
    name: ref.constraintName?.text ?? `fk_${columns.join('_')}`,
    columns,
    target: target.model.name,
    // The target and the columns named in it: what MDL3020 and MDL3029 point at.
    targetSpan: clause.columns && clause.columns.length > 0 ? { ...clause.target.span, end: clause.columns[clause.columns.length - 1]!.span.end } : clause.target.span,
    targetColumns,
    cardinality,
    onDelete,
    notation: one ? (nullable ? '1:0' : '1:1') : nullable ? 'M:0' : 'M:1',
    span: ref.span,
  };
}

function deleteAction(text: A.DeleteActionText | undefined): DeleteAction {
  switch (text) {
    case 'CASCADE':
      return 'cascade';
    case 'SET NULL':
      return 'set-null';
    case 'RESTRICT':
      return 'restrict';
    case 'NO ACTION':
    case undefined:
      return 'no-action';
  }
}
