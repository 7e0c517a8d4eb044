// Thread entry of learn-thread.ts: answers the learned step's requests (the anomaly score, some
// cross-validation folds) in order; results are transferred back, not copied.
import { parentPort } from 'node:worker_threads';
import { anomalyScores, foldPredictions, type LearnReply, type LearnRequest } from './learn-thread.js';

parentPort!.on('message', (req: LearnRequest) => {
  if (req.kind === 'anomaly') {
    const anomaly = anomalyScores(req.job);
    parentPort!.postMessage({ id: req.id, anomaly } satisfies LearnReply, [anomaly.buffer as ArrayBuffer]);
  } else {
    const folds = foldPredictions(req.job);
    parentPort!.postMessage({ id: req.id, folds } satisfies LearnReply, [
      folds.gbt.buffer as ArrayBuffer,
      folds.logistic.buffer as ArrayBuffer,
    ]);
  }
});
