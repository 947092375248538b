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
import { tableNames } from '../compile/apply.js';
import { MirrorError, whileBusy, type Mirror } from './mirror.js';

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
  // Under the write lock from the first read: two pushes at once are one after the other, and
  // the second finds what the first created.
  const report = whileBusy(() =>
    db
      .transaction((): PushReport => {
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
        // A new model's tables must not be there already: CREATE TABLE IF NOT EXISTS would keep
        // a table of the database's own, which the model's statements cannot use.
        const named = db.prepare(MirrorSql.objectNamed);
        for (let i = 0; i < program.models.length; i++) {
          if (held.has(nameKey(program.models[i]!.model))) continue;
          const model = schema.models[i]!;
          const names = tableNames(model);
          for (const name of [names.table, names.tombstones, ...(model.history ? [names.versions, names.history, names.historyErased] : [])]) {
            const found = named.get(name) as { type: string; name: string } | undefined;
            if (found) {
              throw new MirrorError(
                `${mirror.file} already has a ${found.type} named ${found.name}, which is not model ${model.name}'s; nothing was changed. ` +
                  `Push the models into another mirror, or rename the model`,
              );
            }
          }
        }
        const created: string[] = [];
        const unchanged: string[] = [];
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
        const declared = new Set(program.models.map((m) => nameKey(m.model)));
        const kept = [...held.values()].filter((h) => !declared.has(nameKey(h.name))).map((h) => h.name);
        return { created, unchanged, kept };
      })
      .immediate(),
  );
  mirror.invalidate();
  return report;
}
