/**
 * The progress line of `mdl ingest`: on a terminal, rows, rows per second, how much of the input
 * is read and the time left, rewritten in place and erased before the summary; nothing of it when
 * stderr is not a terminal, or with --quiet. The terminal is util-linux's `script`.
 */

import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressText, ProgressLine } from '../src/cli/progress.js';
import { ingest, openMirror, pushProject } from '../src/index.js';
import { mdl, project, root } from './helpers.js';

describe('the progress line', () => {
  it('says rows, rate, share of the input and time left', () => {
    const p = { received: 1_200_000, bytesRead: 40 * 1048576, bytesTotal: 80 * 1048576 };
    expect(progressText('account', p, 4000)).toBe('account: 1,200,000 rows, 300,000 rows/s, 50% of 80 MiB, 4 s left');
    expect(progressText('account', { ...p, bytesRead: p.bytesTotal }, 8000)).toBe('account: 1,200,000 rows, 150,000 rows/s, 100% of 80 MiB');
    expect(progressText('t', { received: 10, bytesRead: 1, bytesTotal: 100 }, 1000)).toBe('t: 10 rows, 10 rows/s, 1% of 100 B, 1 min 39 s left');
  });

  it('is rewritten in place at most every 100 ms, cut to the terminal width, and erased', () => {
    let written = '';
    let clock = 0;
    const stream = { columns: 30, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
    const line = new ProgressLine(stream, 'account', () => clock);
    const p = { received: 5, bytesRead: 1, bytesTotal: 2 };
    clock = 50;
    line.update(p);
    clock = 100;
    line.update(p);
    clock = 200;
    line.update(p);
    line.clear();
    const frames = written.split('\r').filter((f) => f !== '');
    expect(frames).toHaveLength(3);
    expect(frames[0]).toBe(`${progressText('account', p, 50).slice(0, 29)}\x1b[K`);
    expect(frames[1]).toBe(`${progressText('account', p, 200).slice(0, 29)}\x1b[K`);
    expect(frames[2]).toBe('\x1b[K');
  });
});

describe('the progress of an ingest', () => {
  it('counts each byte of the files once, whatever their number and format', () => {
    const dir = project({ 'models/m.mdl': 'CREATE MODEL item (id BIGINT NOT NULL PRIMARY KEY, label STRING, seq BIGINT NOT NULL VERSION);' });
    const m = openMirror(join(dir, 'm.db'), { create: true });
    pushProject(m, [join(dir, 'models')]);
    const files = [0, 1, 2].map((f) => {
      const csv = f < 2;
      const path = join(dir, `f${f}.${csv ? 'csv' : 'jsonl'}`);
      const rows: string[] = csv ? ['id,label,seq'] : [];
      for (let i = 0; i < 5_000; i++) rows.push(csv ? `${f * 10_000 + i},label ${i},1` : JSON.stringify({ id: f * 10_000 + i, label: `l${i}`, seq: 1 }));
      writeFileSync(path, rows.join('\n') + '\n');
      return path;
    });
    const seen: { received: number; bytesRead: number; bytesTotal: number }[] = [];
    ingest(m, 'item', files, { batchSize: 1_000, onBatch: (_r, p) => seen.push(p) });
    m.close();
    const total = files.reduce((n, f) => n + statSync(f).size, 0);
    expect(seen.every((p) => p.bytesTotal === total && p.bytesRead <= total)).toBe(true);
    expect(seen.at(-1)).toEqual({ received: 15_000, bytesRead: total, bytesTotal: total });
    // It grows with the rows: no file is counted before it is read.
    expect(seen.map((p) => p.bytesRead)).toEqual([...seen.map((p) => p.bytesRead)].sort((a, b) => a - b));
    expect(seen[4]!.bytesRead).toBeLessThanOrEqual(statSync(files[0]!).size);
  });
});

describe('mdl ingest on a terminal', () => {
  const setup = () => {
    const dir = project({ 'models/m.mdl': 'CREATE MODEL item (id BIGINT NOT NULL PRIMARY KEY, label STRING, seq BIGINT NOT NULL VERSION);' });
    const db = join(dir, 'm.db');
    expect(mdl(['push', join(dir, 'models'), '--db', db]).status).toBe(0);
    const rows = ['id,label,seq'];
    for (let i = 0; i < 30_000; i++) rows.push(`${i},item ${i},1`);
    writeFileSync(join(dir, 'items.csv'), rows.join('\n') + '\n');
    return { dir, db };
  };
  /** Runs `mdl ingest` with a terminal for its output; returns what the terminal received. */
  const onTerminal = (dir: string, db: string, extra: string[]) => {
    const command = [process.execPath, join(root, 'bin', 'mdl.js'), 'ingest', '--db', db, '--model', 'item', '--batch-size', '1000', join(dir, 'items.csv'), ...extra]
      .map((a) => `'${a}'`)
      .join(' ');
    const r = spawnSync('script', ['-qfec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (r.error) throw new Error(`script (util-linux) is needed for this test: ${r.error.message}`);
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it('shows the progress line while it works, and erases it before the summary', () => {
    const { dir, db } = setup();
    const screen = onTerminal(dir, db, []);
    expect(screen).toMatch(/\ritem: [\d,]+ rows, [\d,]+ rows\/s, \d+% of \d+ KiB(, \d+ s left)?\x1b\[K/);
    expect(screen).toMatch(/\r\x1b\[Kitem: 30,000 received: 30,000 inserted/);
  });

  it('shows nothing extra with --quiet, or when stderr is not a terminal', () => {
    const { dir, db } = setup();
    expect(onTerminal(dir, db, ['--quiet'])).not.toContain('rows/s');
    const piped = mdl(['ingest', '--db', db, '--model', 'item', '--batch-size', '1000', '--force', join(dir, 'items.csv')]);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toBe('item: 30,000 received: 0 inserted, 0 updated, 0 deleted, 0 tombstoned, 0 stale, 30,000 duplicate, 0 rejected\n');
  });
});
