// Types for grammar-artefacts.js (plain JavaScript, so that `npm run grammar` runs it with node).

import type { ISerializedGast, createSyntaxDiagramsCode } from 'chevrotain';

export declare const GAST_JSON: 'grammar/gast.json';
export declare const RAILROAD_HTML: 'grammar/railroad.html';

export interface GrammarArtefactsInput {
  /** `parserInstance().getSerializedGastProductions()` */
  readonly productions: readonly ISerializedGast[];
  /** chevrotain's `createSyntaxDiagramsCode`, from the same copy of chevrotain as the parser */
  readonly createSyntaxDiagramsCode: typeof createSyntaxDiagramsCode;
}

/** Repository-relative path to the content that file should have. */
export declare function generateGrammarArtefacts(input: GrammarArtefactsInput): Map<string, string>;

export declare function renderGastJson(productions: readonly ISerializedGast[]): string;

export declare function renderRailroadHtml(
  productions: readonly ISerializedGast[],
  create: typeof createSyntaxDiagramsCode,
): string;
