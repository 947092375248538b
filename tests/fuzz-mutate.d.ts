// Types for fuzz-mutate.js (plain JavaScript, so that scripts/fuzz.js runs it with node).

import type { SourceFile } from '../src/index.js';

export interface Random {
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  /** An integer in [0, max], small far more often than large. */
  size(max: number): number;
}

export declare function random(seed: number): Random;
export declare function caseSeed(seed: number | string, target: string, index: number): number;

export interface ChangeFile {
  /** Relative to the repository. */
  readonly path: string;
  readonly model: string;
  readonly format: 'csv' | 'jsonl';
  readonly bytes: Buffer;
}

export interface Project {
  readonly name: string;
  /** Absolute path of its models folder. */
  readonly models: string;
  readonly sources: readonly SourceFile[];
  readonly changes: readonly ChangeFile[];
}

export interface Corpus {
  readonly projects: readonly Project[];
  readonly cases: readonly SourceFile[];
}

export declare function loadCorpus(root: string): Corpus;

export interface Limits {
  readonly text: number;
  readonly repeat: number;
  readonly identifier: number;
  readonly depth: number;
  readonly field: number;
  readonly edits: number;
  readonly cap: number;
  readonly columns: number;
  readonly rows: number;
}

export declare function roughTokens(text: string): { start: number; end: number; text: string }[];
export declare function mutateText(r: Random, text: string, others: readonly string[], limits: Limits): string;
export declare function statements(tokens: readonly { start: number; end: number; text: string }[]): { first: number; last: number; open: number; close: number; elements: [number, number][] }[];
export declare function mutateModel(r: Random, text: string, limits: Limits): string;
export declare function randomText(r: Random, maxLength: number): string;
