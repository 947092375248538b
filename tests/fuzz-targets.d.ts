// Types for fuzz-targets.js (plain JavaScript, so that scripts/fuzz.js runs it with node).

import type { checkSources, compileSources, formatDiagnostics, ingest, MirrorError, openMirror, pushProject } from '../src/index.js';
import type { parseCsvText, readCsv } from '../src/ingest/csv.js';
import type { JsonLiteral, parseJsonlText, readJsonl } from '../src/ingest/jsonl.js';
import type { convertField, Rejection } from '../src/ingest/convert.js';
import type { convertChange, rowShape } from '../src/mirror/rows.js';
import type { Corpus, Limits, Random } from './fuzz-mutate.js';

/** The library under test: the sources (vitest) or the build in dist/ (scripts/fuzz.js). */
export interface FuzzApi {
  readonly checkSources: typeof checkSources;
  readonly compileSources: typeof compileSources;
  readonly formatDiagnostics: typeof formatDiagnostics;
  readonly openMirror: typeof openMirror;
  readonly pushProject: typeof pushProject;
  readonly ingest: typeof ingest;
  readonly MirrorError: typeof MirrorError;
  readonly readCsv: typeof readCsv;
  readonly parseCsvText: typeof parseCsvText;
  readonly readJsonl: typeof readJsonl;
  readonly parseJsonlText: typeof parseJsonlText;
  readonly JsonLiteral: typeof JsonLiteral;
  readonly convertField: typeof convertField;
  readonly Rejection: typeof Rejection;
  readonly rowShape: typeof rowShape;
  readonly convertChange: typeof convertChange;
}

export { FuzzFailure } from './fuzz-properties.js';

export declare const CI_LIMITS: Limits;
export declare const LONG_LIMITS: Limits;

export interface Target<Input = unknown> {
  readonly name: string;
  generate(r: Random, limits: Limits): Input;
  /** Runs one case; returns what kind of outcome it had (for coverage), throws if a property fails. */
  run(input: Input): string;
  /** The case's payloads, for a reducer to shrink; withParts puts them back (undefined drops one). */
  parts(input: Input): (string | Buffer)[];
  withParts(input: Input, parts: (string | Buffer | undefined)[]): Input;
  /** The case as a file, for a reproduction. */
  save(input: Input): { ext: string; data: string | Buffer };
  close?(): void;
}

export declare function createTargets(api: FuzzApi, corpus: Corpus, dir: string): Target[];
