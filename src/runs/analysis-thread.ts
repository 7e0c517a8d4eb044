// Worker-thread entry of a recompute: the CPU-bound analysis runs here, so the worker process's
// event loop keeps renewing the BullMQ lock (a blocked loop lets the lock lapse, the job is declared
// stalled and rerun elsewhere, and two runs overlap).
import { parentPort, workerData } from 'node:worker_threads';
import { runAnalysisJob, type AnalysisJobInput } from './analysis-job.js';

const input = workerData as AnalysisJobInput;
runAnalysisJob(input, (step, timings, counts) => parentPort!.postMessage({ type: 'progress', step, timings, counts })).then(
  (result) => parentPort!.postMessage({ type: 'done', result }),
  (err: Error) => parentPort!.postMessage({ type: 'error', message: err.message, stack: err.stack }),
);
