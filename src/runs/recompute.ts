// One recompute run from the worker's side: record it, run the analysis in a worker thread with
// the configured heap, then switch atomically (fenced by run number) to its results and blacklist.
import { Worker } from 'node:worker_threads';
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';
import { appendAudit } from '../neo4j/repositories/audit.js';
import { createSuccessorRepository } from '../neo4j/repositories/successors.js';
import { publishVersion, type PublishDeps } from '../blacklist/publish.js';
import { Conflict, StorageUnavailable } from '../errors.js';
import { LockTimeout } from '../redis/lock.js';
import type { RecomputeJobData } from '../queue/recompute-queue.js';
import { analysisParams, type AnalysisJobInput, type AnalysisJobResult } from './analysis-job.js';
import { applyRetention, type RunRetention } from './retention.js';

export interface RunProgress {
  runId: string;
  step: string;
  timings: Record<string, number>;
  counts: Record<string, number>;
}

export interface RunSummary {
  runId: string;
  status: 'succeeded' | 'superseded';
  asOf: string | null;
  blacklistVersion: number | null;
  /** served: gateways get it now; held: waits for an admin (guard or pin); unpublished: a later run took over. */
  publication: 'served' | 'held' | 'unpublished' | 'none';
  heldBecause: string | null;
  timings: Record<string, number>;
  counts: Record<string, number>;
  warnings: string[];
  /** The learned model's card (docs/outputs.md). */
  model: AnalysisJobResult['model'];
  /** How the window was loaded: incremental or full and why, and whether the run kept its snapshot (src/runs/incremental.ts). */
  load: AnalysisJobResult['load'];
  /** What ACCTNET_RETAIN_* deleted after the run (null when retention is off or the run was superseded). */
  retention: RunRetention | { error: string } | null;
}

export interface RecomputeDeps {
  config: Config;
  driver: Driver;
  log: Logger;
  /** Redis and the webhook queue: serialised publication and signed pushes. */
  publish: Omit<PublishDeps, 'config' | 'driver'>;
  /** How long one publication attempt waits for the lock (default PUBLISH_WAIT_MS; tests shorten it). */
  publishWaitMs?: number;
}

/** Publication attempts of a finished run before it fails: the analysis is never redone for a switch. */
const PUBLISH_ATTEMPTS = 3;

/** Lock timeouts, storage outages and a lapsed lease are worth another attempt; a NotFound is not. */
function retriable(err: unknown): boolean {
  return err instanceof LockTimeout || err instanceof StorageUnavailable || err instanceof Conflict;
}

function runThread(
  config: Config,
  input: AnalysisJobInput,
  onProgress: (step: string, timings: Record<string, number>, counts: Record<string, number>) => void,
): Promise<AnalysisJobResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./analysis-thread.js', import.meta.url), {
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb: config.analysis.heapMb },
    });
    let settled = false;
    worker.on(
      'message',
      (msg: {
        type: string;
        step?: string;
        timings?: Record<string, number>;
        counts?: Record<string, number>;
        result?: AnalysisJobResult;
        message?: string;
      }) => {
        if (msg.type === 'progress') onProgress(msg.step!, msg.timings!, msg.counts!);
        else if (msg.type === 'done') {
          settled = true;
          resolve(msg.result!);
          void worker.terminate();
        } else if (msg.type === 'error') {
          settled = true;
          reject(new Error(msg.message));
          void worker.terminate();
        }
      },
    );
    worker.on('error', (err) => {
      if (settled) return;
      settled = true;
      // ERR_WORKER_OUT_OF_MEMORY when the graph does not fit ACCTNET_ANALYSIS_HEAP_MB.
      const code = (err as NodeJS.ErrnoException).code;
      reject(
        code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new Error(
              `the analysis ran out of memory (ACCTNET_ANALYSIS_HEAP_MB=${config.analysis.heapMb}); raise it or shorten ACCTNET_WINDOW_DAYS`,
            )
          : err,
      );
    });
    worker.on('exit', (code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`the analysis thread exited with code ${code}`));
      }
    });
  });
}

export async function runRecompute(
  deps: RecomputeDeps,
  request: RecomputeJobData & { jobId: string | null },
  onProgress: (p: RunProgress) => void,
): Promise<RunSummary> {
  const { config, driver, log } = deps;
  const runs = createRunRepository(driver, config.neo4j);
  const params = { ...analysisParams(config), asOf: request.asOf };
  const { id: runId, seq } = await runs.start({
    jobId: request.jobId,
    trigger: request.trigger,
    requestedBy: request.requestedBy,
    requestedAt: request.requestedAt || Date.now(),
    params,
  });
  log.info({ runId, trigger: request.trigger }, 'recompute started');
  let lastStep = '';
  let lastWrite = 0;
  let latest: RunProgress = { runId, step: 'start', timings: {}, counts: {} };
  // Older runs' results (beyond ACCTNET_KEEP_RUNS with this run counted) are deleted while this run
  // analyses: Neo4j is idle then, and the deletion (~3 s for 100k accounts) no longer follows the
  // publication. Not during the load, which it would slow. A run that then fails leaves one run's
  // results fewer until the next run succeeds (docs/decisions.md, "pruning while the run analyses").
  let pruning: Promise<void> | null = null;
  const startPruning = () => {
    pruning ??= pruneOldResults(deps, runId).catch((err: Error) => log.warn({ runId, err: err.message }, 'pruning old run results failed'));
    return pruning;
  };
  const progress = (step: string, timings: Record<string, number>, counts: Record<string, number>) => {
    if (step !== 'load') void startPruning();
    latest = { runId, step, timings, counts };
    onProgress(latest);
    if (step !== lastStep || Date.now() - lastWrite > 2000) {
      lastStep = step;
      lastWrite = Date.now();
      void runs.progress(runId, step, timings, counts).catch(() => {});
    }
  };

  let result: AnalysisJobResult;
  try {
    result = await runThread(config, { config, runId, runSeq: seq, asOf: request.asOf, full: request.full === true }, progress);
    if (result.load)
      log.info(
        {
          runId,
          load: result.load.mode,
          reason: result.load.reason,
          snapshotSaved: result.load.snapshot.saved,
          snapshotNote: result.load.snapshot.reason,
        },
        result.load.mode === 'incremental' ? 'window loaded incrementally' : 'window loaded in full',
      );
  } catch (err) {
    const message = (err as Error).message;
    log.error({ runId, err: message }, 'recompute failed');
    await runs.fail(runId, message, latest.timings).catch(() => {});
    // The next job must not start (nor the caller close the driver) under a deletion still going.
    if (pruning) await pruning;
    throw err;
  }

  // Provisional successors: the ones this run found become ordinary migrations (its own scores list
  // them now), the ones it did not find past ACCTNET_WATCH_EXPIRE_HOURS expire. The version below is
  // built without them, and the change is made in the transaction that serves it: a version held
  // (guard, pin), superseded or failing leaves them provisional inputs of the served list.
  const expireBefore = Date.now() - config.watch.expireHours * 3_600_000;
  const settledSuccessors = await createSuccessorRepository(driver, config.neo4j)
    .reconcilePlan(runId, expireBefore)
    .catch((err: Error) => {
      log.warn(
        { runId, err: err.message },
        'reading the provisional successors to reconcile failed; they stay provisional until the next run',
      );
      return new Set<string>();
    });

  // The switch: the run's candidates go through the one publication path, which serves (or holds)
  // the version and makes this run current in one transaction, fenced by run number.
  const publishDeps: PublishDeps = { config, driver, ...deps.publish };
  const finishedAt = Date.now();
  const timings = { ...result.timings };
  const counts = { ...result.counts };
  const publish = () =>
    publishVersion(
      publishDeps,
      {
        source: 'recompute',
        threshold: result.params.threshold,
        releaseScore: result.params.releaseScore,
        candidates: result.candidates,
        settledSuccessors,
        run: {
          id: runId,
          seq,
          finish: async (tx, outcome) => {
            if (outcome.status === 'succeeded' && outcome.served && settledSuccessors.size)
              await reconcileSuccessors(deps, runId, settledSuccessors, tx);
            timings.blacklist = outcome.buildMs;
            Object.assign(counts, { blacklistEntries: outcome.entries, blacklistAdded: outcome.added, blacklistRemoved: outcome.removed });
            return runs.finish(
              {
                id: runId,
                status: outcome.status,
                finishedAt,
                timings,
                counts,
                warnings: result.warnings,
                asOf: result.asOf,
                version: outcome.version,
                model: result.model,
              },
              tx,
            );
          },
        },
      },
      deps.publishWaitMs === undefined ? {} : { waitMs: deps.publishWaitMs },
    );
  let published: Awaited<ReturnType<typeof publishVersion>> | undefined;
  for (let attempt = 1; !published; attempt++) {
    try {
      published = await publish();
    } catch (err) {
      const message = (err as Error).message;
      if (attempt < PUBLISH_ATTEMPTS && retriable(err)) {
        log.warn({ runId, attempt, err: message }, 'publication failed; trying again (the analysis is kept)');
        await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
        continue;
      }
      log.error({ runId, err: message }, 'recompute failed at publication');
      await runs.fail(runId, `publication failed: ${message}`, timings).catch(() => {});
      if (pruning) await pruning;
      throw err;
    }
  }
  if (pruning) await pruning;
  const superseded = published.publication === 'unpublished';
  const summary: RunSummary = {
    runId,
    status: superseded ? 'superseded' : 'succeeded',
    asOf: result.asOf === null ? null : new Date(result.asOf).toISOString(),
    blacklistVersion: published.version,
    publication: published.publication === 'unchanged' ? 'none' : published.publication,
    heldBecause: published.heldBecause,
    timings,
    counts,
    warnings: result.warnings,
    model: result.model,
    load: result.load,
    retention: null,
  };
  log.info({ runId, publication: summary.publication, version: published.version }, 'recompute finished');
  if (summary.status === 'succeeded') {
    await startPruning();
    summary.retention = await runRetention(deps, runId, result.asOf, summary.warnings);
    if (summary.retention && 'error' in summary.retention)
      summary.warnings = [...summary.warnings, `retention failed: ${summary.retention.error}`];
    else if (summary.retention?.warning) summary.warnings = [...summary.warnings, summary.retention.warning];
  }
  return summary;
}

/**
 * ACCTNET_RETAIN_* after a successful run. A failure does not fail the run (its results are served):
 * it is logged and recorded on the run as a warning and as retention.error; the next run tries again.
 */
async function runRetention(
  deps: RecomputeDeps,
  runId: string,
  asOf: number | null,
  warnings: readonly string[],
): Promise<RunRetention | { error: string } | null> {
  try {
    return await applyRetention(deps, { id: runId, asOf, warnings });
  } catch (err) {
    const message = (err as Error).message;
    deps.log.error({ runId, err: message }, 'retention after the run failed; the next successful run tries again');
    const error = { error: message };
    await createRunRepository(deps.driver, deps.config.neo4j)
      .setRetention(runId, error, [...warnings, `retention failed: ${message}`])
      .catch(() => {});
    return error;
  }
}

/**
 * Keeps the per-run results of `currentRunId` (running) and the newest ACCTNET_KEEP_RUNS − 1 succeeded
 * runs however many runs failed since, the served run whatever its age (a failing run must not leave
 * the API without results), and runs still running. Called while `currentRunId` runs: once it
 * succeeds, ACCTNET_KEEP_RUNS succeeded runs' results are kept.
 */
export async function pruneOldResults(deps: RecomputeDeps, currentRunId: string): Promise<void> {
  const runs = createRunRepository(deps.driver, deps.config.neo4j);
  const keep = [...new Set([currentRunId, ...(await runs.keptRuns(deps.config.analysis.keepRuns - 1))])];
  // The deletion runs beside the run's own writes (its MIGRATED_TO links lock the same accounts):
  // a deadlock Neo4j resolves by failing one side is tried again (the deletion is idempotent).
  for (let attempt = 1; ; attempt++) {
    try {
      await runs.deleteResultsExcept(keep);
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** The audit actor of what the successor watch and the runs decide without a person. */
export const WATCH_ACTOR = { keyId: 'system', name: 'successor watch', role: 'system' };

/**
 * Settles the provisional successors of the run's plan (`keys`, the set its version was built
 * without): confirms those it found and expires the others, each audited — in `tx`, the
 * transaction that serves the run's version.
 */
export async function reconcileSuccessors(
  deps: Pick<RecomputeDeps, 'config' | 'driver' | 'log'>,
  runId: string,
  keys: ReadonlySet<string>,
  tx: ManagedTransaction,
): Promise<void> {
  const { config, driver } = deps;
  const successors = createSuccessorRepository(driver, config.neo4j);
  const changed = await successors.reconcileRun(runId, keys, tx);
  for (const c of changed) {
    await appendAudit(
      tx,
      WATCH_ACTOR,
      c.outcome === 'confirmed' ? 'successor.confirmed' : 'successor.expired',
      c.key,
      { from: c.from, to: c.to, runId, wasListed: c.wasListed, expireHours: config.watch.expireHours },
      null,
    );
  }
  if (changed.length)
    deps.log.info(
      {
        runId,
        confirmed: changed.filter((c) => c.outcome === 'confirmed').length,
        expired: changed.filter((c) => c.outcome === 'expired').length,
      },
      'provisional successors reconciled',
    );
}
