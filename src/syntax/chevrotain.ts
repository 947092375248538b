/**
 * Chevrotain, loaded on first use from the single-file bundle that the package ships.
 *
 * Only the recovery path of the syntax stage needs it (fast-path.ts parses correct files
 * without it), so it is loaded when a file has a mistake, or when a tool asks for the grammar.
 * The package's main entry imports several hundred small modules (lodash-es among them), which
 * costs about 170 ms of start-up on this project's machines; the bundle beside it is the same code
 * and version and loads in about 13 ms. It is an ES module, loaded synchronously with require()
 * (Node 20.19 and later load ES modules that way), so that the syntax stage stays synchronous.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Chevrotain from 'chevrotain';

let loaded: typeof Chevrotain | undefined;

export function chevrotain(): typeof Chevrotain {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const entry = require.resolve('chevrotain');
  try {
    loaded = require(join(dirname(entry), '..', 'chevrotain.min.mjs')) as typeof Chevrotain;
  } catch {
    loaded = require('chevrotain') as typeof Chevrotain;
  }
  return loaded;
}

export type { CstNode, CstElement, IToken, TokenType, IRecognitionException, ILexingError } from 'chevrotain';
