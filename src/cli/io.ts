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
