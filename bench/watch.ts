// The `--modes watch` phase of bench:ingest: the successor watch's cost on ingest with a watch set
// as production has it — built from a served blacklist version over history, so that it holds the
// listed and fraud-labelled accounts AND their former counterparties — not only labels given before
// an import into an empty graph (the streaming phase's "watch on", whose set holds no counterparty).
//
// Each run, for the watch on and off alike, from an empty bench Neo4j: labels (every 1/share-th
// account fraud), the first `history` share of the file's rows imported through a worker, a full
// `acctnet recompute --wait` (its version served: the publish guard is set aside, as the evaluation
// does; the file's currency is the analysis' base currency), then — watch on only — the set built for that version (timed apart, as after a nightly
// publication); then the measured part: the rest of the file through a new worker with
// ACCTNET_WATCH on or off. The store is checked against the whole file's counts and sums afterwards.
import fs from 'node:fs';
import type { Config } from '../src/config/index.js';
import { createDriver } from '../src/neo4j/driver.js';
import { createBlacklistRepository } from '../src/neo4j/repositories/blacklist.js';
import { createRedis } from '../src/redis/connection.js';
import { buildWatchSet, type WatchSetInfo } from '../src/watch/watch-set.js';
import { exitOf, freshNeo4j, log, spawnCli } from './common.js';
import { importThroughWorker, labelShareFraud } from './stream-import.js';

export interface WatchRun {
  /** Rows of the measured part per second. */
  rate: number;
  seconds: number;
  rows: number;
  historyRows: number;
  served: number;
  set: WatchSetInfo | null;
  buildSeconds: number | null;
  successors: number;
  workerCpuUsPerRow: number;
  neo4jCpuUsPerRow: number;
}

/** The file cut in two by rows (header on both), cached beside it. */
export function splitFile(file: string, history: number): { partA: string; partB: string; rowsA: number; rowsB: number } {
  const base = file.replace(/\.csv$/, `.history${history}`);
  const partA = `${base}.a.csv`;
  const partB = `${base}.b.csv`;
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const header = lines.shift()!;
  const cut = Math.round(lines.length * history);
  if (!fs.existsSync(partA) || !fs.existsSync(partB)) {
    fs.writeFileSync(`${partA}.partial`, `${[header, ...lines.slice(0, cut)].join('\n')}\n`);
    fs.writeFileSync(`${partB}.partial`, `${[header, ...lines.slice(cut)].join('\n')}\n`);
    fs.renameSync(`${partA}.partial`, partA);
    fs.renameSync(`${partB}.partial`, partB);
  }
  return { partA, partB, rowsA: cut, rowsB: lines.length - cut };
}

export async function watchRun(
  parts: { partA: string; partB: string; rowsA: number; rowsB: number },
  env: NodeJS.ProcessEnv,
  opts: { watch: boolean; share: number; accounts: number },
  checkStore: (config: Config) => Promise<unknown>,
): Promise<WatchRun> {
  const config = await freshNeo4j(env);
  const childEnv: NodeJS.ProcessEnv = { ...env, NEO4J_URI: config.neo4j.uri, ACCTNET_GUARD_MIN_SIZE: '1000000', ACCTNET_BASE_CURRENCY: 'EUR' };
  const driver = createDriver(config.neo4j);
  const redis = createRedis(config.redis.url);
  try {
    // The Redis keys of an earlier run's watch set (same prefix, another database) go first.
    const stale = await redis.keys(`${config.queue.prefix}:watch:*`);
    if (stale.length) await redis.del(...stale);
    await labelShareFraud(config, opts.share, opts.accounts);

    log(`  history: ${parts.rowsA} rows through a worker (watch off), then recompute --wait --full`);
    await importThroughWorker(parts.partA, config, { ...childEnv, ACCTNET_WATCH: 'off' }, env, [0, 2]);
    const recompute = spawnCli(['recompute', '--wait', '--full'], childEnv);
    recompute.stdout!.resume();
    let rcErr = '';
    recompute.stderr!.on('data', (d: Buffer) => (rcErr = (rcErr + d.toString()).slice(-4000)));
    const rc = await exitOf(recompute);
    if (rc !== 0) throw new Error(`recompute exited ${rc}: ${rcErr}`);
    const served = (await createBlacklistRepository(driver, config.neo4j).state()).servedVersion;
    if (!served) throw new Error('the recompute served no version: the watch set would hold labels only');
    const entries = (await createBlacklistRepository(driver, config.neo4j).get(served))?.count ?? 0;
    if (entries === 0) throw new Error(`the recompute's served version ${served} lists no account: the watch set would hold labels only`);

    let set: WatchSetInfo | null = null;
    let buildSeconds: number | null = null;
    if (opts.watch) {
      const t = performance.now();
      set = await buildWatchSet({ config, driver, redis });
      buildSeconds = (performance.now() - t) / 1000;
      log(
        `  watch set for version ${served} (${entries} entries): ${set.predecessors} predecessors, ${set.counterparties} former counterparties, ${(set.bytes / 2 ** 20).toFixed(1)} MiB, built in ${buildSeconds.toFixed(1)} s`,
      );
    }
    log(`  measured: ${parts.rowsB} rows with ACCTNET_WATCH=${opts.watch ? 'on' : 'off'}`);
    const measured = await importThroughWorker(parts.partB, config, { ...childEnv, ACCTNET_WATCH: opts.watch ? 'on' : 'off' }, env, [0, 2]);
    await checkStore(config);
    const successors = Number((await driver.executeQuery('MATCH (s:Successor) RETURN count(s) AS n')).records[0]!.get('n'));
    return {
      rate: parts.rowsB / measured.seconds,
      seconds: measured.seconds,
      rows: parts.rowsB,
      historyRows: parts.rowsA,
      served: entries,
      set,
      buildSeconds,
      successors,
      workerCpuUsPerRow: (measured.cpuSeconds.worker / parts.rowsB) * 1e6,
      neo4jCpuUsPerRow: (measured.cpuSeconds.neo4j / parts.rowsB) * 1e6,
    };
  } finally {
    await driver.close();
    redis.disconnect();
  }
}
