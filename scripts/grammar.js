// `npm run grammar`: regenerates grammar/gast.json and grammar/railroad.html from the parser.
//
// Reads the built modules in dist/ (`npm run grammar` builds first). The hand-written artefacts,
// grammar/mdl.ebnf and grammar/mdl.tmLanguage.json, are not generated; tests/grammar.test.ts
// checks all four against the parser.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parserInstance } from '../dist/syntax/parser.js';
import { chevrotain } from '../dist/syntax/chevrotain.js';
import { generateGrammarArtefacts } from './grammar-artefacts.js';

const { createSyntaxDiagramsCode } = chevrotain();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const artefacts = generateGrammarArtefacts({
  productions: parserInstance().getSerializedGastProductions(),
  createSyntaxDiagramsCode,
});

for (const [path, content] of artefacts) {
  const file = join(root, path);
  let before;
  try {
    before = readFileSync(file, 'utf8');
  } catch {
    before = undefined;
  }
  if (before === content) {
    console.log(`${path}: unchanged`);
    continue;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`${path}: ${before === undefined ? 'written' : 'updated'}`);
}
