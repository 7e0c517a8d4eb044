// Seeded benchmark worlds as Neo4j bulk-import CSVs (cached under .acctnet/bench), and loading one
// into the bench Neo4j with neo4j-admin database import: the benchmarks that need an analysed graph
// measure recompute or the API, not ingest.
import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { localPaths, runAdminTool, startLocalNeo4j, stopLocalNeo4j } from '../src/neo4j/local.js';
import { createDriver } from '../src/neo4j/driver.js';
import { applySchema } from '../src/neo4j/schema.js';
import { createRng } from '../dev/synth/rng.js';
import { createWorld } from '../dev/synth/world.js';
import { BENCH_DIR, log } from './common.js';

export const SIZES: Record<string, { transactions: number; accounts: number; heapMb: number }> = {
  '1m': { transactions: 1_000_000, accounts: 100_000, heapMb: 4096 },
  '10m': { transactions: 10_000_000, accounts: 1_000_000, heapMb: 8192 },
};
export const DAY = 86_400_000;

export interface Dataset {
  dir: string;
  from: number;
  to: number;
  accounts: number;
  transactions: number;
}

/**
 * Investigators' labels for a bench world, as `acctnet labels import` reads them: 30% of its fraud
 * accounts, seeded — what the learned model trains on in every run (written once per dataset).
 */
export function labelsFile(size: string, seed: number, dir: string): string {
  const file = path.join(dir, 'labels.csv');
  if (fs.existsSync(file)) return file;
  const world = createWorld({ seed, accounts: SIZES[size]!.accounts, activity: 0.28, currency: 'USD' });
  const rng = createRng(`bench-labels-${seed}`);
  const fraud = world.truth
    .filter((a) => a.fraud)
    .map((a) => a.id)
    .sort()
    .filter(() => rng() < 0.3);
  fs.writeFileSync(file, `account_id,label,note\n${fraud.map((id) => `${id},fraud,bench`).join('\n')}\n`);
  return file;
}

/** Neo4j bulk-import CSVs of a seeded world, cut at exactly `transactions` transfers (time order). */
export async function dataset(size: string, seed: number): Promise<Dataset> {
  const { transactions, accounts } = SIZES[size]!;
  const dir = path.join(BENCH_DIR, `recompute-${size}-s${seed}`);
  const done = path.join(dir, 'complete.json');
  if (fs.existsSync(done)) return JSON.parse(fs.readFileSync(done, 'utf8'));
  fs.mkdirSync(dir, { recursive: true });
  log(`generating ${size}: ${transactions} transfers over ~${accounts} accounts (seed ${seed})`);
  // About 10 transfers per account over 180 days.
  const world = createWorld({ seed, accounts, activity: 0.28, currency: 'USD' });
  const rels = fs.createWriteStream(path.join(dir, 'transfers.csv'));
  rels.write('txId,:START_ID(Account),:END_ID(Account),amount:long,currency,at:long,channel,batchId\n');
  const firstSeen = new Map<string, number>();
  let n = 0;
  let from = Infinity;
  let to = -Infinity;
  let buffer = '';
  for (const t of world.transfers()) {
    if (n >= transactions) break;
    const minor = Math.round(Number(t.amount) * 100);
    buffer += `${t.txId},${t.from},${t.to},${minor},${t.currency},${t.at},${t.channel},bench\n`;
    for (const id of [t.from, t.to]) if (!(firstSeen.get(id)! <= t.at)) firstSeen.set(id, t.at);
    from = Math.min(from, t.at);
    to = Math.max(to, t.at);
    if (++n % 10_000 === 0) {
      if (!rels.write(buffer)) await once(rels, 'drain');
      buffer = '';
    }
  }
  rels.end(buffer);
  await once(rels, 'finish');
  if (n < transactions) throw new Error(`the world produced only ${n} transfers; raise activity`);
  const nodes = fs.createWriteStream(path.join(dir, 'accounts.csv'));
  nodes.write('id:ID(Account),firstSeenAt:long\n');
  buffer = '';
  for (const [id, at] of firstSeen) {
    buffer += `${id},${at}\n`;
    if (buffer.length > 1 << 16) {
      if (!nodes.write(buffer)) await once(nodes, 'drain');
      buffer = '';
    }
  }
  nodes.end(buffer);
  await once(nodes, 'finish');
  const meta = { dir, from, to, accounts: firstSeen.size, transactions: n };
  fs.writeFileSync(done, JSON.stringify(meta));
  log(`  ${n} transfers, ${firstSeen.size} accounts`);
  return meta;
}

/** Replaces the bench database with the dataset (neo4j-admin import), starts Neo4j, applies the schema. */
export async function loadDatabase(env: NodeJS.ProcessEnv, dir: string): Promise<NodeJS.ProcessEnv> {
  const managed = loadConfig(env);
  await stopLocalNeo4j(managed, log);
  fs.rmSync(localPaths(managed.localNeo4j).dataDir, { recursive: true, force: true });
  runAdminTool(managed, ['dbms', 'set-initial-password', managed.neo4j.password]);
  const started = Date.now();
  runAdminTool(managed, [
    'database',
    'import',
    'full',
    `--nodes=Account=${path.join(dir, 'accounts.csv')}`,
    `--relationships=TRANSFER=${path.join(dir, 'transfers.csv')}`,
    '--overwrite-destination=true',
    'neo4j',
  ]);
  log(`  neo4j-admin import: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const s = await startLocalNeo4j(managed, log);
  const config = loadConfig({ ...env, NEO4J_URI: s.uri });
  const driver = createDriver(config.neo4j);
  const t = Date.now();
  await applySchema(driver, config.neo4j);
  log(`  constraints and indexes online: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await driver.close();
  return { ...env, NEO4J_URI: s.uri };
}
