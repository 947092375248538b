/**
 * The grammar artefacts in grammar/ are held to the parser, so none of them can go stale:
 *
 * - mdl.ebnf has one production per parser rule, with the parser's names and in its order; each
 *   production is the one the parser implements (read from the parser's own grammar, GAST) and
 *   the one written in the rule's JSDoc in src/syntax/parser.ts. The one place where the language
 *   and the parser differ on purpose (the comma between model elements) is listed here.
 * - gast.json and railroad.html are what `npm run grammar` would write now.
 * - every keyword of the lexer is in mdl.ebnf, with reserved and soft words as the lexer has them,
 *   and in the TextMate grammar, whose regular expressions all compile in JavaScript.
 * - the TextMate grammar scopes a sample of the language as intended, run by a small TextMate
 *   tokenizer below (the rules vscode-textmate follows for the features the grammar uses).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateGrammarArtefacts } from '../scripts/grammar-artefacts.js';
import { chevrotain } from '../src/syntax/chevrotain.js';
import { tokens } from '../src/syntax/lexer.js';
import { parserInstance } from '../src/syntax/parser.js';

const T = tokens();
const { createSyntaxDiagramsCode } = chevrotain();

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8').replace(/\r\n/g, '\n');

// ---------------------------------------------------------------------------------------------
// EBNF: a reader for the notation of grammar/mdl.ebnf (and of the JSDoc in parser.ts)
// ---------------------------------------------------------------------------------------------

/** Terminals keep their quotes ("CREATE"), special sequences their question marks. */
function ebnfTokens(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    if (rest.startsWith('(*')) {
      const end = text.indexOf('*)', i + 2);
      if (end < 0) throw new Error(`unclosed comment at ${i}`);
      i = end + 2;
      continue;
    }
    const token = /^(?:"[^"]*"|'[^']*'|\?[^?]*\?|[A-Za-z_][A-Za-z0-9_]*|[\s\S])/.exec(rest)![0];
    tokens.push(token);
    i += token.length;
  }
  return tokens;
}

/** `name = ... ;` productions, in order. */
function ebnfProductions(text: string): Map<string, string[]> {
  const tokens = ebnfTokens(text);
  const productions = new Map<string, string[]>();
  let i = 0;
  while (i < tokens.length) {
    const name = tokens[i]!;
    if (!/^[A-Za-z_]\w*$/.test(name) || tokens[i + 1] !== '=') throw new Error(`expected "name =" at ${tokens.slice(i, i + 5).join(' ')}`);
    const end = tokens.indexOf(';', i + 2);
    if (end < 0) throw new Error(`production ${name} has no ";"`);
    if (productions.has(name)) throw new Error(`production ${name} is defined twice`);
    productions.set(name, tokens.slice(i + 2, end));
    i = end + 1;
  }
  return productions;
}

const isSyntactic = (name: string) => /^[a-z]/.test(name);
const isTerminal = (token: string) => /^["']/.test(token);
const isName = (token: string) => /^[A-Za-z_]/.test(token);

// ---------------------------------------------------------------------------------------------
// The parser's own grammar, written in the notation of mdl.ebnf
// ---------------------------------------------------------------------------------------------

interface Gast {
  readonly type: string;
  readonly name?: string;
  readonly definition?: readonly Gast[];
  readonly separator?: Gast;
}

const keywordNames = new Set(T.keywordTokens.map((t) => t.name));
const stringPatterns = new Map(
  T.allTokens.flatMap((t) => (typeof t.PATTERN === 'string' ? [[t.name, t.PATTERN] as const] : [])),
);

function terminal(name: string): string {
  if (keywordNames.has(name)) return `"${name}"`;
  const pattern = stringPatterns.get(name);
  return pattern === undefined ? name : `"${pattern}"`;
}

/** A sequence; an alternation is parenthesised unless it is all there is between brackets. */
function renderSequence(items: readonly Gast[], bracketed: boolean): string[] {
  return items.flatMap((item) => renderItem(item, bracketed && items.length === 1));
}

function renderItem(item: Gast, alone: boolean): string[] {
  const inner = (bracketed: boolean) => renderSequence(item.definition ?? [], bracketed);
  const separator = () => (item.separator ? [terminal(item.separator.name!)] : []);
  switch (item.type) {
    case 'NonTerminal':
      return [item.name!];
    case 'Terminal':
      return [terminal(item.name!)];
    case 'Option':
      return ['[', ...inner(true), ']'];
    case 'Repetition':
      return ['{', ...inner(true), '}'];
    case 'RepetitionMandatory':
      return [...inner(false), '{', ...inner(true), '}'];
    case 'RepetitionMandatoryWithSeparator':
      return [...inner(false), '{', ...separator(), ...inner(false), '}'];
    case 'RepetitionWithSeparator':
      return ['[', ...inner(false), '{', ...separator(), ...inner(false), '}', ']'];
    case 'Alternation': {
      const alternatives = (item.definition ?? []).map((alt) => renderSequence(alt.definition ?? [], false));
      const joined = alternatives.flatMap((alt, i) => (i === 0 ? alt : ['|', ...alt]));
      return alone ? joined : ['(', ...joined, ')'];
    }
    default:
      throw new Error(`unexpected production type ${item.type}`);
  }
}

const productions = parserInstance().getSerializedGastProductions() as unknown as readonly Gast[];
const parserRules = productions.map((rule) => rule.name!);
const fromParser = new Map(productions.map((rule) => [rule.name!, renderSequence(rule.definition ?? [], true)]));

/**
 * Where the language (mdl.ebnf, the JSDoc) and the parser differ on purpose: the parser accepts a
 * missing comma between model elements so that it can report it and carry on (parse.ts).
 */
const recoveryOnly: Record<string, { readonly language: string; readonly parser: string }> = {
  createModel: { language: '{ "," modelElement }', parser: '{ [ "," ] modelElement }' },
};

const ebnfText = read('grammar/mdl.ebnf');
const ebnf = ebnfProductions(ebnfText);
const syntactic = [...ebnf.keys()].filter(isSyntactic);
const lexical = [...ebnf.keys()].filter((name) => !isSyntactic(name));

describe('grammar/mdl.ebnf', () => {
  it('has one production per parser rule, with its name, in its order', () => {
    expect(Object.keys(parserInstance().getGAstProductions())).toEqual(parserRules);
    expect(syntactic).toEqual(parserRules);
  });

  it.each(parserRules)('%s is the production the parser implements', (rule) => {
    let written = ebnf.get(rule)!.join(' ');
    const difference = recoveryOnly[rule];
    if (difference) {
      expect(written, `mdl.ebnf's ${rule} no longer has ${difference.language}`).toContain(difference.language);
      written = written.replace(difference.language, difference.parser);
    }
    expect(written, `the parser's ${rule}, in the notation of mdl.ebnf`).toBe(fromParser.get(rule)!.join(' '));
  });

  it("agrees with each rule's JSDoc in src/syntax/parser.ts", () => {
    const source = read('src/syntax/parser.ts');
    const documented = new Map<string, string>();
    for (const m of source.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(?:(?:public|private|protected)\s+)?\w+\s*=\s*this\.RULE\(\s*'(\w+)'/g)) {
      const text = m[1]!.replace(/^[ \t]*\*[ \t]?/gm, '');
      const tokens = ebnfTokens(text);
      expect(tokens.slice(0, 2), `the JSDoc of ${m[2]} starts with "${m[2]} ="`).toEqual([m[2], '=']);
      documented.set(m[2]!, tokens.slice(2, tokens.indexOf(';')).join(' '));
    }
    expect([...documented.keys()]).toEqual(parserRules);
    for (const rule of parserRules) expect(documented.get(rule), rule).toBe(ebnf.get(rule)!.join(' '));
  });

  it('defines every name it uses, and a lexical rule for every token the parser reads by name', () => {
    const used = new Set([...ebnf.values()].flat().filter(isName));
    for (const name of used) expect(ebnf.has(name), `${name} is used but not defined`).toBe(true);
    const readByName = new Set([...fromParser.values()].flat().filter((t) => isName(t) && !parserRules.includes(t)));
    // Quoted names reach the parser through the Identifier category, like soft keywords.
    expect([...readByName].sort()).toEqual(['Identifier', 'NumberLiteral', 'StringLiteral']);
    for (const token of [...readByName, 'QuotedIdentifier', 'LineComment', 'BlockComment', 'WhiteSpace']) {
      expect(lexical, `lexical rule for ${token}`).toContain(token);
      expect(T.allTokens.map((t) => t.name)).toContain(token);
    }
  });

  it('has every keyword of the lexer, reserved and soft as the lexer has them', () => {
    const alternatives = (name: string) => ebnf.get(name)!.filter((t) => t !== '|').map((t) => t.replace(/^"|"$/g, ''));
    const soft = [...keywordNames].filter((k) => !T.reservedWords.has(k));
    expect(alternatives('ReservedWord').sort()).toEqual([...T.reservedWords].sort());
    expect(alternatives('SoftKeyword').sort()).toEqual(soft.sort());
    const terminalsInRules = new Set(syntactic.flatMap((rule) => ebnf.get(rule)!).filter(isTerminal));
    for (const keyword of keywordNames) expect(terminalsInRules, keyword).toContain(`"${keyword}"`);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated artefacts
// ---------------------------------------------------------------------------------------------

describe('generated artefacts (npm run grammar)', () => {
  const artefacts = generateGrammarArtefacts({
    productions: parserInstance().getSerializedGastProductions(),
    createSyntaxDiagramsCode,
  });

  it('writes gast.json and railroad.html', () => {
    expect([...artefacts.keys()].sort()).toEqual(['grammar/gast.json', 'grammar/railroad.html']);
  });

  it.each([...artefacts.keys()])('%s is what the parser gives now', (path) => {
    expect(read(path), `${path} is stale: run npm run grammar`).toBe(artefacts.get(path));
  });

  it('gast.json is the serialized grammar, and the page needs nothing from the network', () => {
    expect(JSON.parse(read('grammar/gast.json'))).toEqual(parserInstance().getSerializedGastProductions());
    const html = artefacts.get('grammar/railroad.html')!;
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).toContain('drawDiagramsFromSerializedGrammar');
    for (const rule of parserRules) expect(html).toContain(`"name": "${rule}"`);
  });
});

// ---------------------------------------------------------------------------------------------
// The TextMate grammar
// ---------------------------------------------------------------------------------------------

interface TmRule {
  readonly name?: string;
  readonly contentName?: string;
  readonly match?: string;
  readonly begin?: string;
  readonly end?: string;
  readonly while?: string;
  readonly include?: string;
  readonly captures?: Record<string, { readonly name?: string }>;
  readonly beginCaptures?: Record<string, { readonly name?: string }>;
  readonly endCaptures?: Record<string, { readonly name?: string }>;
  readonly patterns?: readonly TmRule[];
  readonly applyEndPatternLast?: boolean | number;
}

interface TmGrammar extends TmRule {
  readonly scopeName: string;
  readonly fileTypes: readonly string[];
  readonly repository: Record<string, TmRule>;
}

/** Oniguruma's leading (?i) becomes JavaScript's i flag; anything else must already be JavaScript. */
function tmRegExp(source: string): RegExp {
  const insensitive = source.startsWith('(?i)');
  const body = insensitive ? source.slice(4) : source;
  if (/\(\?[imx-]+[:)]|\\[GAzZhH]/.test(body)) throw new Error(`Oniguruma-only syntax in ${source}`);
  return new RegExp(body, `dg${insensitive ? 'i' : ''}`);
}

function allRules(grammar: TmGrammar): TmRule[] {
  const out: TmRule[] = [];
  const visit = (rule: TmRule) => {
    out.push(rule);
    rule.patterns?.forEach(visit);
  };
  visit(grammar);
  Object.values(grammar.repository).forEach(visit);
  return out;
}

interface Frame {
  readonly rule: TmRule;
  /** The scopes of the rule's begin and end: the rule's name, not its contentName. */
  readonly scopes: readonly string[];
  /** The scopes of what lies between them. */
  readonly content: readonly string[];
  readonly end?: RegExp;
}

/**
 * A TextMate tokenizer, small but faithful for what mdl.tmLanguage.json uses: match and
 * begin/end rules, captures, includes of the repository and $self, and the rule that at equal
 * positions the end pattern wins over the rule's patterns, and earlier patterns over later ones.
 * Returns the scopes of every character, line by line.
 */
function tokenizeTm(grammar: TmGrammar, text: string): string[][][] {
  const resolve = (rule: TmRule): TmRule[] => {
    if (rule.include === '$self') return (grammar.patterns ?? []).flatMap(resolve);
    if (rule.include) {
      const target = grammar.repository[rule.include.slice(1)];
      if (!target) throw new Error(`unknown include ${rule.include}`);
      return resolve(target);
    }
    if (rule.match === undefined && rule.begin === undefined) return (rule.patterns ?? []).flatMap(resolve);
    return [rule];
  };
  const stack: Frame[] = [{ rule: grammar, scopes: [grammar.scopeName], content: [grammar.scopeName] }];
  return text.split('\n').map((line) => {
    const chars: string[][] = Array.from({ length: line.length }, () => []);
    const paint = (from: number, to: number, scopes: readonly string[]) => {
      for (let i = from; i < to; i++) chars[i] = [...scopes];
    };
    const capture = (m: RegExpExecArray, captures: TmRule['captures'] | undefined) => {
      for (const [group, { name }] of Object.entries(captures ?? {}).sort((a, b) => Number(a[0]) - Number(b[0]))) {
        const span = m.indices?.[Number(group)];
        if (span && name) for (let i = span[0]; i < span[1]; i++) chars[i]!.push(name);
      }
    };
    let pos = 0;
    for (let guard = 0; pos <= line.length; guard++) {
      if (guard > 10_000) throw new Error('the tokenizer does not advance');
      const frame = stack[stack.length - 1]!;
      let best: { m: RegExpExecArray; rule?: TmRule } | undefined;
      const consider = (re: RegExp, rule?: TmRule) => {
        re.lastIndex = pos;
        const m = re.exec(line);
        if (m && (!best || m.index < best.m.index)) best = rule ? { m, rule } : { m };
      };
      if (frame.end && !frame.rule.applyEndPatternLast) consider(frame.end);
      for (const rule of (frame.rule.patterns ?? []).flatMap(resolve)) consider(tmRegExp(rule.match ?? rule.begin!), rule);
      if (frame.end && frame.rule.applyEndPatternLast) consider(frame.end);
      if (!best) {
        paint(pos, line.length, frame.content);
        break;
      }
      const { m, rule } = best as { m: RegExpExecArray; rule?: TmRule };
      const to = m.index + m[0].length;
      paint(pos, m.index, frame.content);
      if (!rule) {
        stack.pop();
        paint(m.index, to, frame.scopes);
        capture(m, frame.rule.endCaptures ?? frame.rule.captures);
      } else {
        const scopes = rule.name ? [...frame.content, rule.name] : [...frame.content];
        paint(m.index, to, scopes);
        if (rule.match !== undefined) {
          capture(m, rule.captures);
        } else {
          capture(m, rule.beginCaptures ?? rule.captures);
          stack.push({
            rule,
            scopes,
            content: rule.contentName ? [...scopes, rule.contentName] : scopes,
            end: tmRegExp(rule.end!),
          });
        }
      }
      if (to === pos && rule?.match !== undefined) {
        paint(pos, pos + 1, frame.content);
        pos++;
      } else {
        pos = to;
      }
    }
    return chars;
  });
}

const tmText = read('grammar/mdl.tmLanguage.json');

describe('grammar/mdl.tmLanguage.json', () => {
  const grammar = JSON.parse(tmText) as TmGrammar;
  const rules = allRules(grammar);
  const regexes = rules.flatMap((r) => [r.match, r.begin, r.end, r.while].filter((s): s is string => s !== undefined));

  it('is a TextMate grammar for .mdl files whose regular expressions compile in JavaScript', () => {
    expect(grammar.scopeName).toBe('source.mdl');
    expect(grammar.fileTypes).toEqual(['mdl']);
    expect(regexes.length).toBeGreaterThan(10);
    for (const source of regexes) expect(() => tmRegExp(source), source).not.toThrow();
    for (const rule of rules.filter((r) => r !== grammar)) {
      if (rule.include && rule.include !== '$self') expect(grammar.repository, rule.include).toHaveProperty([rule.include.slice(1)]);
      if (rule.begin !== undefined) expect(rule.end, `end of ${rule.begin}`).toBeDefined();
      const names = [rule.name, rule.contentName, ...[rule.captures, rule.beginCaptures, rule.endCaptures].flatMap((c) => Object.values(c ?? {}).map((x) => x.name))];
      for (const name of names) if (name !== undefined) expect(name).toMatch(/\.mdl$/);
    }
    const included = new Set(rules.flatMap((r) => (r.include?.startsWith('#') ? [r.include.slice(1)] : [])));
    expect(Object.keys(grammar.repository).filter((k) => !included.has(k)), 'unused repository entries').toEqual([]);
  });

  it('has every keyword of the lexer, and only the reserved words are excluded from names', () => {
    for (const keyword of keywordNames) {
      expect(regexes.some((r) => new RegExp(`(?<![A-Za-z_])${keyword}(?![A-Za-z_])`).test(r)), keyword).toBe(true);
    }
    const reservedLists = new Set(tmText.match(/\(\?!\(\?:([A-Z|]+)\)\\\\b\)/g)!.map((s) => s.replace(/^.*\(\?:|\).*$/g, '')));
    expect([...reservedLists].map((list) => list.split('|').sort())).toEqual([[...T.reservedWords].sort()]);
  });

  describe('scopes', () => {
    const tokenized = new Map<string, string[][][]>();
    const scopesAt = (text: string, needle: string, nth = 0): string[] => {
      let at = -1;
      for (let i = 0; i <= nth; i++) {
        at = text.indexOf(needle, at + 1);
        if (at < 0) throw new Error(`${needle} not found`);
      }
      const lines = text.slice(0, at).split('\n');
      if (!tokenized.has(text)) tokenized.set(text, tokenizeTm(grammar, text));
      const tokens = tokenized.get(text)!;
      return tokens[lines.length - 1]![lines[lines.length - 1]!.length]!;
    };
    const expectScope = (text: string, needle: string, scope: string, nth = 0) =>
      expect(scopesAt(text, needle, nth), `${needle} (#${nth})`).toContain(scope);
    const expectNotScope = (text: string, needle: string, scope: string, nth = 0) =>
      expect(scopesAt(text, needle, nth), `${needle} (#${nth})`).not.toContain(scope);

    const spec = `-- models/crm.mdl
CREATE MODEL account (
  id          STRING NOT NULL,
  parent_id   STRING REFERENCES account (id) ON DELETE SET NULL,   -- hierarchy
  updated_at  TIMESTAMP NOT NULL,
  PRIMARY KEY (id),
  VERSION (updated_at)
) COMMENT 'A customer account';

CREATE MODEL contact (
  account_id  STRING NOT NULL,
  seq         BIGINT NOT NULL,
  FOREIGN KEY (account_id) REFERENCES account (id) MANY TO ONE ON DELETE CASCADE
);

CREATE MODEL page_view (
  viewed_at   TIMESTAMP NOT NULL,
  TIMESTAMP (viewed_at)
) BEHAVIOR TIME SERIES;
`;

    it('the example of the specification', () => {
      expectScope(spec, '-- models', 'comment.line.double-dash.mdl');
      expectScope(spec, 'CREATE', 'keyword.other.mdl');
      expectScope(spec, 'MODEL', 'keyword.other.mdl');
      expectScope(spec, 'account', 'entity.name.type.model.mdl');
      expectScope(spec, 'id ', 'variable.other.column.mdl');
      expectScope(spec, 'STRING', 'storage.type.mdl');
      expectScope(spec, 'NOT NULL', 'keyword.other.mdl');
      expectScope(spec, 'NULL,', 'keyword.other.mdl');
      expectScope(spec, 'REFERENCES', 'keyword.other.mdl');
      expectScope(spec, 'account (id)', 'entity.name.type.model.reference.mdl');
      expectScope(spec, '(id) ON', 'punctuation.section.parens.begin.mdl');
      expectScope(spec, 'id) ON', 'variable.other.column.mdl');
      expectScope(spec, 'SET NULL', 'keyword.other.mdl');
      expectScope(spec, '-- hierarchy', 'comment.line.double-dash.mdl');
      expectScope(spec, 'TIMESTAMP NOT', 'storage.type.mdl');
      expectScope(spec, 'PRIMARY KEY', 'keyword.other.mdl');
      expectScope(spec, 'KEY (id)', 'keyword.other.mdl');
      expectScope(spec, 'VERSION (', 'keyword.other.mdl');
      expectScope(spec, 'updated_at)', 'variable.other.column.mdl');
      expectScope(spec, 'COMMENT', 'keyword.other.mdl');
      expectScope(spec, "'A customer", 'string.quoted.single.mdl');
      expectScope(spec, ';', 'punctuation.terminator.statement.mdl');
      expectScope(spec, 'contact', 'entity.name.type.model.mdl');
      expectScope(spec, 'FOREIGN', 'keyword.other.mdl');
      expectScope(spec, 'account_id)', 'variable.other.column.mdl');
      expectScope(spec, 'account (id) MANY', 'entity.name.type.model.reference.mdl');
      for (const word of ['MANY', 'TO ONE', 'ONE ON', 'ON DELETE', 'DELETE CASCADE', 'CASCADE']) {
        expectScope(spec, word, 'keyword.other.mdl', word === 'ON DELETE' ? 1 : 0);
      }
      expectScope(spec, 'TIMESTAMP (viewed_at)', 'keyword.other.mdl');
      for (const word of ['BEHAVIOR', 'TIME SERIES', 'SERIES']) expectScope(spec, word, 'keyword.other.mdl');
    });

    const soft = `create model if not exists "Order ""Line""" (
  version    BIGINT NOT NULL VERSION,
  timestamp  TIMESTAMP TIMESTAMP,
  key        VARCHAR(20) DEFAULT 'it''s' COMMENT 'the key',
  comment    TEXT DEFAULT NULL NULL,
  amount     DECIMAL(10, 2) DEFAULT -1.5e3,
  flag       BOOLEAN DEFAULT TRUE,
  "select"   STRING,
  /* a block
     comment, over lines ( */
  CONSTRAINT fk_parent FOREIGN KEY (version) REFERENCES parent (id) ONE TO ONE ON DELETE NO ACTION,
  primary key (version),
  unique (key, "select")
) with history comment 'x';
CREATE MODEL second (a INT, version (a))
CREATE MODEL third (b INT);
`;

    it('soft keywords as names, and types', () => {
      expectScope(soft, 'create', 'keyword.other.mdl');
      expectScope(soft, 'if', 'keyword.other.mdl');
      expectScope(soft, 'exists', 'keyword.other.mdl');
      expectScope(soft, '"Order', 'entity.name.type.model.mdl');
      expectScope(soft, 'Line', 'entity.name.type.model.mdl');
      expectScope(soft, 'version ', 'variable.other.column.mdl');
      expectNotScope(soft, 'version ', 'keyword.other.mdl');
      expectScope(soft, 'BIGINT', 'storage.type.mdl');
      expectScope(soft, 'VERSION,', 'keyword.other.mdl');
      expectScope(soft, 'timestamp ', 'variable.other.column.mdl');
      expectScope(soft, 'TIMESTAMP TIMESTAMP', 'storage.type.mdl');
      expectScope(soft, 'TIMESTAMP,', 'keyword.other.mdl');
      expectNotScope(soft, 'TIMESTAMP,', 'storage.type.mdl');
      expectScope(soft, 'key ', 'variable.other.column.mdl');
      expectScope(soft, 'VARCHAR', 'storage.type.mdl');
      expectScope(soft, '20', 'constant.numeric.mdl');
      expectScope(soft, "'it", 'string.quoted.single.mdl');
      expectScope(soft, "''s", 'constant.character.escape.mdl');
      expectScope(soft, "s' COMMENT", 'string.quoted.single.mdl');
      expectScope(soft, "COMMENT 'the", 'keyword.other.mdl');
      expectScope(soft, 'comment ', 'variable.other.column.mdl');
      expectScope(soft, 'TEXT', 'storage.type.mdl');
      expectScope(soft, 'NULL NULL', 'constant.language.null.mdl');
      expectScope(soft, 'NULL,', 'keyword.other.mdl');
      expectScope(soft, 'DECIMAL', 'storage.type.mdl');
      expectScope(soft, '2)', 'constant.numeric.mdl');
      expectScope(soft, '-1.5e3', 'constant.numeric.mdl');
      expectScope(soft, 'e3', 'constant.numeric.mdl');
      expectScope(soft, 'TRUE', 'constant.language.boolean.mdl');
      expectScope(soft, '"select"   STRING', 'variable.other.column.mdl');
      expectScope(soft, 'a block', 'comment.block.mdl');
      expectScope(soft, 'comment, over', 'comment.block.mdl');
      expectScope(soft, 'CONSTRAINT', 'keyword.other.mdl');
      expectScope(soft, 'fk_parent', 'entity.name.constraint.mdl');
      expectScope(soft, 'version) REF', 'variable.other.column.mdl');
      expectScope(soft, 'parent (id)', 'entity.name.type.model.reference.mdl');
      expectScope(soft, 'ONE TO', 'keyword.other.mdl');
      expectScope(soft, 'NO ACTION', 'keyword.other.mdl');
      expectScope(soft, 'ACTION', 'keyword.other.mdl');
      expectScope(soft, 'primary', 'keyword.other.mdl');
      expectScope(soft, 'version),', 'variable.other.column.mdl');
      expectScope(soft, 'unique', 'keyword.other.mdl');
      expectScope(soft, 'key, "select"', 'variable.other.column.mdl');
      expectScope(soft, '"select")', 'variable.other.quoted.mdl');
      expectScope(soft, 'with', 'keyword.other.mdl');
      expectScope(soft, 'history', 'keyword.other.mdl');
      expectScope(soft, "'x'", 'string.quoted.single.mdl');
      // A missing semicolon: the next CREATE starts a statement, as the parser re-synchronises there.
      expectScope(soft, 'second', 'entity.name.type.model.mdl');
      expectScope(soft, 'a INT', 'variable.other.column.mdl');
      expectScope(soft, 'version (a)', 'keyword.other.mdl');
      expectScope(soft, 'third', 'entity.name.type.model.mdl');
      expectScope(soft, 'b INT', 'variable.other.column.mdl');
    });
  });
});
