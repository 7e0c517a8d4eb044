// acctnet/analysis/learn-thread: the learned step's independent parts in a second thread.
//
// By the learned step PageRank's thread has ended, and the analysis thread would use one core of
// the machine's several. Two parts of the step depend on nothing the analysis thread computes
// meanwhile: the isolation forest (on the label-free table, while the analysis thread computes the
// label features) and part of the cross-validation folds (while the analysis thread trains the
// other folds and the final model). Each is the same function on the same numbers in either thread,
// so the results are the same bit for bit (test/analysis/structure.test.ts compares both ways).
// Small windows stay inline: a thread's start costs more than it saves below MIN_THREAD_ACCOUNTS.
import { Worker } from 'node:worker_threads';
import { trainGbt, type GbtOptions } from './learn/gbt.js';
import { trainIsolationForest } from './learn/isolation-forest.js';
import { fitStandardiser, trainLogistic } from './learn/logistic.js';
import { selectRows, type Matrix } from './learn/matrix.js';

/** Accounts below which the learned step runs in the analysis thread alone. */
export const MIN_THREAD_ACCOUNTS = 20_000;

export interface AnomalyJob {
  /** The label-free feature table (its buffer is handed to the thread, not copied). */
  base: Matrix;
  trees: number;
  sampleSize: number;
  seed: string;
  /** The rows the forest is grown on, in this order (accounts by id). */
  rows: Int32Array;
}

/** Isolation-forest anomaly score of every row of the table. */
export function anomalyScores(job: AnomalyJob): Float64Array {
  const forest = trainIsolationForest(job.base, { trees: job.trees, sampleSize: job.sampleSize, seed: job.seed, rows: job.rows });
  return forest.score(job.base);
}

export interface FoldsJob {
  /** The training rows (all folds) and their labels (1 fraud, 0 not). */
  x: Matrix;
  y: Float64Array;
  /** Cross-validation fold of each training row. */
  fold: Int32Array;
  /** The folds to compute here. */
  folds: number[];
  gbt: Partial<GbtOptions> & { seed: string };
}

export interface FoldsOut {
  /** Out-of-fold raw scores of the job's folds' rows (gradient-boosted trees, logistic regression); NaN elsewhere. */
  gbt: Float64Array;
  logistic: Float64Array;
}

/** For each of the job's folds: both models trained on the other folds, scoring the fold's rows. */
export function foldPredictions(job: FoldsJob): FoldsOut {
  const n = job.x.rows;
  const gbt = new Float64Array(n).fill(Number.NaN);
  const logistic = new Float64Array(n).fill(Number.NaN);
  for (const f of job.folds) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let r = 0; r < n; r++) (job.fold[r] === f ? testIdx : trainIdx).push(r);
    if (!testIdx.length) continue;
    const xt = selectRows(job.x, trainIdx);
    const yt = Float64Array.from(trainIdx, (r) => job.y[r]!);
    const xv = selectRows(job.x, testIdx);
    const raw = trainGbt(xt, yt, job.gbt).predictRaw(xv);
    testIdx.forEach((r, k) => (gbt[r] = raw[k]!));
    const std = fitStandardiser(xt);
    const lrRaw = trainLogistic(std.apply(xt), yt, { l2: 1 }).decision(std.apply(xv));
    testIdx.forEach((r, k) => (logistic[r] = lrRaw[k]!));
  }
  return { gbt, logistic };
}

export type LearnRequest = { id: number; kind: 'anomaly'; job: AnomalyJob } | { id: number; kind: 'folds'; job: FoldsJob };
export type LearnReply = { id: number; anomaly?: Float64Array; folds?: FoldsOut };

/** The step's helper: in its own thread, or inline (then each call has finished when it returns). */
export interface LearnHelper {
  readonly threaded: boolean;
  anomaly(job: AnomalyJob): Promise<Float64Array>;
  folds(job: FoldsJob): Promise<FoldsOut>;
  /** Ends the thread (idempotent). */
  close(): void;
}

function settled<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

export function inlineLearnHelper(): LearnHelper {
  return {
    threaded: false,
    anomaly: (job) => settled(() => anomalyScores(job)),
    folds: (job) => settled(() => foldPredictions(job)),
    close: () => {},
  };
}

/** A thread for the step (heap limit `heapMb`, as the analysis thread's); requests are answered in order. */
export function startLearnHelper(opts: { heapMb?: number } = {}): LearnHelper {
  const worker = new Worker(new URL('./learn-worker.js', import.meta.url), {
    ...(opts.heapMb ? { resourceLimits: { maxOldGenerationSizeMb: opts.heapMb } } : {}),
  });
  const waiting = new Map<number, { resolve: (r: LearnReply) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  let closed = false;
  let next = 0;
  const fail = (err: Error) => {
    failure ??= err;
    for (const w of waiting.values()) w.reject(failure);
    waiting.clear();
  };
  worker.on('message', (reply: LearnReply) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    w?.resolve(reply);
  });
  worker.once('error', (err) => {
    const code = (err as NodeJS.ErrnoException).code;
    fail(
      code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new Error(
            `the learned step ran out of memory in its second thread (ACCTNET_ANALYSIS_HEAP_MB=${opts.heapMb}); raise it or shorten ACCTNET_WINDOW_DAYS`,
          )
        : err,
    );
  });
  worker.once('exit', (code) =>
    fail(new Error(closed ? 'the learned step ended' : `the learned step's second thread exited with code ${code}`)),
  );
  const ask = (req: Omit<LearnRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<LearnReply> => {
    if (failure) return Promise.reject(failure);
    const id = next++;
    const reply = new Promise<LearnReply>((resolve, reject) => waiting.set(id, { resolve, reject }));
    // Not awaited until the analysis thread has done its own part: no unhandled rejection meanwhile.
    reply.catch(() => {});
    worker.postMessage({ ...req, id }, transfer);
    return reply;
  };
  return {
    threaded: true,
    anomaly: async (job) => (await ask({ kind: 'anomaly', job }, [job.base.data.buffer as ArrayBuffer])).anomaly!,
    folds: async (job) => (await ask({ kind: 'folds', job })).folds!,
    close: () => {
      if (closed) return;
      closed = true;
      void worker.terminate();
    },
  };
}
