/**
 * Ingest's reading thread: reads and converts the change files (csv.ts or jsonl.ts, convert.ts,
 * mirror/rows.ts) while the main thread applies the batches to SQLite (parallel.ts).
 *
 * Given the model (the IR is plain data) and the files, it checks every file's columns first,
 * then posts one message per batch: the staged rows flattened into two arrays (operations, and
 * every row's values one after another: a few large arrays clone much faster than many small
 * ones) and the rejects. At most AHEAD batches are in flight: past that it waits on a shared
 * counter the main thread decrements after each commit, so memory stays bounded however large
 * the files. Errors are posted as messages, never thrown across.
 */

import { parentPort, workerData } from 'node:worker_threads';
import type { Model } from '../ir.js';
import { MirrorError } from '../mirror/mirror.js';
import { convertBatches, planFiles, ReadError, type IngestFormat } from './ingest.js';

export interface WorkerInput {
  readonly model: Model;
  readonly files: readonly string[];
  readonly format: IngestFormat | undefined;
  readonly batchSize: number;
  /** [batches posted and not yet applied]. */
  readonly inFlight: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly type: 'planned' }
  | {
      readonly type: 'batch';
      readonly file: string;
      readonly ops: Uint8Array;
      readonly values: unknown[];
      readonly rejects: unknown[];
    }
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly message: string; readonly file?: string; readonly partial: boolean };

/** Batches converted ahead of the one being applied. */
export const AHEAD = 2;

function main(): void {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  const inFlight = new Int32Array(input.inFlight);
  let plans;
  try {
    plans = planFiles(input.model, input.files, input.format);
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message, partial: false } satisfies WorkerMessage);
    return;
  }
  port.postMessage({ type: 'planned' } satisfies WorkerMessage);
  try {
    for (const batch of convertBatches(input.model, plans, input.batchSize)) {
      while (Atomics.load(inFlight, 0) >= AHEAD) Atomics.wait(inFlight, 0, Atomics.load(inFlight, 0), 1000);
      const ops = new Uint8Array(batch.rows.length);
      const values: unknown[] = [];
      batch.rows.forEach((r, i) => {
        ops[i] = r.op;
        for (const v of r.values) values.push(v);
      });
      Atomics.add(inFlight, 0, 1);
      port.postMessage({ type: 'batch', file: batch.file, ops, values, rejects: batch.rejects } satisfies WorkerMessage, [ops.buffer]);
    }
    port.postMessage({ type: 'done' } satisfies WorkerMessage);
  } catch (e) {
    const file = e instanceof ReadError ? e.file : undefined;
    const message = e instanceof Error ? e.message : String(e);
    port.postMessage({ type: 'error', message, partial: !(e instanceof MirrorError), ...(file ? { file } : {}) } satisfies WorkerMessage);
  }
}

main();
