/**
 * Ingest on two cores: a worker thread reads and converts (worker.ts) while this thread applies
 * each batch to SQLite, so a batch is converted while the one before it commits. The result is
 * exactly that of ingestFiles: the same batches, in the same order, applied the same way.
 *
 * This is what `mdl ingest` runs. It needs the built worker module beside this one (dist/), so
 * the library's synchronous `ingest` stays the one-thread path.
 */

import { MessageChannel, Worker } from 'node:worker_threads';
import { MirrorError, type Mirror } from '../mirror/mirror.js';
import { batchLimits, modelFor, ReadError, resumePoints, Tally, totalBytes, type IngestOptions, type IngestReport } from './ingest.js';
import type { WorkerInput, WorkerMessage } from './worker.js';

/**
 * The reading thread's heap. What it keeps per batch is small (batches are encoded in buffers
 * outside the heap), and nearly all it allocates dies young: a small young generation keeps its
 * memory low at no cost in speed (measured: 16 MB against 32 MB, 30 MB less peak memory).
 */
const WORKER_OLD_SPACE_MB = 128;
const WORKER_YOUNG_SPACE_MB = 16;

export function ingestFilesParallel(mirror: Mirror, modelName: string, files: readonly string[], options: IngestOptions = {}): Promise<IngestReport> {
  const model = modelFor(mirror, modelName);
  const width = model.columns.length;
  const inFlight = new SharedArrayBuffer(4);
  const counter = new Int32Array(inFlight);
  const spent = new MessageChannel();
  // Where an earlier run of the same content got to: read on this thread, before the worker starts.
  const resume = resumePoints(mirror, model, files, options.format, options.force === true);
  const input: WorkerInput = { model, files, format: options.format, limits: batchLimits(options), watermark: mirror.watermark(model), resume, inFlight, spent: spent.port2 };
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: input,
    transferList: [spent.port2],
    // The reader makes much short-lived garbage; a bounded heap makes its collector keep up.
    // Off its heap: the buffer it encodes into (up to twice MAX_BATCH_BYTES for the widest
    // rows) and at most AHEAD + 1 batch buffers, in flight or being applied.
    resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_SPACE_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_SPACE_MB },
  });
  const tally = new Tally(files, resume);
  const bytesTotal = totalBytes(files);

  return new Promise<IngestReport>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, report?: IngestReport) => {
      if (settled) return;
      settled = true;
      spent.port1.close();
      void worker.terminate();
      if (error) reject(error);
      else resolve(report!);
    };
    worker.on('message', (m: WorkerMessage) => {
      try {
        switch (m.type) {
          case 'planned':
            return;
          case 'batch': {
            const changes = { width, rows: m.rows, bytes: m.bytes, duplicate: m.duplicate, stale: m.stale, repeats: m.repeats };
            const report = mirror.applyBatch(model, changes, m.rejects, m.file, m.position);
            // The buffer goes back to the reading thread for a later batch.
            spent.port1.postMessage(m.bytes.buffer, [m.bytes.buffer as ArrayBuffer]);
            tally.add(report, m.file);
            options.onBatch?.(report, { received: tally.received, bytesRead: m.bytesRead, bytesTotal });
            Atomics.sub(counter, 0, 1);
            Atomics.notify(counter, 0);
            return;
          }
          case 'done':
            return finish(undefined, tally.report(model.name));
          case 'error':
            return finish(m.file ? tally.readError(new ReadError(m.file, m.message)) : new MirrorError(m.message));
        }
      } catch (e) {
        finish(e as Error);
      }
    });
    worker.on('error', (e) => finish(e));
    worker.on('exit', (code) => finish(new Error(`the ingest worker stopped (exit ${code}) before it finished`)));
  });
}
