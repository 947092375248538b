/**
 * The progress line of a long ingest, on a terminal's stderr: rows so far, rows per second, how
 * much of the input has been read, and the time left at that pace. Rewritten in place (carriage
 * return, erase to the end of the line) at most every PERIOD_MS, and erased before the summary.
 */

import type { IngestProgress } from '../ingest/ingest.js';

const PERIOD_MS = 100;

const int = (n: number) => Math.round(n).toLocaleString('en-US');

function size(bytes: number): string {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(1)} GiB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(0)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(0)} KiB`;
  return `${bytes} B`;
}

function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** "account: 1,200,000 rows, 282,404 rows/s, 45% of 74 MiB, 3 s left" */
export function progressText(label: string, p: IngestProgress, elapsedMs: number): string {
  const parts = [`${label}: ${int(p.received)} rows`];
  if (elapsedMs > 0) parts.push(`${int((p.received / elapsedMs) * 1000)} rows/s`);
  if (p.bytesTotal > 0) {
    const read = Math.min(p.bytesRead, p.bytesTotal);
    parts.push(`${Math.floor((read / p.bytesTotal) * 100)}% of ${size(p.bytesTotal)}`);
    if (read > 0 && read < p.bytesTotal) parts.push(`${duration((elapsedMs * (p.bytesTotal - read)) / read)} left`);
  }
  return parts.join(', ');
}

export class ProgressLine {
  private readonly started: number;
  private last = -Infinity;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  update(p: IngestProgress): void {
    const t = this.now();
    if (t - this.last < PERIOD_MS) return;
    this.last = t;
    const text = progressText(this.label, p, t - this.started);
    const width = this.stream.columns;
    this.stream.write(`\r${width && text.length >= width ? text.slice(0, width - 1) : text}\x1b[K`);
    this.shown = true;
  }

  /** Erases the line, so that what is printed next starts clean. */
  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
