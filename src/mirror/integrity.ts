/**
 * The integrity report (mdl integrity): per relationship, the child rows that reference nothing
 * (orphans: a mirror accepts a child before its parent, and NO ACTION deletes leave them), and
 * for a ONE TO ONE relationship the parents referenced by more than one child. Read-only.
 */

import { findModel } from '../ir.js';
import { relationshipIntegritySql } from '../compile/integrity-sql.js';
import type { Mirror } from './mirror.js';

export interface RelationshipIntegrity {
  readonly model: string;
  readonly relationship: string;
  readonly columns: readonly string[];
  readonly target: string;
  readonly targetColumns: readonly string[];
  readonly notation: string;
  readonly orphans: number;
  /** Keys of a few orphaned rows (the child's primary key, as JSON arrays). */
  readonly orphanSamples: readonly string[];
  /** ONE TO ONE: how many referenced values have more than one child; 0 otherwise. */
  readonly breaches: number;
  readonly breachSamples: readonly { readonly target: string; readonly children: number }[];
}

export interface IntegrityReport {
  readonly relationships: readonly RelationshipIntegrity[];
  readonly orphans: number;
  readonly breaches: number;
}

/** Sample rows shown per problem. */
const SAMPLE = 5;

export function integrityReport(mirror: Mirror): IntegrityReport {
  const db = mirror.db;
  const schema = mirror.schema();
  const count = (sql: string) => Number((db.prepare(sql).get() as { n: number | bigint }).n);
  const relationships: RelationshipIntegrity[] = [];
  for (const child of schema.models) {
    for (const rel of child.relationships) {
      const parent = findModel(schema, rel.target);
      if (!parent) continue;
      const sql = relationshipIntegritySql(child, rel, parent);
      const orphans = count(sql.countOrphans);
      const breaches = sql.countBreaches ? count(sql.countBreaches) : 0;
      relationships.push({
        model: child.name,
        relationship: rel.name,
        columns: rel.columns,
        target: parent.name,
        targetColumns: rel.targetColumns,
        notation: rel.notation,
        orphans,
        orphanSamples: orphans > 0 ? (db.prepare(sql.sampleOrphans).all(SAMPLE) as { key: string }[]).map((r) => r.key) : [],
        breaches,
        breachSamples:
          breaches > 0 && sql.sampleBreaches
            ? (db.prepare(sql.sampleBreaches).all(SAMPLE) as { target: string; children: number | bigint }[]).map((r) => ({ target: r.target, children: Number(r.children) }))
            : [],
      });
    }
  }
  return {
    relationships,
    orphans: relationships.reduce((n, r) => n + r.orphans, 0),
    breaches: relationships.reduce((n, r) => n + r.breaches, 0),
  };
}
