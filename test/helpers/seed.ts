// Writes transfers straight through the ingest write path (no queue: ingest has its own tests).
import type { Driver } from 'neo4j-driver';
import type { Config } from '../../src/config/index.js';
import { validationRules } from '../../src/ingest/rules.js';
import { writeIngestChunk } from '../../src/ingest/write-chunk.js';
import type { IngestJobData } from '../../src/queue/ingest-queue.js';
import type { SyntheticTransfer } from '../../dev/synth/background.js';

export async function seedTransfers(
  driver: Driver,
  config: Config,
  transfers: Iterable<SyntheticTransfer>,
  batchId = 'seed',
): Promise<number> {
  let job: IngestJobData = { batchId, seq: 0, rows: [], rejected: [] };
  let n = 0;
  const flush = async () => {
    if (!job.rows.length) return;
    await writeIngestChunk(driver, config.neo4j, job, validationRules(config));
    job = { batchId, seq: job.seq + 1, rows: [], rejected: [] };
  };
  for (const t of transfers) {
    job.rows.push({
      line: n++,
      fields: {
        tx_id: t.txId,
        from_account: t.from,
        to_account: t.to,
        amount: t.amount,
        currency: t.currency,
        timestamp: t.at,
        channel: t.channel,
      },
    });
    if (job.rows.length >= 5000) await flush();
  }
  await flush();
  return n;
}
