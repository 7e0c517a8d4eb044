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

/** How long an ingest job is retried before it fails for good: the backoff doubles from backoffMs at each of attempts - 1 retries. */
export function retryWindowMs(attempts: number, backoffMs: number): number {
  return backoffMs * (2 ** Math.max(attempts - 1, 0) - 1);
}

function duration(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/**
 * The lines an import logs when its jobs start retrying after failed attempts and when none retries
 * any more — for a log (stderr not a terminal), where the bar's count shows only every few seconds.
 * The first line waits up to `reasonWaitMs` for the failed attempt's error, read from the queue.
 */
export class RetryNotices {
  private since: number | undefined;
  private announced = false;

  constructor(private readonly opts: { attempts: number; backoffMs: number; reasonWaitMs?: number }) {}

  update(p: { retryingChunks: number; retryReason: string | null }, now = Date.now()): string | undefined {
    if (p.retryingChunks === 0) {
      this.since = undefined;
      if (!this.announced) return undefined;
      this.announced = false;
      return 'retries cleared: no ingest job of this import waits for a retry now';
    }
    this.since ??= now;
    if (this.announced || (p.retryReason === null && now - this.since < (this.opts.reasonWaitMs ?? 1000))) return undefined;
    this.announced = true;
    const jobs = p.retryingChunks === 1 ? '1 ingest job is' : `${p.retryingChunks} ingest jobs are`;
    const why = p.retryReason === null ? '' : ` (${p.retryReason.split('\n')[0]!.trim().slice(0, 300)})`;
    return (
      `retrying: ${jobs} retrying after a failed attempt${why}. The import waits: each job is retried with a doubling backoff ` +
      `for up to ${duration(retryWindowMs(this.opts.attempts, this.opts.backoffMs))} (ACCTNET_JOB_ATTEMPTS=${this.opts.attempts}, ACCTNET_JOB_BACKOFF_MS=${this.opts.backoffMs}) before it fails for good with its rows kept`
    );
  }
}
