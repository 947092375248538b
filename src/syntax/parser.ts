/**
 * Stage 2, tokens to a concrete syntax tree (Chevrotain CstParser, no embedded actions).
 *
 * Error recovery is on: a token out of place is skipped or assumed, and a statement that cannot
 * be repaired is re-synchronised at the next `;` or CREATE, so one run reports every syntax error.
 * Rule names are the ones in grammar/mdl.ebnf; tests/grammar.test.ts holds the two together.
 */

import type { CstNode, IRecognitionException, ISerializedGast, Rule } from 'chevrotain';
import { chevrotain, type IToken, type TokenType } from './chevrotain.js';
import { tokens } from './lexer.js';
import { messageProvider } from './messages.js';

const MAX_LOOKAHEAD = 3;

/** The parts of Chevrotain's parser that raiseNoAltException needs and its typings leave out. */
interface ChevrotainInternals {
  getCurrRuleFullName(): string;
  SAVE_ERROR(error: IRecognitionException): IRecognitionException;
}

/** The parser class, defined on first use: it extends Chevrotain's, which is loaded then. */
function defineParser() {
  const T = tokens();
  return class MdlParser extends chevrotain().CstParser {
    constructor() {
      super([...T.allTokens], {
        recoveryEnabled: true,
        maxLookahead: MAX_LOOKAHEAD,
        nodeLocationTracking: 'onlyOffset',
        errorMessageProvider: messageProvider,
      });
      this.performSelfAnalysis();
    }

    /**
     * Chevrotain works out the lookahead paths of a failing OR again for every such error, only
     * to word its message: about half a millisecond each, so that a file of stray commas took
     * minutes. They depend only on the rule and the OR, so they are worked out once.
     */
    private readonly altPaths = new Map<string, TokenType[][][]>();

    // Replaces Chevrotain's method of the same name (not in its typings), with the cache above.
    raiseNoAltException(occurrence: number, errMsgTypes: string | undefined): never {
      const internals = this as unknown as ChevrotainInternals;
      const ruleName = internals.getCurrRuleFullName();
      const key = `${ruleName}/${occurrence}`;
      let paths = this.altPaths.get(key);
      if (paths === undefined) {
        const rule = this.getGAstProductions()[ruleName]!;
        paths = chevrotain().getLookaheadPaths({ occurrence, rule, prodType: 'Alternation', maxLookahead: MAX_LOOKAHEAD });
        this.altPaths.set(key, paths);
      }
      const actual: IToken[] = [];
      for (let i = 1; i <= MAX_LOOKAHEAD; i++) actual.push(this.LA(i));
      const previous = this.LA(0);
      const message = messageProvider.buildNoViableAltMessage({ expectedPathsPerAlt: paths, actual, previous, customUserDescription: errMsgTypes, ruleName });
      throw internals.SAVE_ERROR(new (chevrotain().NoViableAltException)(message, this.LA(1), previous));
    }

    /** schema = { createModel } ; */
    public schema = this.RULE('schema', () => {
      this.MANY(() => this.SUBRULE(this.createModel));
    });

    /** createModel = "CREATE" "MODEL" [ "IF" "NOT" "EXISTS" ] Identifier "(" modelElement { "," modelElement } ")" { modelOption } ";" ; */
    private createModel = this.RULE('createModel', () => {
      this.CONSUME(T.Create);
      this.CONSUME(T.Model);
      this.OPTION(() => {
        this.CONSUME(T.If);
        this.CONSUME(T.Not);
        this.CONSUME(T.Exists);
      });
      this.CONSUME(T.Identifier, { LABEL: 'name' });
      this.CONSUME(T.LParen);
      this.SUBRULE(this.modelElement);
      // The comma is optional here so that a forgotten one costs one message, not the rest of the
      // model: parse.ts reports every element that follows another without one.
      this.MANY({
        GATE: () => this.LA(1).tokenType === T.Comma || this.startsElement(),
        DEF: () => {
          this.OPTION2(() => this.CONSUME(T.Comma));
          this.SUBRULE2(this.modelElement);
        },
      });
      this.CONSUME(T.RParen);
      this.MANY2(() => this.SUBRULE(this.modelOption));
      this.CONSUME(T.Semicolon);
    });

    /**
     * modelElement = primaryKeyConstraint | versionConstraint | timestampConstraint | uniqueConstraint
     *              | foreignKeyConstraint | columnDefinition ;
     */
    private modelElement = this.RULE('modelElement', () => {
      this.OR([
        { ALT: () => this.SUBRULE(this.primaryKeyConstraint) },
        { ALT: () => this.SUBRULE(this.versionConstraint) },
        { ALT: () => this.SUBRULE(this.timestampConstraint) },
        { ALT: () => this.SUBRULE(this.uniqueConstraint) },
        { ALT: () => this.SUBRULE(this.foreignKeyConstraint) },
        { ALT: () => this.SUBRULE(this.columnDefinition) },
      ]);
    });

    /** columnDefinition = Identifier dataType { columnConstraint } ; */
    private columnDefinition = this.RULE('columnDefinition', () => {
      this.CONSUME(T.Identifier, { LABEL: 'name' });
      this.SUBRULE(this.dataType);
      this.MANY({ GATE: () => !this.opensTableConstraint(), DEF: () => this.SUBRULE(this.columnConstraint) });
    });

    /** dataType = Identifier [ "(" NumberLiteral [ "," NumberLiteral ] ")" ] ; */
    private dataType = this.RULE('dataType', () => {
      this.CONSUME(T.Identifier, { LABEL: 'name' });
      this.OPTION(() => {
        this.CONSUME(T.LParen);
        this.CONSUME(T.NumberLiteral, { LABEL: 'argument' });
        this.OPTION2(() => {
          this.CONSUME(T.Comma);
          this.CONSUME2(T.NumberLiteral, { LABEL: 'argument' });
        });
        this.CONSUME(T.RParen);
      });
    });

    /**
     * columnConstraint = "NOT" "NULL" | "NULL" | "DEFAULT" literal | "PRIMARY" "KEY" | "VERSION"
     *                  | "TIMESTAMP" | "UNIQUE" | referencesClause | "COMMENT" StringLiteral ;
     */
    private columnConstraint = this.RULE('columnConstraint', () => {
      this.OR([
        { ALT: () => { this.CONSUME(T.Not); this.CONSUME(T.Null, { LABEL: 'notNull' }); } },
        { ALT: () => this.CONSUME2(T.Null, { LABEL: 'nullable' }) },
        { ALT: () => { this.CONSUME(T.Default); this.SUBRULE(this.literal); } },
        { ALT: () => { this.CONSUME(T.Primary); this.CONSUME(T.Key); } },
        { ALT: () => this.CONSUME(T.Version) },
        { ALT: () => this.CONSUME(T.Timestamp) },
        { ALT: () => this.CONSUME(T.Unique) },
        { ALT: () => this.SUBRULE(this.referencesClause) },
        { ALT: () => { this.CONSUME(T.Comment); this.CONSUME(T.StringLiteral, { LABEL: 'comment' }); } },
      ]);
    });

    /**
     * PRIMARY KEY (, VERSION (, TIMESTAMP ( and UNIQUE ( open a table constraint that lost its comma,
     * not a column modifier; the column's modifiers end there.
     */
    private opensTableConstraint(): boolean {
      const t1 = this.LA(1).tokenType;
      if (t1 === T.Primary) return this.LA(3).tokenType === T.LParen;
      return (t1 === T.Version || t1 === T.Timestamp || t1 === T.Unique) && this.LA(2).tokenType === T.LParen;
    }

    /** Whether the next tokens open a model element (used to carry on past a missing comma). */
    private startsElement(): boolean {
      const t1 = this.LA(1).tokenType;
      if (t1 === T.Primary || t1 === T.Foreign || t1 === T.Constraint || t1 === T.Unique) return true;
      const t2 = this.LA(2).tokenType;
      if ((t1 === T.Version || t1 === T.Timestamp) && t2 === T.LParen) return true;
      const isName = (t: TokenType) => t === T.Identifier || (t.CATEGORIES ?? []).includes(T.Identifier);
      return isName(t1) && isName(t2);
    }

    /** primaryKeyConstraint = "PRIMARY" "KEY" columnList ; */
    private primaryKeyConstraint = this.RULE('primaryKeyConstraint', () => {
      this.CONSUME(T.Primary);
      this.CONSUME(T.Key);
      this.SUBRULE(this.columnList);
    });

    /** versionConstraint = "VERSION" columnList ; */
    private versionConstraint = this.RULE('versionConstraint', () => {
      this.CONSUME(T.Version);
      this.SUBRULE(this.columnList);
    });

    /** timestampConstraint = "TIMESTAMP" columnList ; */
    private timestampConstraint = this.RULE('timestampConstraint', () => {
      this.CONSUME(T.Timestamp);
      this.SUBRULE(this.columnList);
    });

    /** uniqueConstraint = "UNIQUE" columnList ; */
    private uniqueConstraint = this.RULE('uniqueConstraint', () => {
      this.CONSUME(T.Unique);
      this.SUBRULE(this.columnList);
    });

    /** foreignKeyConstraint = [ "CONSTRAINT" Identifier ] "FOREIGN" "KEY" columnList referencesClause ; */
    private foreignKeyConstraint = this.RULE('foreignKeyConstraint', () => {
      this.OPTION(() => {
        this.CONSUME(T.Constraint);
        this.CONSUME(T.Identifier, { LABEL: 'constraintName' });
      });
      this.CONSUME(T.Foreign);
      this.CONSUME(T.Key);
      this.SUBRULE(this.columnList);
      this.SUBRULE(this.referencesClause);
    });

    /** referencesClause = "REFERENCES" Identifier [ columnList ] [ cardinality ] [ onDeleteClause ] ; */
    private referencesClause = this.RULE('referencesClause', () => {
      this.CONSUME(T.References);
      this.CONSUME(T.Identifier, { LABEL: 'target' });
      this.OPTION(() => this.SUBRULE(this.columnList));
      this.OPTION2(() => this.SUBRULE(this.cardinality));
      this.OPTION3(() => this.SUBRULE(this.onDeleteClause));
    });

    /** cardinality = ( "MANY" | "ONE" ) "TO" ( "ONE" | "MANY" ) ; */
    private cardinality = this.RULE('cardinality', () => {
      this.OR([
        { ALT: () => this.CONSUME(T.Many, { LABEL: 'from' }) },
        { ALT: () => this.CONSUME(T.One, { LABEL: 'from' }) },
      ]);
      this.CONSUME(T.To);
      this.OR2([
        { ALT: () => this.CONSUME2(T.One, { LABEL: 'to' }) },
        { ALT: () => this.CONSUME2(T.Many, { LABEL: 'to' }) },
      ]);
    });

    /** onDeleteClause = "ON" "DELETE" deleteAction ; */
    private onDeleteClause = this.RULE('onDeleteClause', () => {
      this.CONSUME(T.On);
      this.CONSUME(T.Delete);
      this.SUBRULE(this.deleteAction);
    });

    /** deleteAction = "CASCADE" | "SET" "NULL" | "RESTRICT" | "NO" "ACTION" ; */
    private deleteAction = this.RULE('deleteAction', () => {
      this.OR([
        { ALT: () => this.CONSUME(T.Cascade) },
        { ALT: () => { this.CONSUME(T.SetKw); this.CONSUME(T.Null); } },
        { ALT: () => this.CONSUME(T.Restrict) },
        { ALT: () => { this.CONSUME(T.No); this.CONSUME(T.Action); } },
      ]);
    });

    /** modelOption = "BEHAVIOR" ( "RECORD" | "TIME" "SERIES" ) | "WITH" "HISTORY" | "COMMENT" StringLiteral ; */
    private modelOption = this.RULE('modelOption', () => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Behavior);
            this.OR2([
              { ALT: () => this.CONSUME(T.Record) },
              { ALT: () => { this.CONSUME(T.Time); this.CONSUME(T.Series); } },
            ]);
          },
        },
        { ALT: () => { this.CONSUME(T.With); this.CONSUME(T.History); } },
        { ALT: () => { this.CONSUME(T.Comment); this.CONSUME(T.StringLiteral, { LABEL: 'comment' }); } },
      ]);
    });

    /** columnList = "(" Identifier { "," Identifier } ")" ; */
    private columnList = this.RULE('columnList', () => {
      this.CONSUME(T.LParen);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier) });
      this.CONSUME(T.RParen);
    });

    /** literal = StringLiteral | NumberLiteral | "TRUE" | "FALSE" | "NULL" ; */
    private literal = this.RULE('literal', () => {
      this.OR([
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.NumberLiteral) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.CONSUME(T.Null) },
      ]);
    });
  };
}

/** What the rest of the front end uses of the parser. */
export interface MdlParser {
  input: IToken[];
  readonly errors: IRecognitionException[];
  schema(): CstNode;
  getSerializedGastProductions(): ISerializedGast[];
  getGAstProductions(): Record<string, Rule>;
}

let shared: MdlParser | undefined;

/** The parser is built once per process: its self-analysis is the expensive part. */
export function parserInstance(): MdlParser {
  shared ??= new (defineParser())();
  return shared;
}

export type { IToken };
