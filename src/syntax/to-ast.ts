/**
 * Stage 3, concrete syntax tree to AST.
 *
 * The CST may be partial where the parser recovered from an error (the error is already reported):
 * a node whose essential parts are missing is left out rather than guessed at, so that the checker
 * never reports a consequence of a syntax error as a second, separate mistake.
 */

import type { CstElement, CstNode, IToken } from './chevrotain.js';
import type { Span } from '../source.js';
import type * as A from './ast.js';

type Children = Record<string, CstElement[] | undefined>;

/**
 * @param errorOffsets offsets of the syntax errors reported for this file, ascending; a model with
 * one inside its parentheses is marked incomplete, so that the checker does not report as missing
 * what the error swallowed.
 */
export function toAst(file: string, root: CstNode, errorOffsets: readonly number[] = []): A.SourceUnit {
  const b = new Builder(file, errorOffsets, errorOffsets.length > 0);
  const models: A.ModelDecl[] = [];
  for (const node of nodes(root.children, 'createModel')) {
    const m = b.model(node);
    if (m) models.push(m);
  }
  return { kind: 'source-unit', file, models };
}

function nodes(children: Children, name: string): CstNode[] {
  return (children[name] ?? []) as CstNode[];
}

function real(t: IToken): boolean {
  return !t.isInsertedInRecovery && !Number.isNaN(t.startOffset);
}

function tokens(children: Children, name: string): IToken[] {
  return ((children[name] ?? []) as IToken[]).filter(real);
}

/** The first real token under `name` (tokens invented by recovery have no place in the text). */
function first(children: Children, name: string): IToken | undefined {
  const group = children[name] as IToken[] | undefined;
  if (!group) return undefined;
  for (const t of group) if (real(t)) return t;
  return undefined;
}

class Builder {
  constructor(
    private readonly file: string,
    private readonly errorOffsets: readonly number[],
    /** False for a file without syntax errors: nothing was recovered, nothing to look for. */
    private readonly hadErrors: boolean,
  ) {}

  /** Whether an error lies in [start, end): a binary search, since a file may hold a great many errors. */
  private hasErrorIn(start: number, end: number): boolean {
    if (!this.hadErrors) return false;
    const offsets = this.errorOffsets;
    let lo = 0;
    let hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (offsets[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    return lo < offsets.length && offsets[lo]! < end;
  }

  private tokenSpan(t: IToken): Span {
    return { file: this.file, start: t.startOffset, end: t.startOffset + t.image.length };
  }

  private nodeSpan(n: CstNode): Span {
    const loc = n.location;
    const start = loc?.startOffset;
    let end = loc?.endOffset;
    if (start === undefined || Number.isNaN(start)) return { file: this.file, start: 0, end: 0 };
    // Recovery can leave a node ending in an invented token; then find the last real one.
    if (end === undefined || Number.isNaN(end)) {
      const last = lastToken(n);
      end = last ? last.startOffset + last.image.length - 1 : start;
    }
    return { file: this.file, start, end: end + 1 };
  }

  model(node: CstNode): A.ModelDecl | undefined {
    const c = node.children as Children;
    const name = this.ident(first(c, 'name'));
    if (!name) return undefined;
    const elements: A.Element[] = [];
    for (const el of nodes(c, 'modelElement')) {
      const e = this.element(el);
      if (e) elements.push(e);
    }
    const options: A.ModelOption[] = [];
    for (const opt of nodes(c, 'modelOption')) {
      const o = this.option(opt);
      if (o) options.push(o);
    }
    const span = this.nodeSpan(node);
    // Errors at or after the closing parenthesis (a trailing comma, a missing ';') lose no
    // element of this model; one before it may have, and so may a model with no element at all.
    const close = first(c, 'RParen');
    return {
      kind: 'model-decl',
      name,
      ifNotExists: first(c, 'EXISTS') !== undefined,
      complete: close !== undefined && elements.length > 0 && !this.hasErrorIn(span.start, close.startOffset),
      elements,
      options,
      span,
    };
  }

  /** A name token (plain, soft keyword or quoted) to an identifier with its text unquoted. */
  ident(token: IToken | undefined): A.Ident | undefined {
    if (!token) return undefined;
    const type = token.tokenType.name;
    if (type === 'QuotedIdentifier' || type === 'UnterminatedIdentifier') {
      const inner = token.image.slice(1, type === 'QuotedIdentifier' ? -1 : undefined);
      return { text: inner.replace(/""/g, '"'), quoted: true, span: this.tokenSpan(token) };
    }
    return { text: token.image, quoted: false, span: this.tokenSpan(token) };
  }

  private columnList(node: CstNode | undefined): A.Ident[] | undefined {
    if (!node) return undefined;
    const ids: A.Ident[] = [];
    for (const t of tokens(node.children as Children, 'Identifier')) ids.push(this.ident(t)!);
    return ids.length > 0 ? ids : undefined;
  }

  private element(node: CstNode): A.Element | undefined {
    // What recovery made of an element with a syntax error in it is not what the user meant.
    const whole = this.nodeSpan(node);
    if (this.hadErrors && (this.hasErrorIn(whole.start, whole.end + 1) || recovered(node))) return undefined;
    const c = node.children as Children;
    const column = nodes(c, 'columnDefinition')[0];
    if (column) return this.column(column);
    const t = c;
    const span = whole;
    const simple = (
      rule: string,
      kind: 'primary-key-decl' | 'version-decl' | 'timestamp-decl' | 'unique-decl',
    ): A.Element | undefined => {
      const n = nodes(t, rule)[0];
      if (!n) return undefined;
      const columns = this.columnList(nodes(n.children as Children, 'columnList')[0]);
      return columns ? { kind, columns, span } : undefined;
    };
    const fk = nodes(t, 'foreignKeyConstraint')[0];
    if (fk) {
      const f = fk.children as Children;
      const columns = this.columnList(nodes(f, 'columnList')[0]);
      const clauseNode = nodes(f, 'referencesClause')[0];
      const clause = clauseNode && this.references(clauseNode);
      if (!columns || !clause) return undefined;
      const constraintName = this.ident(first(f, 'constraintName'));
      return { kind: 'foreign-key-decl', columns, clause, span, ...(constraintName ? { constraintName } : {}) };
    }
    return (
      simple('primaryKeyConstraint', 'primary-key-decl') ??
      simple('versionConstraint', 'version-decl') ??
      simple('timestampConstraint', 'timestamp-decl') ??
      simple('uniqueConstraint', 'unique-decl')
    );
  }

  private column(node: CstNode): A.ColumnDecl | undefined {
    const c = node.children as Children;
    const name = this.ident(first(c, 'name'));
    const typeNode = nodes(c, 'dataType')[0];
    const type = typeNode && this.dataType(typeNode);
    if (!name || !type) return undefined;
    const constraints: A.ColumnConstraint[] = [];
    for (const cc of nodes(c, 'columnConstraint')) {
      const k = this.columnConstraint(cc);
      if (k) constraints.push(k);
    }
    return { kind: 'column-decl', name, type, constraints, span: this.nodeSpan(node) };
  }

  private dataType(node: CstNode): A.TypeRef | undefined {
    const c = node.children as Children;
    const name = this.ident(first(c, 'name'));
    if (!name) return undefined;
    const args = tokens(c, 'argument').map((t) => ({ text: t.image, span: this.tokenSpan(t) }));
    return { name, args, span: this.nodeSpan(node) };
  }

  private columnConstraint(node: CstNode): A.ColumnConstraint | undefined {
    const c = node.children as Children;
    const span = this.nodeSpan(node);
    // Each alternative leaves a distinct first child, so one look at the keys present decides.
    for (const key in c) {
      switch (key) {
        case 'notNull':
          return first(c, key) ? { kind: 'not-null', span } : undefined;
        case 'nullable':
          return first(c, key) ? { kind: 'nullable', span } : undefined;
        case 'DEFAULT': {
          const lit = nodes(c, 'literal')[0];
          const value = lit && this.literal(lit);
          return value ? { kind: 'default', value, span } : undefined;
        }
        case 'PRIMARY':
          return first(c, 'KEY') ? { kind: 'primary-key', span } : undefined;
        case 'VERSION':
          return first(c, key) ? { kind: 'version', span } : undefined;
        case 'TIMESTAMP':
          return first(c, key) ? { kind: 'timestamp', span } : undefined;
        case 'UNIQUE':
          return first(c, key) ? { kind: 'unique', span } : undefined;
        case 'referencesClause': {
          const clause = this.references(nodes(c, key)[0]!);
          return clause ? { kind: 'references', clause, span } : undefined;
        }
        case 'comment': {
          const comment = first(c, key);
          return comment ? { kind: 'comment', text: unquoteString(comment), span } : undefined;
        }
      }
    }
    return undefined;
  }

  private references(node: CstNode): A.ReferencesClause | undefined {
    const c = node.children as Children;
    const target = this.ident(first(c, 'target'));
    if (!target) return undefined;
    const columns = this.columnList(nodes(c, 'columnList')[0]);
    const cardNode = nodes(c, 'cardinality')[0];
    let cardinality: A.ReferencesClause['cardinality'];
    if (cardNode) {
      const k = cardNode.children as Children;
      const from = first(k, 'from');
      const to = first(k, 'to');
      if (from && to) {
        cardinality = {
          from: from.image.toUpperCase() as 'MANY' | 'ONE',
          to: to.image.toUpperCase() as 'MANY' | 'ONE',
          span: this.nodeSpan(cardNode),
        };
      }
    }
    const delNode = nodes(c, 'onDeleteClause')[0];
    let onDelete: A.ReferencesClause['onDelete'];
    const actionNode = delNode && nodes(delNode.children as Children, 'deleteAction')[0];
    if (delNode && actionNode) {
      const a = actionNode.children as Children;
      const action: A.DeleteActionText | undefined = first(a, 'CASCADE')
        ? 'CASCADE'
        : first(a, 'SET') && first(a, 'NULL')
          ? 'SET NULL'
          : first(a, 'RESTRICT')
            ? 'RESTRICT'
            : first(a, 'NO') && first(a, 'ACTION')
              ? 'NO ACTION'
              : undefined;
      if (action) onDelete = { action, span: this.nodeSpan(delNode) };
    }
    return {
      target,
      span: this.nodeSpan(node),
      ...(columns ? { columns } : {}),
      ...(cardinality ? { cardinality } : {}),
      ...(onDelete ? { onDelete } : {}),
    };
  }

  private option(node: CstNode): A.ModelOption | undefined {
    const c = node.children as Children;
    const span = this.nodeSpan(node);
    if (first(c, 'BEHAVIOR')) {
      if (first(c, 'RECORD')) return { kind: 'behavior', value: 'RECORD', span };
      if (first(c, 'TIME') && first(c, 'SERIES')) return { kind: 'behavior', value: 'TIME SERIES', span };
      return undefined;
    }
    if (first(c, 'WITH') && first(c, 'HISTORY')) return { kind: 'history', span };
    const comment = first(c, 'comment');
    if (comment) return { kind: 'comment', text: unquoteString(comment), span };
    return undefined;
  }

  private literal(node: CstNode): A.Literal | undefined {
    const c = node.children as Children;
    const span = this.nodeSpan(node);
    const s = first(c, 'StringLiteral');
    if (s) return { kind: 'string', value: unquoteString(s), span };
    const n = first(c, 'NumberLiteral');
    if (n) return { kind: 'number', text: n.image, span };
    if (first(c, 'TRUE')) return { kind: 'boolean', value: true, span };
    if (first(c, 'FALSE')) return { kind: 'boolean', value: false, span };
    if (first(c, 'NULL')) return { kind: 'null', span };
    return undefined;
  }
}

/** Whether Chevrotain re-synchronised somewhere inside the node (it then lacks what it skipped). */
function recovered(node: CstNode): boolean {
  if (node.recoveredNode) return true;
  for (const group of Object.values(node.children as Children)) {
    for (const e of group ?? []) if (!isToken(e) && recovered(e)) return true;
  }
  return false;
}

/** The real token that ends a node (tokens invented by recovery have no place, so they are passed over). */
export function lastToken(node: CstNode): IToken | undefined {
  let best: IToken | undefined;
  for (const group of Object.values(node.children as Children)) {
    if (!group) continue;
    for (let i = group.length - 1; i >= 0; i--) {
      const e = group[i]!;
      const t = isToken(e) ? (e.isInsertedInRecovery || Number.isNaN(e.startOffset) ? undefined : e) : lastToken(e);
      if (t) {
        if (!best || t.startOffset > best.startOffset) best = t;
        break;
      }
    }
  }
  return best;
}

function isToken(e: CstElement | undefined): e is IToken {
  return e !== undefined && (e as IToken).image !== undefined;
}

/** The text of a string token; an unclosed one (already reported) runs to the end of its line. */
export function unquoteString(token: IToken): string {
  const closed = token.tokenType.name === 'StringLiteral';
  return token.image.slice(1, closed ? -1 : undefined).replace(/''/g, "'");
}
