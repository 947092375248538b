/**
 * SQL text: the one place identifiers are quoted and literals written.
 *
 * Every identifier in generated SQL goes through `ident`, always double-quoted, so a model or
 * column may be named anything, keywords and quotes included. Values from users are never pasted
 * into SQL by the runtime: they are bound. Literals here come only from the model files
 * (defaults, names recorded in metadata).
 */

export function ident(name: string): string {
  return name.includes('"') ? `"${name.replace(/"/g, '""')}"` : `"${name}"`;
}

export function stringLiteral(value: string): string {
  return value.includes("'") ? `'${value.replace(/'/g, "''")}'` : `'${value}'`;
}

export function list(items: readonly string[]): string {
  return items.join(', ');
}

/** `a."x" = b."x" AND a."y" = b."y"`, from names already quoted. */
export function equalities(left: string, right: string, quoted: readonly string[]): string {
  let out = '';
  for (const q of quoted) out += `${out === '' ? '' : ' AND '}${left}.${q} = ${right}.${q}`;
  return out;
}

/** `(a, b)` for a row value, or `a` for a single column (older SQLite reads both, the single form reads better). */
export function rowValue(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `(${items.join(', ')})`;
}
