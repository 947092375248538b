/**
 * What a statement gave, as text for a person or a program: a SELECT's rows as an aligned table,
 * JSON or CSV; an INSERT's accounting; a precision delete's impact. Shared by mdl sql and the REPL.
 */

import type { SqlOutcome } from '../ingest/sql.js';
import type { BatchReport } from '../mirror/mirror.js';

export type OutputFormat = 'table' | 'json' | 'csv';

const text = (v: unknown): string => (v === null || v === undefined ? 'NULL' : Buffer.isBuffer(v) ? `x'${v.toString('hex')}'` : String(v));

/** A table cell stays on its line: line breaks and tabs in a value are shown escaped. */
const cellText = (v: unknown): string => text(v).replace(/\r\n|\n|\r|\t/g, (c) => (c === '\t' ? '\\t' : c === '\r' ? '\\r' : '\\n'));

/** What JSON.stringify makes of a Buffer (its toJSON) before a replacer sees it. */
function isSerialisedBuffer(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}

export function formatOutcome(o: SqlOutcome, format: OutputFormat): string {
  // As in SQLite's own shell, ATTACH and DETACH print nothing.
  if (o.kind === 'attached') return '';
  if (o.kind === 'planned') {
    if (format === 'json') return JSON.stringify({ ...o.report, applied: false }) + '\n';
    return `${accounting(o.report)} (dry run: nothing applied)\n`;
  }
  if (o.kind === 'hygiene') {
    const r = o.report;
    if (format === 'json') return JSON.stringify(r) + '\n';
    const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    const head = r.dryRun
      ? `${r.model}: would delete ${plural(r.deleted, 'row', 'rows')} and clear ${plural(r.cleared, 'reference', 'references')} (dry run: nothing changed)`
      : `${r.model}: deleted ${plural(r.deleted, 'row', 'rows')}, cleared ${plural(r.cleared, 'reference', 'references')} (hygiene ledger ${r.ledgerId})`;
    const width = Math.max(0, ...r.models.map((m) => m.model.length));
    const lines = r.models.map((m) => `  ${m.model.padEnd(width)}  ${m.deleted} deleted, ${m.cleared} cleared`);
    return [head, ...lines].join('\n') + '\n';
  }
  if (o.kind === 'applied') {
    const r = o.report;
    if (format === 'json') return JSON.stringify(r) + '\n';
    return accounting(r) + '\n';
  }
  if (format === 'json') {
    // Integers exact (beyond 2^53 as strings of digits); a BLOB as x'hex', as the other formats show it.
    const json = (_k: string, v: unknown) =>
      typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString())
      : v instanceof Uint8Array ? `x'${Buffer.from(v).toString('hex')}'`
      : isSerialisedBuffer(v) ? `x'${Buffer.from(v.data).toString('hex')}'`
      : v;
    return JSON.stringify(o.rows, json) + '\n';
  }
  if (format === 'csv') {
    const cell = (v: unknown) => {
      if (v === null || v === undefined) return '';
      const s = text(v);
      return /[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
    };
    return [o.columns.map(cell).join(','), ...o.rows.map((r) => o.columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
  }
  // Each cell's text once; widths by a loop (a spread of every row's width into Math.max
  // overflows the stack beyond about 100,000 rows).
  const cells = o.rows.map((r) => o.columns.map((c) => cellText(r[c])));
  const width = o.columns.map((c) => c.length);
  for (const row of cells) for (let i = 0; i < row.length; i++) if (row[i]!.length > width[i]!) width[i] = row[i]!.length;
  const line = (texts: readonly string[]) => texts.map((c, i) => c.padEnd(width[i]!)).join('  ').trimEnd();
  const lines = [line(o.columns), line(width.map((w) => '-'.repeat(w)))];
  for (const row of cells) lines.push(line(row));
  lines.push(`(${o.rows.length} row${o.rows.length === 1 ? '' : 's'})`);
  return lines.join('\n') + '\n';
}

/** An INSERT's accounting, as mdl ingest prints it. */
function accounting(r: Omit<BatchReport, 'batch'>): string {
  return (
    `${r.model}: ${r.received} received: ${r.inserted} inserted, ${r.updated} updated, ${r.deleted} deleted, ` +
    `${r.tombstoned} tombstoned, ${r.stale} stale, ${r.duplicate} duplicate, ${r.rejected} rejected`
  );
}
