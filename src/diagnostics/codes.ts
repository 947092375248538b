/**
 * The diagnostic catalogue: every message mdl can give about a model, with a stable code.
 *
 * Codes never change meaning and are never reused. Ranges: MDL1xxx syntax, MDL2xxx names and
 * types, MDL3xxx keys and relationships, MDL4xxx limits of a compile target, MDL5xxx runtime.
 * LANGUAGE.md documents every entry; tests/catalogue.test.ts keeps the two in step.
 */

export type Severity = 'error' | 'warning' | 'info';

export interface Definition<P> {
  readonly code: string;
  readonly name: string;
  readonly severity: Severity;
  readonly message: (params: P) => string;
  /** One sentence that says what the user is asked to do, when the message alone does not. */
  readonly explain: string;
}

function def<P>(code: string, name: string, severity: Severity, message: (p: P) => string, explain: string): Definition<P> {
  return { code, name, severity, message, explain };
}

type Named = { name: string };
type ModelColumn = { model: string; column: string };

export const Codes = {
  // --- MDL1xxx: syntax -------------------------------------------------------------------
  unexpectedToken: def<{ expected: string; found: string }>(
    'MDL1001', 'unexpected-token', 'error',
    (p) => `expected ${p.expected}, found ${p.found}`,
    'The parser met a token it cannot use here; it skips ahead and goes on, so later errors are reported too.'),
  unexpectedCharacter: def<{ text: string }>(
    'MDL1002', 'unexpected-character', 'error',
    (p) => `unexpected character ${p.text}`,
    'A character that no token of the language starts with, outside a string or comment.'),
  unterminatedString: def<Record<string, never>>(
    'MDL1003', 'unterminated-string', 'error',
    () => 'this string is not closed',
    "A string opened with ' needs a closing ' before the end of the line; write '' for a quote inside it."),
  unterminatedComment: def<Record<string, never>>(
    'MDL1004', 'unterminated-comment', 'error',
    () => 'this block comment is not closed',
    'A /* comment needs a closing */.'),
  unterminatedIdentifier: def<Record<string, never>>(
    'MDL1005', 'unterminated-identifier', 'error',
    () => 'this quoted name is not closed',
    'A name opened with " needs a closing " on the same line; write "" for a quote inside it.'),
  invalidNumber: def<{ text: string; what: string }>(
    'MDL1006', 'invalid-number', 'error',
    (p) => `${p.text} is not a valid ${p.what}`,
    'Type arguments are whole numbers: VARCHAR(255), DECIMAL(12, 2).'),

  // --- MDL2xxx: names and types ------------------------------------------------------------
  duplicateModel: def<Named>(
    'MDL2001', 'duplicate-model', 'error',
    (p) => `model ${p.name} is declared more than once`,
    'All .mdl files of a project form one schema, so a model name may be used once across them (names compare case-insensitively).'),
  duplicateColumn: def<ModelColumn>(
    'MDL2002', 'duplicate-column', 'error',
    (p) => `column ${p.column} is declared more than once in model ${p.model}`,
    'Column names compare case-insensitively.'),
  unknownType: def<{ type: string }>(
    'MDL2003', 'unknown-type', 'error',
    (p) => `unknown type ${p.type}`,
    'The types are STRING, TEXT, VARCHAR(n), INTEGER, INT, SMALLINT, BIGINT, LONG, DOUBLE, FLOAT, NUMBER, DECIMAL(p, s), BOOLEAN, DATE, TIMESTAMP, DATETIME and JSON.'),
  reservedColumnName: def<ModelColumn>(
    'MDL2004', 'reserved-column-name', 'error',
    (p) => `column name ${p.column} is reserved`,
    'A change row uses _change_request_type to say upsert or delete, and mdl keeps its own columns under the _mdl_ prefix.'),
  reservedModelName: def<Named & { why: string }>(
    'MDL2005', 'reserved-model-name', 'error',
    (p) => `model name ${p.name} is reserved: ${p.why}`,
    'The compiler names companion tables model__tombstones and keeps its metadata in _mdl_ tables, so model names may not contain __ or start with _mdl_.'),
  unknownColumn: def<ModelColumn & { where: string }>(
    'MDL2006', 'unknown-column', 'error',
    (p) => `${p.where} names column ${p.column}, which model ${p.model} does not have`,
    'Constraints may only name columns declared in the same model.'),
  unknownModel: def<Named>(
    'MDL2007', 'unknown-model', 'error',
    (p) => `unknown model ${p.name}`,
    'A reference must name a model declared in one of the project\'s .mdl files.'),
  unknownTargetColumn: def<ModelColumn>(
    'MDL2008', 'unknown-target-column', 'error',
    (p) => `model ${p.model} has no column ${p.column}`,
    'The columns after REFERENCES model (...) are columns of the referenced model.'),
  invalidTypeArguments: def<{ type: string; why: string }>(
    'MDL2009', 'invalid-type-arguments', 'error',
    (p) => `invalid arguments for ${p.type}: ${p.why}`,
    'VARCHAR takes a length of at least 1; DECIMAL takes a precision from 1 to 38 and a scale from 0 to the precision; other types take none.'),
  duplicateOption: def<{ option: string; model: string }>(
    'MDL2010', 'duplicate-option', 'error',
    (p) => `${p.option} is given more than once for model ${p.model}`,
    'Each model option (BEHAVIOR, WITH HISTORY, COMMENT) may appear once.'),
  duplicateColumnInList: def<{ column: string; where: string }>(
    'MDL2011', 'duplicate-column-in-list', 'error',
    (p) => `${p.where} lists column ${p.column} twice`,
    'A key or reference names each column once.'),
  defaultTypeMismatch: def<{ column: string; type: string; value: string }>(
    'MDL2012', 'default-type-mismatch', 'error',
    (p) => `default ${p.value} does not fit column ${p.column} of type ${p.type}`,
    'A DEFAULT literal must be a value of the column\'s type.'),
  duplicateConstraintName: def<Named & { model: string }>(
    'MDL2013', 'duplicate-constraint-name', 'error',
    (p) => `constraint name ${p.name} is used more than once in model ${p.model}`,
    'CONSTRAINT names identify relationships in tools and messages, so each is used once per model.'),
  duplicateColumnModifier: def<{ column: string; modifier: string }>(
    'MDL2014', 'duplicate-column-modifier', 'warning',
    (p) => `${p.modifier} is given more than once for column ${p.column}`,
    'Saying it once is enough.'),
  contradictoryNullability: def<{ column: string; why: string }>(
    'MDL2015', 'contradictory-nullability', 'error',
    (p) => `column ${p.column} ${p.why}`,
    'A column is either NOT NULL or nullable, and a NOT NULL column cannot default to NULL.'),
  emptyName: def<{ what: string }>(
    'MDL2016', 'empty-name', 'error',
    (p) => `${p.what} name is empty`,
    'A quoted name needs at least one character.'),
  historyColumnName: def<ModelColumn>(
    'MDL2017', 'history-column-name', 'error',
    (p) => `model ${p.model} is WITH HISTORY, so its history table adds a column ${p.column}; the model may not have one`,
    'Rename the column: a model WITH HISTORY keeps each version with its interval in valid_from and valid_to.'),
  conflictingColumnModifier: def<{ column: string; modifier: string; first: string; second: string }>(
    'MDL2018', 'conflicting-column-modifier', 'error',
    (p) => `${p.modifier} is given twice for column ${p.column}, with different values: ${p.first} and ${p.second}`,
    'Which one was meant cannot be told: keep one.'),

  // --- MDL3xxx: keys, versions, time series, relationships -----------------------------------
  missingPrimaryKey: def<Named>(
    'MDL3001', 'missing-primary-key', 'error',
    (p) => `model ${p.name} has no primary key`,
    'Every change row is matched to its mirror row by the primary key: add PRIMARY KEY (col, ...) or mark a column PRIMARY KEY.'),
  multiplePrimaryKeys: def<Named>(
    'MDL3002', 'multiple-primary-keys', 'error',
    (p) => `model ${p.name} declares more than one primary key`,
    'A composite key is one declaration: PRIMARY KEY (a, b).'),
  nullablePrimaryKey: def<ModelColumn>(
    'MDL3003', 'nullable-primary-key', 'error',
    (p) => `primary-key column ${p.column} of model ${p.model} must be declared NOT NULL`,
    'A key identifies a row; mdl asks you to say NOT NULL rather than assume it.'),
  primaryKeyType: def<ModelColumn & { type: string }>(
    'MDL3004', 'primary-key-type', 'error',
    (p) => `primary-key column ${p.column} has type ${p.type}, which cannot identify a row`,
    'Floating-point values and JSON documents do not compare exactly; use an integer, string, DECIMAL, DATE or TIMESTAMP key.'),
  missingVersion: def<Named>(
    'MDL3005', 'missing-version', 'error',
    (p) => `model ${p.name} has no version column`,
    'The version decides which change wins when changes arrive late or out of order: add VERSION (col) naming a NOT NULL integer, DECIMAL(p, 0), TIMESTAMP or DATE column.'),
  multipleVersions: def<Named>(
    'MDL3006', 'multiple-versions', 'error',
    (p) => `model ${p.name} declares more than one version column`,
    'Exactly one column orders the changes of a row.'),
  nullableVersion: def<ModelColumn>(
    'MDL3007', 'nullable-version', 'error',
    (p) => `version column ${p.column} of model ${p.model} must be declared NOT NULL`,
    'A change without a version cannot be ordered against the others.'),
  versionType: def<ModelColumn & { type: string }>(
    'MDL3008', 'version-type', 'error',
    (p) => `version column ${p.column} has type ${p.type}; a version must be an integer, DECIMAL with scale 0, TIMESTAMP or DATE`,
    'Versions must compare exactly and totally.'),
  versionInPrimaryKey: def<ModelColumn>(
    'MDL3009', 'version-in-primary-key', 'error',
    (p) => `version column ${p.column} of model ${p.model} is part of its primary key`,
    'Each version of a row would then be a different row, and nothing would ever be updated or deleted.'),
  timestampType: def<ModelColumn & { type: string }>(
    'MDL3010', 'timestamp-type', 'error',
    (p) => `TIMESTAMP (${p.column}) names a column of type ${p.type}; it must be TIMESTAMP or DATE`,
    'The timestamp descriptor says when an event happened.'),
  timeSeriesWithoutTimestamp: def<Named>(
    'MDL3011', 'time-series-without-timestamp', 'error',
    (p) => `time-series model ${p.name} has no TIMESTAMP descriptor`,
    'A BEHAVIOR TIME SERIES model says which column holds the event time: add TIMESTAMP (col).'),
  timeSeriesKeyWithoutTimestamp: def<Named & { column: string }>(
    'MDL3012', 'time-series-key-without-timestamp', 'error',
    (p) => `the primary key of time-series model ${p.name} must include its timestamp column ${p.column}`,
    'Events are identified by when they happened as well as by their id.'),
  recordWithTimestamp: def<Named>(
    'MDL3013', 'record-with-timestamp', 'error',
    (p) => `record model ${p.name} declares a TIMESTAMP descriptor`,
    'Only BEHAVIOR TIME SERIES models have an event timestamp; remove the descriptor or declare the behavior.'),
  multipleTimestamps: def<Named>(
    'MDL3014', 'multiple-timestamps', 'error',
    (p) => `model ${p.name} declares more than one TIMESTAMP descriptor`,
    'A time-series model has exactly one event-time column.'),
  referenceNotKey: def<{ target: string; columns: string }>(
    'MDL3020', 'reference-target-not-key', 'error',
    (p) => `(${p.columns}) is neither the primary key nor a UNIQUE key of model ${p.target}`,
    'A reference points at one row, so its target columns must be exactly a key of the target model.'),
  referenceArity: def<{ source: number; target: number; targetModel: string }>(
    'MDL3021', 'reference-arity', 'error',
    (p) => `the reference has ${p.source} column${p.source === 1 ? '' : 's'} but the key of ${p.targetModel} has ${p.target}`,
    'Each referencing column pairs with one key column of the target, in order.'),
  referenceTypeMismatch: def<{ column: string; type: string; target: string; targetType: string }>(
    'MDL3022', 'reference-type-mismatch', 'error',
    (p) => `column ${p.column} (${p.type}) cannot reference ${p.target} (${p.targetType})`,
    'A referencing column must have the same kind of type as the key column it points at.'),
  oneToOneNotUnique: def<{ model: string; columns: string }>(
    'MDL3023', 'one-to-one-not-unique', 'error',
    (p) => `ONE TO ONE needs (${p.columns}) to be unique in model ${p.model}`,
    'Make the referencing columns the primary key or declare UNIQUE on them; otherwise the relationship is MANY TO ONE.'),
  manyToMany: def<{ model: string; target: string }>(
    'MDL3024', 'many-to-many', 'error',
    (p) => `MANY TO MANY is not a relationship a column can hold: link ${p.model} and ${p.target} with a model of their own`,
    'A many-to-many relationship is a link model with two MANY TO ONE references; the message shows one to start from.'),
  setNullNotNull: def<ModelColumn>(
    'MDL3025', 'set-null-not-null', 'error',
    (p) => `ON DELETE SET NULL cannot clear column ${p.column} of model ${p.model}: it is NOT NULL`,
    'Use CASCADE, RESTRICT or NO ACTION, or make the column nullable.'),
  setNullPrimaryKey: def<ModelColumn>(
    'MDL3026', 'set-null-primary-key', 'error',
    (p) => `ON DELETE SET NULL cannot clear column ${p.column} of model ${p.model}: it is part of the primary key`,
    'A key column cannot be cleared; use CASCADE, RESTRICT or NO ACTION.'),

  oneToMany: def<{ model: string; target: string }>(
    'MDL3027', 'one-to-many', 'error',
    (p) => `ONE TO MANY describes the relationship from ${p.target}'s side; seen from ${p.model}, which holds the reference, it is MANY TO ONE`,
    'Cardinality is written from the model that holds the referencing columns: MANY TO ONE or ONE TO ONE.'),
  duplicateRelationship: def<{ model: string; columns: string; target: string }>(
    'MDL3028', 'duplicate-relationship', 'error',
    (p) => `model ${p.model} references ${p.target} from (${p.columns}) more than once`,
    'One set of columns references one target once; two declarations could disagree on cardinality or ON DELETE.'),
  referenceTargetType: def<{ target: string; column: string; type: string }>(
    'MDL3029', 'reference-target-type', 'error',
    (p) => `a reference cannot target ${p.target}.${p.column}, of type ${p.type}`,
    'Floating-point values and JSON documents do not compare exactly, so no row can be found by one: reference a key of integer, string, DECIMAL, DATE or TIMESTAMP columns.'),

  // --- MDL4xxx: limits of a compile target -------------------------------------------------
  sqliteWideDecimalVersion: def<ModelColumn & { precision: number }>(
    'MDL4001', 'sqlite-wide-decimal-version', 'error',
    (p) => `version column ${p.column} is DECIMAL(${p.precision}, 0), wider than the 64-bit integers SQLite compares versions as`,
    'Use DECIMAL(18, 0) or narrower, or BIGINT.'),

  sqliteReservedName: def<Named>(
    'MDL4002', 'sqlite-reserved-name', 'error',
    (p) => `model name ${p.name} is reserved by SQLite: names starting with sqlite_ are kept for its internal tables`,
    'Rename the model; SQLite refuses to create tables whose names start with sqlite_.'),

  sqliteNulInName: def<{ what: string; name: string }>(
    'MDL4003', 'sqlite-nul-in-name', 'error',
    (p) => `${p.what} ${p.name} holds a NUL character, which SQLite cannot keep in a name`,
    'SQLite reads a statement only up to a NUL: remove it from the quoted name.'),

  sqliteTooManyColumns: def<{ model: string; columns: number; limit: number }>(
    'MDL4004', 'sqlite-too-many-columns', 'error',
    (p) => `model ${p.model} has ${p.columns} columns; on SQLite a model has at most ${p.limit}`,
    'A row is compared whole with json_array(), which SQLite allows 1,000 arguments: split the model in two with a ONE TO ONE reference.'),

  // --- MDL5xxx: reading the project ----------------------------------------------------------
  unreadableFile: def<{ path: string; reason: string }>(
    'MDL5001', 'unreadable-file', 'error',
    (p) => `cannot read ${p.path}: ${p.reason}`,
    'A path given to mdl could not be read.'),
  noModelFiles: def<{ paths: string }>(
    'MDL5002', 'no-model-files', 'error',
    (p) => `no .mdl files found in ${p.paths}`,
    'mdl reads every file ending in .mdl below the given paths (the current directory by default).'),
  notUtf8: def<{ path: string }>(
    'MDL5003', 'not-utf8', 'error',
    (p) => `${p.path} is not UTF-8: the bytes here are not text (shown as U+FFFD)`,
    'mdl reads .mdl files as UTF-8: save the file in that encoding. The rest of the file is checked as it reads.'),
} as const;

export type CodeKey = keyof typeof Codes;
export type ParamsOf<K extends CodeKey> = (typeof Codes)[K] extends Definition<infer P> ? P : never;
