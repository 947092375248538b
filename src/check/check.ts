/**
 * The checker as one call: every file's AST in, the resolved and checked IR out.
 *
 * Order: resolve (names), then the rule families over each model. The IR is returned even when
 * there are errors, so that tools can show what was understood; compile refuses it then.
 */

import type { Diagnostics } from '../diagnostics/diagnostic.js';
import type { SourceUnit } from '../syntax/ast.js';
import type { Schema } from '../ir.js';
import { resolve } from './resolve.js';
import { checkKeys } from './keys.js';
import { checkColumns } from './columns.js';
import { checkRelationships } from './relationships.js';
import { checkSqliteLimits } from './target-sqlite.js';

export function check(units: readonly SourceUnit[], diagnostics: Diagnostics): Schema {
  return checkRules(resolve(units, diagnostics), diagnostics);
}

/** The rule families over a resolved schema (the second half of check). */
export function checkRules(schema: Schema, diagnostics: Diagnostics): Schema {
  for (const model of schema.models) {
    checkKeys(model, diagnostics);
    checkColumns(model, diagnostics);
    checkRelationships(schema, model, diagnostics);
    checkSqliteLimits(model, diagnostics);
  }
  return schema;
}
