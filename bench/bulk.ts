// The `import --bulk` phase of bench:ingest: the CLI end to end (conversion, stop, neo4j-admin import,
// start, schema, count check) against the bare `neo4j-admin database import full` on the very files
// the CLI produced. Both on the bench instance, each from an empty data folder.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/index.js';
import type { BulkSummary } from '../src/ingest/bulk-import.js';
import { localPaths, runAdminToolAsync, stopLocalNeo4j } from '../src/neo4j/local.js';
import { createDriver } from '../src/neo4j/driver.js';
import { BENCH_DIR, exitOf, freshNeo4j, log, neo4jPid, spawnCli, trackPeak } from './common.js';

export interface BulkRun {
  seconds: number;
  bareSeconds: number;
  written: number;
  stepsMs: BulkSummary['stepsMs'];
  downtimeMs: number;
  cliPeakMiB: number;
  inputBytes: number;
  filesBytes: number;
  storeBytes: number;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

async function countTransfers(env: NodeJS.ProcessEnv): Promise<{ transfers: number; accounts: number }> {
  const config = loadConfig(env);
  const driver = createDriver(config.neo4j);
  try {
    const r = await driver.executeQuery(
      'OPTIONAL MATCH (a:Account) WITH count(a) AS accounts OPTIONAL MATCH ()-[t:TRANSFER]->() RETURN accounts, count(t) AS transfers',
    );
    return { transfers: Number(r.records[0]!.get('transfers')), accounts: Number(r.records[0]!.get('accounts')) };
  } finally {
    await driver.close();
  }
}

export async function bulkRun(file: string, env: NodeJS.ProcessEnv): Promise<BulkRun> {
  // An empty, running bench Neo4j: what an operator has before a back-fill.
  await freshNeo4j(env);
  const filesDir = path.join(BENCH_DIR, `bulk-files-${process.pid}`);
  fs.rmSync(filesDir, { recursive: true, force: true });
  const started = performance.now();
  const cli = spawnCli(['import', file, '--bulk', '--bulk-dir', filesDir, '--json'], env);
  const peak = trackPeak(cli.pid!);
  let stdout = '';
  let stderr = '';
  cli.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  cli.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await exitOf(cli);
  const seconds = (performance.now() - started) / 1000;
  const cliPeakMiB = peak.stop();
  if (code !== 0 && code !== 2) throw new Error(`import --bulk exited ${code}: ${stderr}`);
  const summary = JSON.parse(stdout.trim().split('\n').pop()!) as BulkSummary;
  const stored = await countTransfers({ ...env, NEO4J_URI: `bolt://127.0.0.1:${loadConfig(env).localNeo4j.boltPort}` });
  if (stored.transfers !== summary.written || stored.accounts !== summary.accounts) {
    throw new Error(`bulk: the database holds ${JSON.stringify(stored)}, the import reported ${summary.written} / ${summary.accounts}`);
  }
  const managed = loadConfig(env);
  const paths = localPaths(managed.localNeo4j);
  const pid = neo4jPid(env);
  log(`  bulk: ${summary.written} transfers, pid ${pid}; steps ${JSON.stringify(summary.stepsMs)}`);

  // The bare importer on the same files, into an empty data folder (the server stopped, as it must be).
  await stopLocalNeo4j(managed, log);
  const storeBytes = dirBytes(paths.dataDir);
  fs.rmSync(paths.dataDir, { recursive: true, force: true });
  const bareStarted = performance.now();
  await runAdminToolAsync(managed, summary.adminCommand.slice(1));
  const bareSeconds = (performance.now() - bareStarted) / 1000;
  const filesBytes = dirBytes(filesDir);
  fs.rmSync(filesDir, { recursive: true, force: true });
  fs.rmSync(paths.dataDir, { recursive: true, force: true });
  return {
    seconds,
    bareSeconds,
    written: summary.written,
    stepsMs: summary.stepsMs,
    downtimeMs: summary.downtimeMs ?? 0,
    cliPeakMiB,
    inputBytes: fs.statSync(file).size,
    filesBytes,
    storeBytes,
  };
}
