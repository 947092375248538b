/**
 * A project on disk: every .mdl file below the given paths, read as one schema.
 *
 * Files are found recursively (skipping node_modules and dot-folders), de-duplicated and sorted,
 * and named relative to the working directory with '/' separators, so that messages and compiled
 * output read the same on every machine.
 */

import { isUtf8 } from 'node:buffer';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { decodeLossy, firstNotUtf8, shownText } from './ingest/text.js';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { SourceFile } from './source.js';
import { Diagnostics } from './diagnostics/diagnostic.js';

export interface LoadedProject {
  readonly sources: SourceFile[];
  readonly diagnostics: Diagnostics;
}

export function displayPath(path: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  return shown.split(sep).join('/');
}

export function findModelFiles(paths: readonly string[], diagnostics: Diagnostics): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      diagnostics.report('unreadableFile', undefined, { path: displayPath(dir), reason: describeFsError(e) });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.mdl') && (entry.isFile() || isLinkToFile(p))) found.add(resolve(p));
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      diagnostics.report('unreadableFile', undefined, { path: displayPath(p), reason: describeFsError(e) });
      continue;
    }
    if (st.isDirectory()) walk(p);
    else found.add(resolve(p));
  }
  return [...found].sort();
}

/** A symbolic link to a file is read like the file (links to folders are not followed: no cycles). */
function isLinkToFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function loadProject(paths: readonly string[]): LoadedProject {
  const diagnostics = new Diagnostics();
  const roots = paths.length > 0 ? paths : ['.'];
  const files = findModelFiles(roots, diagnostics);
  if (files.length === 0 && !diagnostics.hasErrors()) {
    diagnostics.report('noModelFiles', undefined, { paths: roots.map((p) => displayPath(p)).join(', ') });
  }
  const sources: SourceFile[] = [];
  for (const f of files) {
    try {
      const bytes = readFileSync(f);
      const path = displayPath(f);
      if (isUtf8(bytes)) {
        sources.push({ path, text: bytes.toString('utf8') });
      } else {
        // Read on all the same, each sequence that is not UTF-8 as U+FFFD, so that the file's
        // other mistakes are reported too; the first such sequence is where this points.
        const lossy = decodeLossy(bytes, 0, bytes.length);
        const at = firstNotUtf8(lossy);
        sources.push({ path, text: shownText(lossy) });
        diagnostics.report('notUtf8', { file: path, start: at, end: at + 1 }, { path });
      }
    } catch (e) {
      diagnostics.report('unreadableFile', undefined, { path: displayPath(f), reason: describeFsError(e) });
    }
  }
  return { sources, diagnostics };
}

/** A file-system error in a few words: 'no such file or directory', 'permission denied' ... */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return e instanceof Error ? e.message : String(e);
}
