/**
 * Chevrotain's error-message provider, in mdl's words: "expected X, found Y".
 *
 * Chevrotain carries a message as a string, so each builder encodes a SyntaxMessage as JSON and
 * parse.ts decodes it: the parts stay structured, and no text is parsed back out of a sentence.
 */

import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';

export interface SyntaxMessage {
  readonly expected: string;
  readonly found: string;
  /** A ',', ';' or ')' was expected: one forgotten at the end of a line is shown where it belongs. */
  readonly separator: boolean;
}

function encode(expected: string, found: string, separator = false): string {
  return JSON.stringify({ expected, found, separator } satisfies SyntaxMessage);
}

export function decodeMessage(message: string): SyntaxMessage {
  try {
    return JSON.parse(message) as SyntaxMessage;
  } catch {
    return { expected: message, found: '', separator: false };
  }
}

const EOF_NAME = 'EOF';

function isName(t: IToken): boolean {
  const type = t.tokenType;
  return type.name === 'Identifier' || type.name === 'QuotedIdentifier' || (type.CATEGORIES ?? []).some((c) => c.name === 'Identifier');
}

function alternatives(types: readonly TokenType[]): string {
  const names = [...new Set(types.map(describeTokenType))];
  // A name is accepted wherever a soft keyword is; listing both says the same thing twice.
  if (names.length <= 1) return names[0] ?? 'something else';
  const shown = names.length > 8 ? [...names.slice(0, 7), 'others'] : names;
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

function firstTokens(paths: readonly (readonly (readonly TokenType[])[])[]): TokenType[] {
  const out: TokenType[] = [];
  for (const alt of paths) for (const path of alt) if (path[0]) out.push(path[0]);
  return out;
}

/** Where a rule's alternatives are many, say what is meant rather than list every first token. */
const RULE_DESCRIPTIONS: Record<string, string> = {
  modelElement: 'a column or a constraint',
  columnConstraint: 'a column modifier',
  modelOption: "BEHAVIOR, WITH HISTORY, COMMENT or ';'",
  literal: 'a string, number, TRUE, FALSE or NULL',
};

export const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }: { expected: TokenType; actual: IToken; previous: IToken; ruleName: string }): string {
    let what = describeTokenType(expected);
    // After the elements of a model, a comma would have continued the list; after the closing
    // parenthesis, an option would have been accepted too.
    if (ruleName === 'createModel' && expected.name === 'RParen') what = "',' or ')'";
    if (ruleName === 'createModel' && expected.name === 'Semicolon') what = "BEHAVIOR, WITH HISTORY, COMMENT or ';'";
    return encode(what, describeToken(actual), /^(Semicolon|Comma|RParen)$/.test(expected.name));
  },
  buildNotAllInputParsedMessage({ firstRedundant }: { firstRedundant: IToken; ruleName: string }): string {
    return encode('CREATE MODEL', describeToken(firstRedundant));
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, previous, ruleName }: {
    expectedPathsPerAlt: TokenType[][][];
    actual: IToken[];
    previous: IToken;
    customUserDescription?: string;
    ruleName: string;
  }): string {
    // `name,` and `name NOT NULL` are a column that lost its type.
    if (ruleName === 'modelElement' && actual[0] && isName(actual[0]) && actual[1] && /^(Comma|RParen|NOT|NULL|PRIMARY|UNIQUE|DEFAULT|REFERENCES|COMMENT|VERSION)$/.test(actual[1].tokenType.name)) {
      return encode(`a type after '${actual[0].image}'`, describeToken(actual[1]));
    }
    // BEHAVIOR says which next.
    if (ruleName === 'modelOption' && previous?.tokenType.name === 'BEHAVIOR') return encode('RECORD or TIME SERIES after BEHAVIOR', describeToken(actual[0]));
    const what = RULE_DESCRIPTIONS[ruleName] ?? alternatives(firstTokens(expectedPathsPerAlt));
    return encode(what, describeToken(actual[0]));
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }: {
    expectedIterationPaths: TokenType[][];
    actual: IToken[];
    previous: IToken;
    customUserDescription?: string;
    ruleName: string;
  }): string {
    return encode(alternatives(firstTokens([expectedIterationPaths])), describeToken(actual[0]));
  },
};

export function describeToken(t: IToken | undefined): string {
  if (!t || t.tokenType.name === EOF_NAME || Number.isNaN(t.startOffset)) return 'the end of the file';
  const image = t.image.length > 30 ? `${t.image.slice(0, 27)}...` : t.image;
  return `'${image}'`;
}

export function describeTokenType(t: TokenType): string {
  switch (t.name) {
    case 'Identifier':
      return 'a name';
    case 'QuotedIdentifier':
      return 'a name';
    case 'StringLiteral':
      return 'a string';
    case 'NumberLiteral':
      return 'a number';
    case 'LParen':
      return "'('";
    case 'RParen':
      return "')'";
    case 'Comma':
      return "','";
    case 'Semicolon':
      return "';'";
    case 'EOF':
      return 'the end of the file';
    default:
      return t.name;
  }
}
