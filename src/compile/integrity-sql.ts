/**
 * The integrity report's statements, per relationship (mdl integrity): orphaned child rows, and
 * for a ONE TO ONE relationship, parents with more than one child. A reference with a NULL in
 * any of its columns refers to nothing and is never an orphan (SQL's MATCH SIMPLE).
 */

import type { Model, Relationship } from '../ir.js';
import { tableNames } from './apply.js';
import { ident } from './sql-text.js';

export interface RelationshipIntegritySql {
  /** Child rows whose reference has no target row; count, then sample keys (LIMIT ?). */
  readonly countOrphans: string;
  readonly sampleOrphans: string;
  /** ONE TO ONE only: referenced values held by more than one child; count, then samples (LIMIT ?). */
  readonly countBreaches: string | undefined;
  readonly sampleBreaches: string | undefined;
}

export function relationshipIntegritySql(child: Model, rel: Relationship, parent: Model): RelationshipIntegritySql {
  const c = ident(tableNames(child).table);
  const p = ident(tableNames(parent).table);
  const cols = rel.columns.map(ident);
  const key = child.primaryKey!.columns.map((k) => `c.${ident(k)}`).join(', ');
  const present = cols.map((col) => `c.${col} IS NOT NULL`).join(' AND ');
  const match = cols.map((col, i) => `p.${ident(rel.targetColumns[i]!)} = c.${col}`).join(' AND ');
  const orphans = `FROM ${c} AS c WHERE ${present} AND NOT EXISTS (SELECT 1 FROM ${p} AS p WHERE ${match})`;
  const shared = `FROM ${c} AS c WHERE ${present} GROUP BY ${cols.map((col) => `c.${col}`).join(', ')} HAVING count(*) > 1`;
  const one = rel.cardinality === 'one-to-one';
  return {
    countOrphans: `SELECT count(*) AS "n" ${orphans}`,
    sampleOrphans: `SELECT json_array(${key}) AS "key" ${orphans} ORDER BY ${key} LIMIT ?`,
    countBreaches: one ? `SELECT count(*) AS "n" FROM (SELECT 1 ${shared})` : undefined,
    sampleBreaches: one
      ? `SELECT json_array(${cols.map((col) => `c.${col}`).join(', ')}) AS "target", count(*) AS "children" ${shared} ORDER BY 1 LIMIT ?`
      : undefined,
  };
}
