/**
 * What every command shares: exit codes, colour, usage errors, argument parsing.
 */

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from '../diagnostics/suggest.js';

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

/**
 * Colour only on a terminal, and never when NO_COLOR is set (to anything but the empty string,
 * as no-color.org has it) or the terminal is dumb.
 */
export function useColor(stream: NodeJS.WriteStream): boolean {
  const noColor = process.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  if (process.env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): Parsed {
  const all: NonNullable<ParseArgsConfig['options']> = { ...options, help: { type: 'boolean', short: 'h' } };
  // A value that is a negative number (--below -5) is the option's, not another option.
  const takesValue = new Set(Object.entries(all).flatMap(([name, o]) => (o.type === 'string' ? [`--${name}`, ...(o.short ? [`-${o.short}`] : [])] : [])));
  const given: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (takesValue.has(args[i]!) && next !== undefined && /^-\d/.test(next)) {
      given.push(`${args[i]}=${next}`);
      i++;
    } else given.push(args[i]!);
  }
  try {
    const r = parseArgs({ args: given, options: all, allowPositionals: true, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    throw new UsageError(argumentError(e, Object.keys(all)));
  }
}

/** node:util's message for a command line it refuses, in the words of mdl's other messages. */
function argumentError(e: unknown, names: readonly string[]): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown }).code;
  // The option as node:util names it: '--bogus', or '-o, --out <value>' (then the long name).
  const option = /'(?:-\w, )?(--?[^' ,<]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    const hint = option.startsWith('--') ? didYouMean(option.slice(2), names) : undefined;
    return `unknown option ${option}${hint ? ` (${hint.replace(/did you mean (\S+)\?/, 'did you mean --$1?')})` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (message.includes('ambiguous')) return `${option} needs a value (one that starts with a dash is written ${option}=-VALUE)`;
    return message.includes('argument missing') ? `${option} needs a value` : `${option} takes no value`;
  }
  return message.charAt(0).toLowerCase() + message.slice(1).replace(/\.$/, '');
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option} must be one of ${allowed.join(', ')}${value === undefined ? '' : `, not '${String(value)}'`}`);
}
