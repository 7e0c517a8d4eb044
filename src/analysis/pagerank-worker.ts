// Thread entry of pagerank-thread.ts: builds the account graph from the pairs it was given, runs
// PageRank, posts the scores back (the buffer is transferred, not copied) and ends.
import { parentPort, workerData } from 'node:worker_threads';
import { pagerankOfPairs, type PagerankJob } from './pagerank-thread.js';

const out = pagerankOfPairs(workerData as PagerankJob);
parentPort!.postMessage(out, [out.pagerank.buffer as ArrayBuffer]);
