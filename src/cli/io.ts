/**
 * What every command shares: exit codes, colour, usage errors, argument parsing.
 */

import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
/** The input has errors: diagnostics, a failed statement. */
export const EXIT_ERRORS = 1;
/** The command line itself is wrong. */
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

/**
 * A clear sentence for an error of the machine rather than of the input: SQLite finding the disk
 * full, the file read-only, the mirror locked, or failing to read or write; a file system error.
 * Undefined for anything else. SQLite has rolled back the statement or transaction it was in.
 */
export function environmentFault(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = String((e as { code?: unknown }).code ?? '');
  const sqlite = `(SQLite: ${e.message})`;
  if (code.startsWith('SQLITE_FULL')) return `the disk is full ${sqlite}; what was being applied was rolled back`;
  if (code.startsWith('SQLITE_READONLY')) return `the mirror cannot be written: its file or folder is read-only ${sqlite}; nothing was changed`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `the mirror is locked by another process ${sqlite}; nothing more was applied, try again when it is done`;
  }
  if (code.startsWith('SQLITE_CANTOPEN')) return `the mirror cannot be opened ${sqlite}`;
  if (code.startsWith('SQLITE_IOERR')) return `reading or writing the mirror failed: a full disk, a file size limit or a failing device ${sqlite}; what was being applied was rolled back`;
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) return `the mirror file is damaged or is not a database ${sqlite}`;
  if (/^E[A-Z]+$/.test(code)) return e.message;
  return undefined;
}

/** Colour only on a terminal, and never when NO_COLOR is set (to anything but the empty string). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  const noColor = process.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return stream.isTTY === true;
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): Parsed {
  try {
    const r = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e));
  }
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option} must be one of ${allowed.join(', ')}${value === undefined ? '' : `, not '${String(value)}'`}`);
}
