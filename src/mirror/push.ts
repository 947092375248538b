/**
 * Push: make a mirror hold a project's models, without ever dropping or rewriting data.
 *
 * A model the mirror lacks is created (its tables, tombstones, indexes and metadata, as compiled)
 * with its CREATE MODEL statement recorded. A model it holds at the same fingerprint is left as
 * it is. A model it holds at another fingerprint is a change of schema, which needs a migration
 * (a later issue): push refuses it, and then changes nothing at all. A model the mirror holds
 * that the project no longer declares is kept and reported. All in one transaction.
 */

import type { SourceFile } from '../source.js';
import { nameKey, type Schema } from '../ir.js';
import type { SqliteProgram } from '../compile/sqlite.js';
import { MirrorSql } from '../compile/mirror-sql.js';
import { MirrorError, type Mirror } from './mirror.js';

export interface PushReport {
  readonly created: readonly string[];
  readonly unchanged: readonly string[];
  /** In the mirror, not in the project: kept as they are. */
  readonly kept: readonly string[];
}

export class PushRefused extends MirrorError {
  constructor(
    message: string,
    /** Models whose definition differs from the mirror's. */
    readonly changed: readonly string[],
  ) {
    super(message);
  }
}

export function push(mirror: Mirror, schema: Schema, program: SqliteProgram, sources: readonly SourceFile[]): PushReport {
  const db = mirror.db;
  const texts = new Map(sources.map((s) => [s.path, s.text]));
  const held = new Map<string, { name: string; hash: string }>();
  if (mirror.isMirror()) {
    for (const r of db.prepare(MirrorSql.models).all() as { name: string; source_hash: string }[]) {
      held.set(nameKey(r.name), { name: r.name, hash: r.source_hash });
    }
  }

  const changed = program.models.filter((m) => {
    const h = held.get(nameKey(m.model));
    return h !== undefined && h.hash !== m.sourceHash;
  });
  if (changed.length > 0) {
    const names = changed.map((m) => m.model);
    throw new PushRefused(
      `${names.length === 1 ? 'model' : 'models'} ${names.join(', ')} changed since the mirror was built; ` +
        'changing a mirrored model needs a migration, which mdl does not do yet. Nothing was changed. ' +
        'Push the changed models into a new mirror, or restore their definitions.',
      names,
    );
  }

  const created: string[] = [];
  const unchanged: string[] = [];
  db.transaction(() => {
    for (const s of program.metadataDdl) db.exec(s);
    const setSource = db.prepare(MirrorSql.setSource);
    for (let i = 0; i < program.models.length; i++) {
      const m = program.models[i]!;
      if (held.has(nameKey(m.model))) {
        unchanged.push(m.model);
        continue;
      }
      for (const s of m.ddl) db.exec(s);
      for (const s of m.metadata) db.exec(s);
      const span = schema.models[i]!.span;
      const text = texts.get(span.file);
      if (text === undefined) throw new Error(`push was not given the source of ${span.file}`);
      setSource.run(text.slice(span.start, span.end), m.model);
      created.push(m.model);
    }
  })();
  mirror.invalidate();
  const declared = new Set(program.models.map((m) => nameKey(m.model)));
  const kept = [...held.values()].filter((h) => !declared.has(nameKey(h.name))).map((h) => h.name);
  return { created, unchanged, kept };
}
