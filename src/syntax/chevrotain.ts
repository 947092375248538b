/**
 * Chevrotain, loaded from the single-file bundle that the package ships.
 *
 * The package's main entry imports several hundred small modules (lodash-es among them), which
 * costs about 170 ms of start-up on this project's machines; the bundle it ships beside them
 * loads in about 9 ms. `mdl compile` is a build step that runs often, so start-up matters. The
 * bundle is the same code and version; only the way it is loaded differs.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Chevrotain from 'chevrotain';

async function load(): Promise<typeof Chevrotain> {
  const entry = createRequire(import.meta.url).resolve('chevrotain');
  const bundle = join(dirname(entry), '..', 'chevrotain.min.mjs');
  try {
    return (await import(pathToFileURL(bundle).href)) as typeof Chevrotain;
  } catch {
    return await import('chevrotain');
  }
}

const chevrotain = await load();

export const { createToken, Lexer, CstParser, EOF } = chevrotain;
export const createSyntaxDiagramsCode = chevrotain.createSyntaxDiagramsCode;
export type { CstNode, CstElement, IToken, TokenType, IRecognitionException, ILexingError } from 'chevrotain';
