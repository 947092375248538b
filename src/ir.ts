/**
 * The IR: the resolved schema that checks and every compile target read.
 *
 * Readonly plain objects tagged with `kind`, JSON-serialisable (no classes, no cycles, no Maps).
 * Models refer to each other by declared name, never by object link. Names keep the spelling of
 * their declaration; lookups compare them case-insensitively (see `nameKey`). Invariants marked
 * "after check" hold when check reported no errors; compile is only ever given such an IR.
 */

import type { Span } from './source.js';

export interface Schema {
  readonly kind: 'schema';
  /** Files sorted by path, then models in declaration order. Names unique after check. */
  readonly models: readonly Model[];
}

export type Behavior = 'record' | 'time-series';

export interface Model {
  readonly kind: 'model';
  readonly name: string;
  readonly nameSpan: Span;
  /** The whole CREATE MODEL statement. */
  readonly span: Span;
  readonly behavior: Behavior;
  /**
   * True when the declaration could not be read whole (a syntax error inside it) or its key,
   * version or timestamp named a column that does not exist. Rules that report something missing
   * skip a partial model: the cause is reported already. Always false after check without errors.
   */
  readonly partial: boolean;
  /** WITH HISTORY: keep every applied version of each key. */
  readonly history: boolean;
  readonly comment: string | null;
  /** Declaration order, never empty after check. */
  readonly columns: readonly Column[];
  /** Column names in key order; non-null and non-empty after check. */
  readonly primaryKey: Key | null;
  /** Non-null after check; names a NOT NULL column outside the primary key. */
  readonly version: ColumnRef | null;
  /** The event-time column; non-null exactly for time-series models after check. */
  readonly timestamp: ColumnRef | null;
  readonly uniqueKeys: readonly Key[];
  /** Declaration order. */
  readonly relationships: readonly Relationship[];
}

export interface Key {
  readonly columns: readonly string[];
  readonly span: Span;
}

export interface ColumnRef {
  readonly column: string;
  readonly span: Span;
}

export interface Column {
  readonly kind: 'column';
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  readonly type: ColumnType;
  /** Where the type is written, with its arguments. */
  readonly typeSpan: Span;
  readonly notNull: boolean;
  readonly default: DefaultValue | null;
  /** Where the DEFAULT clause is written; null exactly when `default` is. */
  readonly defaultSpan: Span | null;
  readonly comment: string | null;
}

export type ColumnType =
  | { readonly kind: 'string'; readonly maxLength: number | null; readonly spelled: string }
  | { readonly kind: 'integer'; readonly bits: 16 | 32 | 64; readonly spelled: string }
  | { readonly kind: 'double'; readonly spelled: string }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number; readonly spelled: string }
  | { readonly kind: 'boolean'; readonly spelled: string }
  | { readonly kind: 'date'; readonly spelled: string }
  | { readonly kind: 'timestamp'; readonly spelled: string }
  | { readonly kind: 'json'; readonly spelled: string }
  /** Placeholder for a type that was reported as unknown; never present after check. */
  | { readonly kind: 'unknown'; readonly spelled: string };

export type DefaultValue =
  | { readonly kind: 'string'; readonly value: string }
  /** A number exactly as written (integers may exceed 2^53). */
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' };

export type Cardinality = 'many-to-one' | 'one-to-one' | 'many-to-many' | 'one-to-many';
export type DeleteAction = 'cascade' | 'set-null' | 'restrict' | 'no-action';
/** M:1 and 1:1 when every referencing column is NOT NULL; M:0 and 1:0 when the reference may be absent. */
export type Notation = '1:1' | '1:0' | 'M:1' | 'M:0';

export interface Relationship {
  readonly kind: 'relationship';
  /** The CONSTRAINT name, or one derived from the referencing columns (fk_<col>_<col>). */
  readonly name: string;
  /** Referencing columns in this model; non-empty. */
  readonly columns: readonly string[];
  /** Declared name of the referenced model. */
  readonly target: string;
  readonly targetSpan: Span;
  /** Referenced columns, pairwise with `columns`; after check, exactly a key of the target. */
  readonly targetColumns: readonly string[];
  /** Only many-to-one and one-to-one after check. */
  readonly cardinality: Cardinality;
  readonly onDelete: DeleteAction;
  readonly notation: Notation;
  readonly span: Span;
}

/** The form names are compared in: case-insensitive, as SQL does for unquoted names. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

const modelIndexes = new WeakMap<Schema, Map<string, Model>>();

/** The model of that name (first declared, if the name is declared twice); indexed once per schema. */
export function findModel(schema: Schema, name: string): Model | undefined {
  let index = modelIndexes.get(schema);
  if (!index) {
    index = new Map();
    for (const m of schema.models) if (!index.has(nameKey(m.name))) index.set(nameKey(m.name), m);
    modelIndexes.set(schema, index);
  }
  return index.get(nameKey(name));
}

export function findColumn(model: Model, name: string): Column | undefined {
  // Names in the IR have their declared spelling, so the exact match is the usual one.
  for (const c of model.columns) if (c.name === name) return c;
  const k = nameKey(name);
  return model.columns.find((c) => nameKey(c.name) === k);
}

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
