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
  const quoted = value.includes("'") ? `'${value.replace(/'/g, "''")}'` : `'${value}'`;
  // SQLite reads SQL text only up to a NUL: inside a literal that is a syntax error, and in a
  // script it silently drops the rest. A NUL is written as char(0), the expression parenthesised
  // so that it stands wherever a literal does (a DEFAULT clause included).
  return value.includes('\0') ? `(${quoted.split('\0').join("' || char(0) || '")})` : quoted;
}

/**
 * A `--` comment line carrying text from the models (a name, a COMMENT): a line break would end
 * the comment and let the rest of the text be read as SQL, and a NUL would end the script, so
 * both are written as escapes (`\u000a`).
 */
export function sqlComment(text: string): string {
  if (!COMMENT_BREAKERS.test(text)) return `-- ${text}`;
  return `-- ${text.replace(COMMENT_BREAKERS_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;
}

const COMMENT_BREAKERS = /[\0\r\n]/;
const COMMENT_BREAKERS_ALL = /[\0\r\n]/g;

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
