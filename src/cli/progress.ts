// Progress for long CLI jobs: a live bar on a terminal, one line every few seconds otherwise (CI, logs).
import cliProgress from 'cli-progress';
import type { ConvertProgress } from '../ingest/bulk-convert.js';

export interface ProgressBar {
  update(value: number, payload: Record<string, string | number>): void;
  stop(): void;
}

export function createProgressBar(opts: { total: number; format: string; initial?: Record<string, string | number> }): ProgressBar {
  const bar = new cliProgress.SingleBar(
    {
      format: opts.format,
      stream: process.stderr,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(opts.total, 0, opts.initial ?? {});
  return {
    update: (value, payload) => bar.update(Math.min(value, opts.total), payload),
    stop: () => bar.stop(),
  };
}

export function formatRate(count: number, elapsedMs: number): string {
  const perSecond = count / Math.max(elapsedMs / 1000, 0.001);
  return perSecond >= 1000 ? `${(perSecond / 1000).toFixed(1)}k/s` : `${perSecond.toFixed(0)}/s`;
}

/**
 * An import's share done: the file's rows settled (written, already stored or rejected) over its row
 * count, estimated from the bytes read so far until the whole file is read. Reading runs ahead of
 * writing by the queue's backlog, so the bytes read alone said 100% while most rows were still queued.
 */
export function settledShare(p: ConvertProgress): number {
  if (!p.bytesTotal) return 1;
  if (p.bytesRead === 0 || p.rowsRead === 0) return 0;
  const rows = p.bytesRead >= p.bytesTotal ? p.rowsRead : (p.rowsRead * p.bytesTotal) / p.bytesRead;
  return Math.min(1, (p.written + p.duplicates + p.rejected) / rows);
}
