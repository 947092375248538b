// Types for fuzz-properties.js (plain JavaScript, so that scripts/fuzz.js runs it with node).

import type { IngestOptions, Mirror, Model, SourceFile } from '../src/index.js';
import type { JsonField } from '../src/ingest/jsonl.js';
import type { FuzzApi } from './fuzz-targets.js';

/** A property that did not hold (any other exception from a check is a failure too). */
export declare class FuzzFailure extends Error {}

export declare function checkMdl(api: FuzzApi, files: readonly SourceFile[]): 'ok' | 'errors' | 'warnings';
export declare function readAll(open: () => unknown, csv: boolean): { header?: readonly string[] | null; records?: unknown[]; error?: string };
export declare function checkRead(api: FuzzApi, format: 'csv' | 'jsonl', path: string, bytes: Buffer, chunkSize: number): string;
export declare function checkConversion(
  api: FuzzApi,
  model: Model,
  fields: readonly (JsonField | undefined)[],
  changeType: JsonField | undefined,
  described: readonly unknown[],
): string;
export declare function checkIngest(
  api: FuzzApi,
  mirror: Mirror,
  model: string,
  paths: readonly string[],
  records: readonly (number | undefined)[],
  options: IngestOptions,
): string;
