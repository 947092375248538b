/**
 * The abstract syntax tree: what a file says, in the order it says it, unresolved.
 *
 * Readonly plain objects tagged with `kind`. Names keep their spelling (quotes removed, doubled
 * quotes undone). Nothing here is checked yet: a column may name an unknown type, a model may have
 * three primary keys. The checker turns this into the IR and says what is wrong.
 */

import type { Span } from '../source.js';

export interface Ident {
  readonly text: string;
  readonly quoted: boolean;
  readonly span: Span;
}

export interface SourceUnit {
  readonly kind: 'source-unit';
  readonly file: string;
  readonly models: readonly ModelDecl[];
}

export interface ModelDecl {
  readonly kind: 'model-decl';
  readonly name: Ident;
  readonly ifNotExists: boolean;
  /** False when a syntax error fell inside the parentheses: some elements may be missing. */
  readonly complete: boolean;
  readonly elements: readonly Element[];
  readonly options: readonly ModelOption[];
  /** From CREATE to the closing ';'. */
  readonly span: Span;
}

export type Element = ColumnDecl | PrimaryKeyDecl | VersionDecl | TimestampDecl | UniqueDecl | ForeignKeyDecl;

export interface ColumnDecl {
  readonly kind: 'column-decl';
  readonly name: Ident;
  readonly type: TypeRef;
  readonly constraints: readonly ColumnConstraint[];
  readonly span: Span;
}

export interface TypeRef {
  readonly name: Ident;
  /** Number literals between the parentheses, as written. */
  readonly args: readonly { readonly text: string; readonly span: Span }[];
  readonly span: Span;
}

export type ColumnConstraint =
  | { readonly kind: 'not-null'; readonly span: Span }
  | { readonly kind: 'nullable'; readonly span: Span }
  | { readonly kind: 'default'; readonly value: Literal; readonly span: Span }
  | { readonly kind: 'primary-key'; readonly span: Span }
  | { readonly kind: 'version'; readonly span: Span }
  | { readonly kind: 'timestamp'; readonly span: Span }
  | { readonly kind: 'unique'; readonly span: Span }
  | { readonly kind: 'references'; readonly clause: ReferencesClause; readonly span: Span }
  | { readonly kind: 'comment'; readonly text: string; readonly span: Span };

export type Literal =
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  | { readonly kind: 'number'; readonly text: string; readonly span: Span }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'null'; readonly span: Span };

export interface PrimaryKeyDecl {
  readonly kind: 'primary-key-decl';
  readonly columns: readonly Ident[];
  readonly span: Span;
}

export interface VersionDecl {
  readonly kind: 'version-decl';
  readonly columns: readonly Ident[];
  readonly span: Span;
}

export interface TimestampDecl {
  readonly kind: 'timestamp-decl';
  readonly columns: readonly Ident[];
  readonly span: Span;
}

export interface UniqueDecl {
  readonly kind: 'unique-decl';
  readonly columns: readonly Ident[];
  readonly span: Span;
}

export interface ForeignKeyDecl {
  readonly kind: 'foreign-key-decl';
  readonly constraintName?: Ident;
  readonly columns: readonly Ident[];
  readonly clause: ReferencesClause;
  readonly span: Span;
}

export type DeleteActionText = 'CASCADE' | 'SET NULL' | 'RESTRICT' | 'NO ACTION';

export interface ReferencesClause {
  readonly target: Ident;
  /** Absent when the clause names no columns: the target's primary key is meant. */
  readonly columns?: readonly Ident[];
  readonly cardinality?: { readonly from: 'MANY' | 'ONE'; readonly to: 'MANY' | 'ONE'; readonly span: Span };
  readonly onDelete?: { readonly action: DeleteActionText; readonly span: Span };
  readonly span: Span;
}

export type ModelOption =
  | { readonly kind: 'behavior'; readonly value: 'RECORD' | 'TIME SERIES'; readonly span: Span }
  | { readonly kind: 'history'; readonly span: Span }
  | { readonly kind: 'comment'; readonly text: string; readonly span: Span };
