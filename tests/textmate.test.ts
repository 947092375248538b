/**
 * The TextMate grammar as VS Code runs it: grammar/mdl.tmLanguage.json loaded by vscode-textmate
 * on the Oniguruma engine (vscode-oniguruma), each file tokenized line by line with the state
 * carried from one line to the next, as an editor does.
 *
 * - Every example model and every valid test case (one with a .sql golden) is held to the parser:
 *   the parser's AST says where each model name, column name, type, literal, keyword and comment
 *   is, and each must carry the scope for what it is. No other non-blank character may be left
 *   with only the root scope (or only meta.* scopes, which themes do not colour).
 * - Hand-written snippets check tokens at known places, in the layouts and spellings that trip
 *   highlighters: reserved words as quoted names, quotes in comments, `--` in strings, keywords
 *   in any case, comments between any two tokens, names and types on the line after their keyword.
 * - editors/vscode/ is a VS Code extension that uses this grammar: its manifest names files that
 *   exist inside the folder, its grammar is a copy of this one byte for byte, and the comment
 *   markers and brackets of its language configuration are what the grammar scopes as such.
 *
 * tests/grammar.test.ts holds the same grammar to the lexer's keyword lists with a small
 * tokenizer of its own; this file uses the engine that editors use.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import textmate from 'vscode-textmate';
import type { IGrammar, StateStack } from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';
import { Diagnostics, parseSource, type Span } from '../src/index.js';

const root = join(import.meta.dirname, '..');
const GRAMMAR_PATH = 'grammar/mdl.tmLanguage.json';
const EXTENSION = 'editors/vscode';
const grammarText = readFileSync(join(root, GRAMMAR_PATH), 'utf8');
const SCOPE = (JSON.parse(grammarText) as { scopeName: string }).scopeName;

// The scopes the grammar gives (grammar/README.md lists them).
const KEYWORD = 'keyword.other.mdl';
const TYPE = 'storage.type.mdl';
const MODEL_NAME = 'entity.name.type.model.mdl';
const MODEL_REFERENCE = 'entity.name.type.model.reference.mdl';
const CONSTRAINT_NAME = 'entity.name.constraint.mdl';
const COLUMN = 'variable.other.column.mdl';
const QUOTED_NAME = 'variable.other.quoted.mdl';
const STRING = 'string.quoted.single.mdl';
const ESCAPE = 'constant.character.escape.mdl';
const NUMBER = 'constant.numeric.mdl';
const BOOLEAN = 'constant.language.boolean.mdl';
const NULL_VALUE = 'constant.language.null.mdl';
const LINE_COMMENT = 'comment.line.double-dash.mdl';
const BLOCK_COMMENT = 'comment.block.mdl';

let grammar: IGrammar;

beforeAll(async () => {
  const wasm = createRequire(import.meta.url).resolve('vscode-oniguruma/release/onig.wasm');
  await oniguruma.loadWASM(readFileSync(wasm));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => oniguruma.createOnigScanner(sources),
      createOnigString: (text: string) => oniguruma.createOnigString(text),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === SCOPE ? textmate.parseRawGrammar(grammarText, join(root, GRAMMAR_PATH)) : null,
  });
  const loaded = await registry.loadGrammar(SCOPE);
  if (!loaded) throw new Error(`vscode-textmate did not load ${GRAMMAR_PATH}`);
  grammar = loaded;
});

// ---------------------------------------------------------------------------------------------
// Tokenizing: the scopes of every character, by offset into the text
// ---------------------------------------------------------------------------------------------

interface Scoped {
  readonly text: string;
  /** The scopes of the character at `offset` (the root scope first); none for a line break. */
  at(offset: number): readonly string[];
  /** 1-based line and column of an offset, for messages. */
  where(offset: number): string;
}

function tokenize(text: string): Scoped {
  const scopes: (readonly string[])[] = Array.from({ length: text.length }, () => []);
  const lineStarts: number[] = [];
  let state: StateStack = textmate.INITIAL;
  let start = 0;
  for (const rawLine of text.split('\n')) {
    lineStarts.push(start);
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      for (let i = token.startIndex; i < Math.min(token.endIndex, line.length); i++) scopes[start + i] = token.scopes;
    }
    state = result.ruleStack;
    start += rawLine.length + 1;
  }
  return {
    text,
    at: (offset) => scopes[offset] ?? [],
    where: (offset) => {
      let line = lineStarts.length - 1;
      while (lineStarts[line]! > offset) line--;
      return `${line + 1}:${offset - lineStarts[line]! + 1}`;
    },
  };
}

/** A scope that a theme colours: anything but the root scope and meta.* scopes. */
const meaningful = (scopes: readonly string[]) => scopes.some((s) => s !== SCOPE && !s.startsWith('meta.'));

/** The scopes at the nth occurrence of `needle` in the text (its first character). */
function scopesAt(scoped: Scoped, needle: string, nth = 0): readonly string[] {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = scoped.text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${JSON.stringify(needle)} (#${nth}) is not in the snippet`);
  }
  return scoped.at(at);
}

// ---------------------------------------------------------------------------------------------
// What the parser says each piece of a valid file is, and the scope it must have
// ---------------------------------------------------------------------------------------------

type Ast = ReturnType<typeof parseSource>['ast'];
type ModelDecl = Ast['models'][number];
type ColumnDecl = Extract<ModelDecl['elements'][number], { kind: 'column-decl' }>;
type ReferencesClause = Extract<ModelDecl['elements'][number], { kind: 'foreign-key-decl' }>['clause'];
type Literal = Extract<ColumnDecl['constraints'][number], { kind: 'default' }>['value'];

interface Expectation {
  readonly what: string;
  readonly from: number;
  readonly to: number;
  /** Each of these scopes will do. */
  readonly scopes: readonly string[];
}

/** Parses a valid file and lists the scope each piece of it must have. */
function expectationsOf(path: string, text: string): Expectation[] {
  const diagnostics = new Diagnostics();
  const { ast, comments } = parseSource({ path, text }, diagnostics);
  expect(diagnostics.items.map((d) => d.message), `${path} is valid`).toEqual([]);

  const inComment = (offset: number) => comments.some((c) => c.span.start <= offset && offset < c.span.end);
  const out: Expectation[] = [];
  const add = (what: string, span: Pick<Span, 'start' | 'end'>, ...scopes: string[]) =>
    out.push({ what, from: span.start, to: span.end, scopes });
  /** Every word between two offsets, outside comments, is a keyword. */
  const keywords = (what: string, from: number, to: number) => {
    for (const m of text.slice(from, to).matchAll(/[A-Za-z_]+/g)) {
      const start = from + m.index;
      if (!inComment(start)) add(what, { start, end: start + m[0].length }, KEYWORD);
    }
  };
  /** `COMMENT 'text'`: the keyword, then the string. */
  const commentClause = (what: string, span: Span) => {
    let quote = span.start;
    while (quote < span.end && (text[quote] !== "'" || inComment(quote))) quote++;
    keywords(what, span.start, quote);
    add(`${what} text`, { start: quote, end: span.end }, STRING);
  };
  const names = (what: string, idents: readonly { span: Span }[]) => {
    for (const ident of idents) add(what, ident.span, COLUMN, QUOTED_NAME);
  };
  const literal = (value: Literal) => {
    const scope = { string: STRING, number: NUMBER, boolean: BOOLEAN, null: NULL_VALUE }[value.kind];
    add(`${value.kind} literal`, value.span, scope);
  };
  const references = (clause: ReferencesClause) => {
    keywords('REFERENCES', clause.span.start, clause.target.span.start);
    add('referenced model', clause.target.span, MODEL_REFERENCE);
    names('referenced column', clause.columns ?? []);
    if (clause.cardinality) keywords('cardinality', clause.cardinality.span.start, clause.cardinality.span.end);
    if (clause.onDelete) keywords('ON DELETE', clause.onDelete.span.start, clause.onDelete.span.end);
  };
  const column = (decl: ColumnDecl) => {
    add('column name', decl.name.span, COLUMN);
    add('type', decl.type.name.span, TYPE);
    for (const arg of decl.type.args) add('type argument', arg.span, NUMBER);
    for (const constraint of decl.constraints) {
      switch (constraint.kind) {
        case 'default':
          keywords('DEFAULT', constraint.span.start, constraint.value.span.start);
          literal(constraint.value);
          break;
        case 'references':
          references(constraint.clause);
          break;
        case 'comment':
          commentClause('column COMMENT', constraint.span);
          break;
        default:
          keywords(`column ${constraint.kind}`, constraint.span.start, constraint.span.end);
      }
    }
  };

  for (const comment of comments) add('comment', comment.span, comment.text.startsWith('--') ? LINE_COMMENT : BLOCK_COMMENT);
  for (const model of ast.models) {
    keywords('CREATE MODEL', model.span.start, model.name.span.start);
    add('model name', model.name.span, MODEL_NAME);
    for (const element of model.elements) {
      switch (element.kind) {
        case 'column-decl':
          column(element);
          break;
        case 'foreign-key-decl': {
          let from = element.span.start;
          if (element.constraintName) {
            keywords('CONSTRAINT', from, element.constraintName.span.start);
            add('constraint name', element.constraintName.span, CONSTRAINT_NAME);
            from = element.constraintName.span.end;
          }
          keywords('FOREIGN KEY', from, element.columns[0]!.span.start);
          names('foreign key column', element.columns);
          references(element.clause);
          break;
        }
        default:
          keywords(element.kind, element.span.start, element.columns[0]!.span.start);
          names(`${element.kind} column`, element.columns);
      }
    }
    for (const option of model.options) {
      if (option.kind === 'comment') commentClause('model COMMENT', option.span);
      else keywords(option.kind, option.span.start, option.span.end);
    }
  }
  return out;
}

/** One line per piece whose scopes are wrong, and per character left without a scope. */
function scopeProblems(path: string, text: string): string[] {
  const scoped = tokenize(text);
  const problems: string[] = [];
  for (const e of expectationsOf(path, text)) {
    for (let i = e.from; i < e.to; i++) {
      if (/\s/.test(text[i]!) || e.scopes.some((s) => scoped.at(i).includes(s))) continue;
      const piece = JSON.stringify(text.slice(e.from, e.to));
      problems.push(`${path}:${scoped.where(i)} ${e.what} ${piece} wants ${e.scopes.join(' or ')}, has ${scoped.at(i).join(' ')}`);
      break;
    }
  }
  for (let i = 0; i < text.length; i++) {
    if (/\S/.test(text[i]!) && !meaningful(scoped.at(i))) {
      problems.push(`${path}:${scoped.where(i)} ${JSON.stringify(text[i])} has no scope but ${scoped.at(i).join(' ')}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The files: example models and the valid test cases
// ---------------------------------------------------------------------------------------------

function mdlFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return mdlFilesUnder(path);
      return path.endsWith('.mdl') ? [path] : [];
    });
}

const exampleModels = readdirSync(join(root, 'examples'))
  .sort()
  .flatMap((name) => {
    const models = join(root, 'examples', name, 'models');
    return existsSync(models) ? mdlFilesUnder(models) : [];
  });

/** A case is valid when a .sql golden sits beside it: `x.mdl` and `x.sql`, or a folder `x/` and `x.sql`. */
const validCases = mdlFilesUnder(join(root, 'tests/cases')).filter((file) => {
  if (existsSync(file.replace(/\.mdl$/, '.sql'))) return true;
  return existsSync(`${dirname(file)}.sql`);
});

const rel = (file: string) => relative(root, file).split(sep).join('/');

describe('the TextMate grammar under vscode-textmate', () => {
  it('finds the example models and the valid test cases', () => {
    expect(exampleModels.length).toBeGreaterThanOrEqual(10);
    expect(validCases.length).toBeGreaterThanOrEqual(30);
    expect(validCases.map(rel)).toContain('tests/cases/syntax/comments-everywhere.mdl');
    expect(validCases.map(rel)).toContain('tests/cases/names/reference-to-model-in-later-file/b-account.mdl');
  });

  describe('scopes every piece of the example models as the parser reads it', () => {
    it.each(exampleModels.map(rel))('%s', (file) => {
      expect(scopeProblems(file, readFileSync(join(root, file), 'utf8'))).toEqual([]);
    });
  });

  describe('scopes every piece of the valid test cases as the parser reads it', () => {
    it.each(validCases.map(rel))('%s', (file) => {
      expect(scopeProblems(file, readFileSync(join(root, file), 'utf8'))).toEqual([]);
    });
  });

  it('the cross-check can fail: a piece scoped as something else, and a character left unscoped', () => {
    const text = 'CREATE MODEL m (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);\n';
    expect(scopeProblems('m.mdl', text)).toEqual([]);
    // A known limit: VERSION followed by its column list on a later line reads as a column name.
    const split = 'CREATE MODEL m (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL, VERSION\n(v));\n';
    expect(scopeProblems('m.mdl', split)).toEqual([
      `m.mdl:1:65 version-decl "VERSION" wants ${KEYWORD}, has source.mdl meta.statement.create-model.mdl meta.model-body.mdl meta.column-definition.mdl ${COLUMN}`,
    ]);
    const scoped = tokenize('CREATE MODEL m (id INT) $');
    expect(meaningful(scoped.at(scoped.text.indexOf('$')))).toBe(false);
    expect(meaningful(scoped.at(scoped.text.indexOf('id')))).toBe(true);
  });

  describe('tokens at known places', () => {
    const quoting = `create model if not exists "order" (
  "primary"    string not null primary key,
  "say ""hi""" varchar(10) default 'it''s -- not a comment' comment '/* nor this */',
  "key"        bigint not null version,
  amount       decimal(12, 2) default -1.5e3,
  flag         boolean default false,
  note         text default null,
  parent       string references "order" ("primary") on delete cascade
) comment 'orders: ''quoted'' -- and dashed';
-- a comment with 'one quote, "another, CREATE MODEL x ( and /* an opener
Create Model After_It (Id Int Not Null Primary Key, Seq BigInt Not Null Version);
`;

    it('is valid mdl, as the parser reads it', () => {
      expect(scopeProblems('quoting.mdl', quoting)).toEqual([]);
    });

    it('keywords in any case, quoted names that spell keywords, strings, numbers and comments', () => {
      const s = tokenize(quoting);
      for (const word of ['create', 'model', 'if', 'not exists', 'exists', 'not null', 'null p', 'primary key', 'key,']) {
        expect(scopesAt(s, word), word).toContain(KEYWORD);
      }
      expect(scopesAt(s, '"order" (')).toContain(MODEL_NAME);
      expect(scopesAt(s, 'order" (')).toContain(MODEL_NAME);
      expect(scopesAt(s, '"primary"')).toContain(COLUMN);
      expect(scopesAt(s, 'primary"')).not.toContain(KEYWORD);
      expect(scopesAt(s, 'string')).toContain(TYPE);
      expect(scopesAt(s, '"say')).toContain(COLUMN);
      expect(scopesAt(s, 'hi""')).toContain(COLUMN);
      expect(scopesAt(s, 'varchar')).toContain(TYPE);
      expect(scopesAt(s, '10')).toContain(NUMBER);
      expect(scopesAt(s, 'default')).toContain(KEYWORD);
      expect(scopesAt(s, "'it")).toContain(STRING);
      expect(scopesAt(s, "''s")).toEqual(expect.arrayContaining([STRING, ESCAPE]));
      expect(scopesAt(s, '-- not a comment')).toContain(STRING);
      expect(scopesAt(s, '-- not a comment')).not.toContain(LINE_COMMENT);
      expect(scopesAt(s, "comment '/*")).toContain(KEYWORD);
      expect(scopesAt(s, '/* nor this')).toContain(STRING);
      expect(scopesAt(s, '/* nor this')).not.toContain(BLOCK_COMMENT);
      expect(scopesAt(s, '"key"')).toContain(COLUMN);
      expect(scopesAt(s, 'bigint')).toContain(TYPE);
      expect(scopesAt(s, 'version,')).toContain(KEYWORD);
      expect(scopesAt(s, 'amount')).toContain(COLUMN);
      expect(scopesAt(s, 'decimal')).toContain(TYPE);
      expect(scopesAt(s, '12,')).toContain(NUMBER);
      expect(scopesAt(s, '2)')).toContain(NUMBER);
      expect(scopesAt(s, '-1.5e3')).toContain(NUMBER);
      expect(scopesAt(s, 'e3')).toContain(NUMBER);
      expect(scopesAt(s, 'boolean')).toContain(TYPE);
      expect(scopesAt(s, 'false')).toContain(BOOLEAN);
      expect(scopesAt(s, 'text')).toContain(TYPE);
      expect(scopesAt(s, 'null,')).toContain(NULL_VALUE);
      expect(scopesAt(s, 'references')).toContain(KEYWORD);
      expect(scopesAt(s, '"order" ("')).toContain(MODEL_REFERENCE);
      expect(scopesAt(s, '"primary")')).toContain(QUOTED_NAME);
      for (const word of ['on delete', 'delete', 'cascade']) expect(scopesAt(s, word), word).toContain(KEYWORD);
      expect(scopesAt(s, "comment 'orders")).toContain(KEYWORD);
      expect(scopesAt(s, "''quoted")).toEqual(expect.arrayContaining([STRING, ESCAPE]));
      expect(scopesAt(s, '-- and dashed')).toContain(STRING);
      expect(scopesAt(s, "';")).toContain(STRING);
      expect(scopesAt(s, ';\n--')).toContain('punctuation.terminator.statement.mdl');
      // A line comment holding quotes and an opening /* ends with its line.
      expect(scopesAt(s, "'one quote")).toContain(LINE_COMMENT);
      expect(scopesAt(s, '"another')).toContain(LINE_COMMENT);
      expect(scopesAt(s, 'CREATE MODEL x')).toContain(LINE_COMMENT);
      expect(scopesAt(s, 'CREATE MODEL x')).not.toContain(KEYWORD);
      expect(scopesAt(s, '/* an opener')).toContain(LINE_COMMENT);
      for (const word of ['Create', 'Model', 'Not Null Primary', 'Null Primary', 'Primary', 'Key', 'Version']) {
        expect(scopesAt(s, word), word).toContain(KEYWORD);
      }
      expect(scopesAt(s, 'After_It')).toContain(MODEL_NAME);
      expect(scopesAt(s, 'Id Int')).toContain(COLUMN);
      expect(scopesAt(s, 'Int')).toContain(TYPE);
      expect(scopesAt(s, 'Seq')).toContain(COLUMN);
      expect(scopesAt(s, 'BigInt')).toContain(TYPE);
    });

    const layout = `/* a block comment
   over lines, with 'a quote, -- dashes, "a double quote,
   and CREATE MODEL y ( */
CREATE /* a */ MODEL -- b
  -- c
  spread /* d */ (
  id /* e */
    INT NOT NULL PRIMARY KEY,
  version
    BIGINT NOT NULL VERSION,
  timestamp TIMESTAMP TIMESTAMP,
  parent_id /* f */ INT
    REFERENCES -- g
    spread (id),
  note STRING DEFAULT /* i */
    NULL COMMENT -- j
    'not null',
  CONSTRAINT
    spread_parent FOREIGN KEY (parent_id) REFERENCES /* h */
    spread MANY TO ONE ON DELETE NO ACTION,
  VERSION (version)
) BEHAVIOR
  TIME SERIES;
`;

    it('is valid mdl, as the parser reads it', () => {
      const diagnostics = new Diagnostics();
      parseSource({ path: 'layout.mdl', text: layout }, diagnostics);
      expect(diagnostics.items.map((d) => d.message)).toEqual([]);
      expect(scopeProblems('layout.mdl', layout)).toEqual([]);
    });

    it('comments between any two tokens, and names and types on the line after their keyword', () => {
      const s = tokenize(layout);
      for (const needle of ["'a quote", '-- dashes', '"a double', 'CREATE MODEL y', 'y ( */']) {
        expect(scopesAt(s, needle), needle).toContain(BLOCK_COMMENT);
        expect(scopesAt(s, needle), needle).not.toContain(KEYWORD);
      }
      expect(scopesAt(s, 'CREATE /*')).toContain(KEYWORD);
      expect(scopesAt(s, '/* a */')).toContain(BLOCK_COMMENT);
      expect(scopesAt(s, 'MODEL --')).toContain(KEYWORD);
      expect(scopesAt(s, '-- b')).toContain(LINE_COMMENT);
      expect(scopesAt(s, '-- c')).toContain(LINE_COMMENT);
      expect(scopesAt(s, 'spread /*')).toContain(MODEL_NAME);
      expect(scopesAt(s, 'id /*')).toContain(COLUMN);
      expect(scopesAt(s, '/* e */')).toContain(BLOCK_COMMENT);
      expect(scopesAt(s, 'INT NOT')).toContain(TYPE);
      expect(scopesAt(s, 'version\n')).toContain(COLUMN);
      expect(scopesAt(s, 'version\n')).not.toContain(KEYWORD);
      expect(scopesAt(s, 'BIGINT')).toContain(TYPE);
      expect(scopesAt(s, 'VERSION,')).toContain(KEYWORD);
      expect(scopesAt(s, 'timestamp TIMESTAMP')).toContain(COLUMN);
      expect(scopesAt(s, 'TIMESTAMP TIMESTAMP')).toContain(TYPE);
      expect(scopesAt(s, 'TIMESTAMP,')).toContain(KEYWORD);
      expect(scopesAt(s, 'TIMESTAMP,')).not.toContain(TYPE);
      expect(scopesAt(s, 'parent_id /*')).toContain(COLUMN);
      expect(scopesAt(s, 'INT\n')).toContain(TYPE);
      expect(scopesAt(s, 'REFERENCES --')).toContain(KEYWORD);
      expect(scopesAt(s, '-- g')).toContain(LINE_COMMENT);
      expect(scopesAt(s, 'spread (id)')).toContain(MODEL_REFERENCE);
      expect(scopesAt(s, 'id)')).toContain(COLUMN);
      expect(scopesAt(s, 'DEFAULT /*')).toContain(KEYWORD);
      expect(scopesAt(s, 'NULL COMMENT')).toContain(NULL_VALUE);
      expect(scopesAt(s, 'COMMENT --')).toContain(KEYWORD);
      expect(scopesAt(s, "'not null'")).toContain(STRING);
      expect(scopesAt(s, 'CONSTRAINT')).toContain(KEYWORD);
      expect(scopesAt(s, 'spread_parent')).toContain(CONSTRAINT_NAME);
      expect(scopesAt(s, 'FOREIGN')).toContain(KEYWORD);
      expect(scopesAt(s, 'parent_id)')).toContain(COLUMN);
      expect(scopesAt(s, '/* h */')).toContain(BLOCK_COMMENT);
      expect(scopesAt(s, 'spread MANY')).toContain(MODEL_REFERENCE);
      for (const word of ['MANY', 'TO ONE', 'ONE ON', 'ON DELETE', 'NO ACTION', 'ACTION', 'VERSION (', 'BEHAVIOR', 'TIME SERIES', 'SERIES']) {
        expect(scopesAt(s, word), word).toContain(KEYWORD);
      }
      expect(scopesAt(s, 'version)')).toContain(COLUMN);
    });

    it('an unclosed string or quoted name ends with its line, as the lexer reads it', () => {
      const s = tokenize(`CREATE MODEL m (\n  id STRING COMMENT 'open\n  , v BIGINT NOT NULL VERSION\n  , "open\n  , w INT\n);\n`);
      expect(scopesAt(s, "'open")).toContain(STRING);
      expect(scopesAt(s, '"open')).toContain(QUOTED_NAME);
      for (const needle of [', v', ', w']) {
        expect(scopesAt(s, needle), needle).toContain('punctuation.separator.comma.mdl');
        expect(scopesAt(s, needle.slice(2)), needle).toContain(COLUMN);
      }
      expect(scopesAt(s, 'BIGINT')).toContain(TYPE);
      expect(scopesAt(s, 'VERSION')).toContain(KEYWORD);
      expect(scopesAt(s, 'INT\n')).toContain(TYPE);
      expect(scopesAt(s, ');')).toContain('punctuation.section.parens.end.mdl');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The VS Code extension in editors/vscode/
// ---------------------------------------------------------------------------------------------

interface ExtensionManifest {
  name?: string;
  displayName?: string;
  publisher?: string;
  version?: string;
  engines?: { vscode?: string };
  contributes?: {
    languages?: { id: string; aliases?: string[]; extensions?: string[]; configuration?: string }[];
    grammars?: { language?: string; scopeName: string; path: string }[];
  };
}

interface LanguageConfiguration {
  comments?: { lineComment?: string; blockComment?: [string, string] };
  brackets?: [string, string][];
  autoClosingPairs?: { open: string; close: string; notIn?: string[] }[];
  surroundingPairs?: [string, string][];
}

describe('editors/vscode', () => {
  const folder = join(root, EXTENSION);
  const readJson = <T>(path: string) => JSON.parse(readFileSync(join(folder, path), 'utf8')) as T;
  const manifest = readJson<ExtensionManifest>('package.json');
  /** A path in the manifest, resolved; it must stay inside the folder, as a packaged extension holds only that. */
  const inside = (path: string) => {
    const full = resolve(folder, path);
    expect(relative(folder, full).startsWith('..'), `${path} is outside ${EXTENSION}`).toBe(false);
    expect(existsSync(full), `${EXTENSION}/${path} exists`).toBe(true);
    return relative(folder, full);
  };

  it('is an extension manifest that contributes the language mdl for .mdl files', () => {
    for (const field of ['name', 'displayName', 'publisher', 'version'] as const) expect(manifest[field], field).toMatch(/\S/);
    expect(manifest.engines?.vscode).toMatch(/^\^\d+\.\d+\.\d+$/);
    const languages = manifest.contributes?.languages ?? [];
    expect(languages.map((l) => l.id)).toEqual(['mdl']);
    const language = languages[0]!;
    expect(language.extensions).toEqual(['.mdl']);
    expect(language.aliases?.length).toBeGreaterThan(0);
    expect(language.configuration).toBeDefined();
    inside(language.configuration!);
  });

  it('uses a copy of grammar/mdl.tmLanguage.json, under its scope name', () => {
    const grammars = manifest.contributes?.grammars ?? [];
    expect(grammars).toHaveLength(1);
    const entry = grammars[0]!;
    expect(entry.language).toBe('mdl');
    expect(entry.scopeName).toBe(SCOPE);
    expect(SCOPE).toBe('source.mdl');
    const copy = readFileSync(join(folder, inside(entry.path)), 'utf8');
    // When this fails, copy grammar/mdl.tmLanguage.json to the path above.
    expect(copy === grammarText, `${EXTENSION}/${entry.path} is a copy of ${GRAMMAR_PATH}`).toBe(true);
  });

  it('comments, brackets and quotes in its language configuration are what the grammar scopes as such', () => {
    const manifestLanguage = manifest.contributes!.languages![0]!;
    const config = readJson<LanguageConfiguration>(manifestLanguage.configuration!);
    const { lineComment, blockComment } = config.comments ?? {};
    expect(lineComment).toBe('--');
    expect(blockComment).toEqual(['/*', '*/']);

    const line = tokenize(`${lineComment} note`);
    expect(line.at(0)).toContain(LINE_COMMENT);
    expect(line.at(line.text.length - 1)).toContain(LINE_COMMENT);
    const block = tokenize(`${blockComment![0]} note ${blockComment![1]} CREATE`);
    expect(block.at(0)).toContain(BLOCK_COMMENT);
    expect(block.at(block.text.indexOf(blockComment![1]) + 1)).toContain(BLOCK_COMMENT);
    expect(scopesAt(block, 'CREATE')).toContain(KEYWORD);

    expect(config.brackets).toEqual([['(', ')']]);
    const parens = tokenize('CREATE MODEL m (id INT)');
    expect(scopesAt(parens, '(')).toContain('punctuation.section.parens.begin.mdl');
    expect(scopesAt(parens, ')')).toContain('punctuation.section.parens.end.mdl');

    const pairs = config.autoClosingPairs ?? [];
    expect(pairs.map((p) => p.open + p.close)).toEqual(['()', "''", '""']);
    // Quotes do not pair up inside strings and comments, which are the grammar's string.* and comment.* scopes.
    expect(scopesAt(tokenize("DEFAULT 'x'"), "'")).toContain(STRING);
    expect(scopesAt(tokenize('CREATE MODEL "x"'), '"')).toContain(MODEL_NAME);
    for (const pair of pairs.filter((p) => p.open !== '(')) expect(pair.notIn).toEqual(['string', 'comment']);
    expect(config.surroundingPairs).toEqual([['(', ')'], ["'", "'"], ['"', '"']]);
  });

  it('has a README that says how to install it', () => {
    const readme = readFileSync(join(folder, 'README.md'), 'utf8');
    expect(readme).toContain('~/.vscode/extensions');
    expect(readme).toContain('code --install-extension');
  });
});
