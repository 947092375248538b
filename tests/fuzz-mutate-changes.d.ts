// Types for fuzz-mutate-changes.js (plain JavaScript, so that scripts/fuzz.js runs it with node).

import type { ColumnType } from '../src/index.js';
import type { Limits, Random } from './fuzz-mutate.js';

export declare const FIELD_VALUES: readonly string[];
export declare function plausible(r: Random, type: ColumnType): string;
export declare function csvField(value: string | null): string;
export declare function mutateCsv(r: Random, text: string, limits: Limits): string;
export declare function mutateJsonl(r: Random, text: string, limits: Limits): string;
export declare function mutateBytes(r: Random, bytes: Buffer): Buffer;
