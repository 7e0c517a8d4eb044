// One recompute run from the worker's side: record it, run the analysis in a worker thread with
// the configured heap, then switch atomically (fenced by run number) to its results and blacklist.
import { Worker } from 'node:worker_threads';
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { int, toNumber } from '../neo4j/convert.js';
import { cypher } from '../neo4j/cypher.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';
import { txRunner } from '../neo4j/session.js';
import { prune } from '../ops/prune.js';
import { notifyServed, overridesCounter, publishLock, publishOverrides, type PublishDeps } from '../blacklist/publish.js';
import type { RecomputeJobData } from '../queue/recompute-queue.js';
import { analysisParams, type AnalysisJobInput, type AnalysisJobResult } from './analysis-job.js';

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
}

export interface RecomputeDeps {
  config: Config;
  driver: Driver;
  log: Logger;
  /** Redis and the webhook queue: serialised publication and signed pushes. */
  publish: Omit<PublishDeps, 'config' | 'driver'>;
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
  const blacklist = createBlacklistRepository(driver, config.neo4j);
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
  const progress = (step: string, timings: Record<string, number>, counts: Record<string, number>) => {
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
    result = await runThread(config, { config, runId, runSeq: seq, asOf: request.asOf }, progress);
  } catch (err) {
    const message = (err as Error).message;
    log.error({ runId, err: message }, 'recompute failed');
    await runs.fail(runId, message, latest.timings).catch(() => {});
    throw err;
  }

  const publishDeps: PublishDeps = { config, driver, ...deps.publish };
  const { summary, served } = await publishLock(publishDeps, () => switchToRun(deps, runId, seq, result));
  log.info({ runId, publication: summary.publication, version: result.version }, 'recompute finished');
  if (served) await notifyServed(publishDeps, served.previous, served.version);
  // An override set while the run computed its list is in the served version only after this.
  if (summary.publication === 'served' && (await overridesCounter(publishDeps)) !== result.overridesCounter) {
    const republished = await publishOverrides(publishDeps);
    summary.blacklistVersion = republished.version;
    log.info({ runId, version: republished.version }, 'republished with overrides set during the run');
  }
  if (summary.status === 'succeeded')
    await pruneOldResults(deps, runId).catch((err: Error) => log.warn({ err: err.message }, 'pruning old run results failed'));
  return summary;
}

/** The switch: one transaction, fenced by run number. */
async function switchToRun(
  deps: RecomputeDeps,
  runId: string,
  seq: number,
  result: AnalysisJobResult,
): Promise<{ summary: RunSummary; served: { previous: number | null; version: number } | null }> {
  const { config, driver } = deps;
  const blacklist = createBlacklistRepository(driver, config.neo4j);
  const finishedAt = Date.now();
  const state = await blacklist.state();
  const pinned = state.pinnedVersion !== null;
  const guard = result.guard;
  const serve = result.version !== null && !pinned && !(guard?.hold ?? false);
  const heldBecause =
    result.version === null ? null : pinned ? `version ${state.pinnedVersion} is pinned` : guard?.hold ? guard.reason : null;
  const { write } = txRunner(driver, config.neo4j);
  const published = await write(async (tx) => {
    const later = toNumber((await tx.run(cypher('runs/later-runs'), { seq: int(seq) })).records[0]!.get('later'));
    const status = later === 0 ? 'succeeded' : 'superseded';
    if (later === 0) {
      await tx.run(cypher('runs/set-current'), { runId, at: int(finishedAt) });
      if (result.version !== null) {
        if (serve) await tx.run(cypher('blacklist/serve-version'), { version: int(result.version), at: int(finishedAt), pin: false });
        else
          await tx.run(cypher('blacklist/hold-version'), {
            version: int(result.version),
            guard: JSON.stringify({ ...guard, reason: heldBecause }),
          });
      }
    } else if (result.version !== null) {
      await tx.run(cypher('blacklist/set-version-status'), { version: int(result.version), status: 'unpublished' });
    }
    await tx.run(cypher('runs/finish-run'), {
      id: runId,
      status,
      finishedAt: int(finishedAt),
      timings: JSON.stringify(result.timings),
      counts: JSON.stringify(result.counts),
      warnings: JSON.stringify(result.warnings),
      asOf: result.asOf === null ? null : int(result.asOf),
      version: result.version === null ? null : int(result.version),
      model: result.model === null ? null : JSON.stringify(result.model),
    });
    return later === 0;
  });
  const summary: RunSummary = {
    runId,
    status: published ? 'succeeded' : 'superseded',
    asOf: result.asOf === null ? null : new Date(result.asOf).toISOString(),
    blacklistVersion: result.version,
    publication: result.version === null ? 'none' : !published ? 'unpublished' : serve ? 'served' : 'held',
    heldBecause: published ? heldBecause : null,
    timings: result.timings,
    counts: result.counts,
    warnings: result.warnings,
    model: result.model,
  };
  return {
    summary,
    served: published && serve && result.version !== null ? { previous: state.servedVersion, version: result.version } : null,
  };
}

/** Keeps the per-run results of the newest ACCTNET_KEEP_RUNS succeeded runs (the current one always). */
export async function pruneOldResults(deps: RecomputeDeps, currentRunId: string): Promise<void> {
  const runs = createRunRepository(deps.driver, deps.config.neo4j);
  const recent = await runs.list(Number.MAX_SAFE_INTEGER, 200);
  const keep = [currentRunId, ...recent.filter((r) => r.status === 'succeeded').map((r) => r.id)].slice(0, deps.config.analysis.keepRuns);
  // A run that is still writing (a stalled duplicate) keeps its results until it ends.
  keep.push(...recent.filter((r) => r.status === 'running').map((r) => r.id));
  const session = deps.driver.session(deps.config.neo4j.database ? { database: deps.config.neo4j.database } : {});
  try {
    await session.run(cypher('analysis/delete-run-results'), { keep: [...new Set(keep)] });
    await session.run(cypher('analysis/delete-run-migrations'), { keep: [...new Set(keep)] });
  } finally {
    await session.close();
  }
}
