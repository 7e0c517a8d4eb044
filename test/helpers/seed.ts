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

/**
 * A maker of hand-written transfers for the watch's tests: ids `<prefix><n>`, USD, at `t0` + day and
 * hour, a few seconds apart (so that equal days and hours keep their order).
 */
export function transferMaker(prefix: string, t0: number) {
  let seq = 0;
  return (from: string, to: string, day: number, hour: number, amount = 40, channel = 'p2p'): SyntheticTransfer => ({
    txId: `${prefix}${seq++}`,
    from,
    to,
    amount: amount.toFixed(2),
    currency: 'USD',
    at: t0 + day * 86_400_000 + hour * 3_600_000 + (seq % 30) * 1000,
    channel,
  });
}
