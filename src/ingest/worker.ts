/**
 * Ingest's reading thread: reads and converts the change files (csv.ts or jsonl.ts, convert.ts,
 * mirror/rows.ts) while the main thread applies the batches to SQLite (parallel.ts).
 *
 * Given the model (the IR is plain data) and the files, it checks every file's columns first,
 * then posts one message per batch: its changes settled within the batch (mirror/within-batch.ts)
 * and encoded in one buffer (mirror/batch.ts), which moves to the applying thread without a
 * copy, and the rejects. The applying thread then only decodes, stages and runs SQL, and hands
 * each buffer back (over `spent`) for a later batch. At most AHEAD batches are in flight: past
 * that it waits on a shared counter the main thread decrements after each commit, so memory
 * stays bounded however large the files. Errors are posted as messages, never thrown across.
 */

import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Model } from '../ir.js';
import { MirrorError, type BatchPosition, type RejectRow } from '../mirror/mirror.js';
import { BufferPool } from '../mirror/batch.js';
import type { Watermark } from '../mirror/rows.js';
import { convertBatches, planFiles, ReadError, type BatchLimits, type FileResume, type IngestFormat } from './ingest.js';

export interface WorkerInput {
  readonly model: Model;
  readonly files: readonly string[];
  readonly format: IngestFormat | undefined;
  readonly limits: BatchLimits;
  readonly watermark: Watermark | undefined;
  /** Per file, where an earlier run of its content got to. */
  readonly resume: readonly FileResume[];
  /** [batches posted and not yet applied]. */
  readonly inFlight: SharedArrayBuffer;
  /** Where the applying thread hands back each batch's buffer, for the next batches. */
  readonly spent: MessagePort;
}

export type WorkerMessage =
  | { readonly type: 'planned' }
  | {
      readonly type: 'batch';
      readonly file: string;
      /** The batch's changes, settled and encoded (mirror/batch.ts), moved here without a copy. */
      readonly bytes: Uint8Array;
      readonly rows: number;
      readonly duplicate: number;
      readonly stale: number;
      readonly repeats: boolean;
      readonly rejects: readonly RejectRow[];
      readonly bytesRead: number;
      readonly position: BatchPosition | undefined;
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
    const pool = new BufferPool((p) => {
      for (let m = receiveMessageOnPort(input.spent); m; m = receiveMessageOnPort(input.spent)) p.give(m.message as ArrayBuffer);
    });
    for (const batch of convertBatches(input.model, plans, input.limits, input.watermark, pool, input.resume)) {
      while (Atomics.load(inFlight, 0) >= AHEAD) Atomics.wait(inFlight, 0, Atomics.load(inFlight, 0), 1000);
      const { changes } = batch;
      Atomics.add(inFlight, 0, 1);
      port.postMessage(
        {
          type: 'batch',
          file: batch.file,
          bytes: changes.bytes,
          rows: changes.rows,
          duplicate: changes.duplicate,
          stale: changes.stale,
          repeats: changes.repeats,
          rejects: batch.rejects,
          bytesRead: batch.bytesRead,
          position: batch.position,
        } satisfies WorkerMessage,
        [changes.bytes.buffer as ArrayBuffer],
      );
    }
    port.postMessage({ type: 'done' } satisfies WorkerMessage);
  } catch (e) {
    const file = e instanceof ReadError ? e.file : undefined;
    const message = e instanceof Error ? e.message : String(e);
    port.postMessage({ type: 'error', message, partial: !(e instanceof MirrorError), ...(file ? { file } : {}) } satisfies WorkerMessage);
  }
}

main();
