// The worker process: runs every queue's worker; SIGTERM/SIGINT close them so an in-flight job
// finishes (or, if killed, is retried elsewhere after its lock lapses — never half-written).
import type { Worker } from 'bullmq';
import type { Runtime } from '../src/runtime.js';
import { startIngestWorker } from './ingest.js';
import { startPublishWorker } from './publish.js';
import { startRecomputeWorker } from './recompute.js';
import { startWebhookWorker } from './webhooks.js';

export async function startWorkers(rt: Runtime): Promise<Worker[]> {
  const name = `acctnet-worker-${process.pid}`;
  return [
    await startIngestWorker(rt, { name }),
    await startRecomputeWorker(rt, { name }),
    await startWebhookWorker(rt, { name }),
    await startPublishWorker(rt, { name }),
  ];
}

export async function runWorkerProcess(rt: Runtime): Promise<void> {
  const workers = await startWorkers(rt);
  rt.log.info({ queues: workers.map((w) => w.name), concurrency: rt.config.ingest.workerConcurrency }, 'workers started');
  await new Promise<void>((resolve) => {
    let closing = false;
    const stop = (signal: string) => {
      if (closing) return;
      closing = true;
      rt.log.info({ signal }, 'closing workers (in-flight jobs finish first)');
      void Promise.all(workers.map((w) => w.close())).then(() => resolve());
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
