// acctnet/analysis/pagerank-thread: the account graph and its PageRank in a thread of their own.
//
// Building the graphology graph (one addDirectedEdge per relation) and running PageRank on it are the
// largest single part of the analysis, and nothing but the learned step's feature table (and the
// written metrics) reads PageRank: every other step reads the pair arrays. So the run hands the pairs
// to a second thread, which builds the same graph (buildAccountGraph, rank keys, the same insertion
// order) and runs the same graphology-metrics PageRank on it — the same arithmetic in the same order,
// so the same numbers — while the analysis thread goes on with hubs, communities, shapes, migration
// and the rules; the learned step waits for it. The graph never enters the analysis thread's heap.
// Small graphs are done inline: a thread costs more than it saves below MIN_THREAD_PAIRS relations.
import { Worker } from 'node:worker_threads';
import { CENTRALITY_DEFAULTS, graphPagerank, type CentralityOptions } from './centrality.js';
import type { Flows } from './flows.js';
import { buildAccountGraph, type PairOrder } from './graph.js';

/** Relations below which PageRank runs inline (no thread): a thread's start costs ~0.1–0.2 s. */
export const MIN_THREAD_PAIRS = 50_000;

/** Everything the thread needs, as typed arrays (copied to it, not shared). */
export interface PagerankJob {
  n: number;
  order: Uint32Array;
  rank: Uint32Array;
  pairs: Uint32Array;
  pairFrom: Uint32Array;
  pairTo: Uint32Array;
  pairAmount: Float64Array;
  pairTransfers: Uint32Array;
  options: CentralityOptions;
}

export interface PagerankOutput {
  /** Per account index. */
  pagerank: Float64Array;
  /** Milliseconds: building the graph, PageRank; `thread` is 1 when it ran in its own thread. */
  timings: { graph: number; run: number; thread: number };
}

export function pagerankJob(
  flows: Pick<Flows, 'ids' | 'pairFrom' | 'pairTo' | 'pairAmount' | 'pairTransfers' | 'pairCount'>,
  po: PairOrder,
  options: Partial<CentralityOptions> = {},
): PagerankJob {
  const m = flows.pairCount;
  return {
    n: flows.ids.length,
    order: Uint32Array.from(po.order),
    rank: po.rank,
    pairs: po.pairs,
    // Copies of the used part: a view would take its whole (doubling-grown) buffer to the thread.
    pairFrom: flows.pairFrom.slice(0, m),
    pairTo: flows.pairTo.slice(0, m),
    pairAmount: flows.pairAmount.slice(0, m),
    pairTransfers: flows.pairTransfers.slice(0, m),
    options: { ...CENTRALITY_DEFAULTS, ...options },
  };
}

/** The graph (rank keys, as a run builds it) and its PageRank, in this thread. */
export function pagerankOfPairs(job: PagerankJob): PagerankOutput {
  let started = performance.now();
  const ids = { length: job.n } as ArrayLike<string>;
  const graph = buildAccountGraph({ ...job, ids }, job, 'rank');
  const graphMs = performance.now() - started;
  started = performance.now();
  const pagerank = graphPagerank(graph, job.n, job.options);
  return { pagerank, timings: { graph: Math.round(graphMs), run: Math.round(performance.now() - started), thread: 0 } };
}

export interface PagerankTask {
  /** Settles once; rejects with the thread's error (out of memory: says which setting to raise). */
  result: Promise<PagerankOutput>;
  /** The thread's error once it has failed (the analysis stops at its next step), else null. */
  failed(): Error | null;
  /** Stops the thread if it still runs (the analysis ended without its result). */
  cancel(): void;
}

/**
 * Starts PageRank on the run's graph: in its own thread for graphs of at least `minPairs` relations
 * (heap limit `heapMb`, as the analysis thread's), inline otherwise (then `result` is already settled).
 */
export function startPagerank(job: PagerankJob, opts: { minPairs?: number; heapMb?: number } = {}): PagerankTask {
  if (job.pairs.length < (opts.minPairs ?? MIN_THREAD_PAIRS)) {
    let out: PagerankOutput;
    try {
      out = pagerankOfPairs(job);
    } catch (err) {
      const failed = Promise.reject(err as Error);
      failed.catch(() => {});
      return { result: failed, failed: () => err as Error, cancel: () => {} };
    }
    return { result: Promise.resolve(out), failed: () => null, cancel: () => {} };
  }
  // Copies, not the run's own arrays: a transfer would detach them from the analysis thread.
  const worker = new Worker(new URL('./pagerank-worker.js', import.meta.url), {
    workerData: job,
    ...(opts.heapMb ? { resourceLimits: { maxOldGenerationSizeMb: opts.heapMb } } : {}),
  });
  let failure: Error | null = null;
  const result = new Promise<PagerankOutput>((resolve, reject) => {
    let settled = false;
    worker.once('message', (msg: PagerankOutput) => {
      settled = true;
      resolve({ ...msg, timings: { ...msg.timings, thread: 1 } });
      void worker.terminate();
    });
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      const code = (err as NodeJS.ErrnoException).code;
      failure =
        code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new Error(
              `PageRank's graph ran out of memory in its thread (ACCTNET_ANALYSIS_HEAP_MB=${opts.heapMb}); raise it or shorten ACCTNET_WINDOW_DAYS`,
            )
          : err;
      reject(failure);
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      failure = new Error(`the PageRank thread exited with code ${code}`);
      reject(failure);
    });
  });
  // The caller may fail before it awaits the result: no unhandled rejection then.
  result.catch(() => {});
  return { result, failed: () => failure, cancel: () => void worker.terminate() };
}
