// npm run eval — the whole real pipeline on data with ground truth, measured:
//   acctnet import → acctnet labels import (30% of the fraud accounts) → acctnet recompute --wait →
//   acctnet blacklist export --format json → acctnet migrations --format json
// on a dedicated Neo4j instance ("eval", port 7690, emptied before each dataset), for seeded
// synthetic worlds (seeds never used for tuning) and for the AMLSim export in ../shared when present.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, projectRoot } from '../../src/config/index.js';
import { createDriver } from '../../src/neo4j/driver.js';
import { localPaths, startLocalNeo4j, stopLocalNeo4j } from '../../src/neo4j/local.js';
import { ensureLocalRedis } from '../../src/redis/local.js';
import { createRng } from '../synth/rng.js';
import { createPatternWorld } from '../synth/aml-patterns.js';
import { createWorld, type TruthAccount, type TruthMigration, type World } from '../synth/world.js';
import { writeTransfersCsv } from '../synth/write-csv.js';

const ROOT = projectRoot();
const OUT = path.join(ROOT, '.acctnet', 'eval');
const log = (line: string) => process.stderr.write(`[eval] ${line}\n`);

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '101,202,303' },
    // Synthetic worlds: v2 (default), v1 (frozen regression world), patterns (AMLworld-style); a comma list.
    world: { type: 'string', default: 'v2' },
    accounts: { type: 'string', default: '20000' },
    'label-share': { type: 'string', default: '0.3' },
    'skip-amlsim': { type: 'boolean', default: false },
    'keep-neo4j': { type: 'boolean', default: false },
  },
});

function evalEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NEO4J_URI;
  return {
    ...env,
    ACCTNET_NEO4J_INSTANCE: 'eval',
    ACCTNET_NEO4J_BOLT_PORT: process.env.ACCTNET_EVAL_NEO4J_PORT ?? '7690',
    ACCTNET_NEO4J_HEAP: process.env.ACCTNET_EVAL_NEO4J_HEAP ?? '2g',
    ACCTNET_NEO4J_PAGECACHE: process.env.ACCTNET_EVAL_NEO4J_PAGECACHE ?? '1g',
    NEO4J_PASSWORD: 'acctnet-eval-pw',
    ACCTNET_QUEUE_PREFIX: `eval${process.pid}`,
    LOG_LEVEL: 'warn',
  };
}

function cli(
  env: NodeJS.ProcessEnv,
  argv: string[],
  opts: { stdoutFile?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const file = opts.stdoutFile ? fs.createWriteStream(opts.stdoutFile) : undefined;
    child.stdout.on('data', (d: Buffer) => (file ? file.write(d) : (stdout += d.toString())));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const line of d.toString().split('\n'))
        if (line.trim() && !line.includes('█') && !line.includes('░')) process.stderr.write(`    ${line}\n`);
    });
    child.on('exit', (code) => {
      file?.end();
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

async function must(env: NodeJS.ProcessEnv, argv: string[], okCodes = [0], opts: { stdoutFile?: string } = {}) {
  log(`acctnet ${argv.join(' ')}`);
  const r = await cli(env, argv, opts);
  if (!okCodes.includes(r.code)) throw new Error(`acctnet ${argv[0]} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r;
}

async function freshDatabase(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const managed = loadConfig(env);
  await stopLocalNeo4j(managed, log);
  fs.rmSync(localPaths(managed.localNeo4j).dataDir, { recursive: true, force: true });
  const started = await startLocalNeo4j(managed, log);
  await ensureLocalRedis(managed.redis.url, log);
  return { ...env, NEO4J_URI: started.uri };
}

interface Truth {
  fraud: Set<string>;
  typology: Map<string, string>;
  victims: Set<string>;
  lookalikes: Set<string>;
  migrations: TruthMigration[];
  all: Set<string>;
}

interface Scores {
  score: Map<string, number>;
  clusterType: Map<string, string>;
}

interface Metrics {
  dataset: string;
  accounts: number;
  fraud: number;
  labelled: number;
  listed: number;
  precision: number;
  recall: number;
  precisionAt100: number;
  precisionAt500: number;
  prAuc: number;
  victimsListed: number;
  lookalikesListed: number;
  byTypology: Record<string, { fraud: number; found: number; recall: number }>;
  byClusterType: Record<string, { listed: number; fraud: number; precision: number }>;
  migrations: {
    planted: number;
    unobservable: number;
    found: number;
    correct: number;
    precision: number;
    recall: number;
    fraudRecall: number;
    legitRecall: number;
    legitSuccessorsListed: number;
  };
  seconds: Record<string, number>;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function prAuc(ranked: Array<{ id: string; score: number }>, positives: Set<string>): number {
  // Average precision over the ranking (ties broken by id, deterministic).
  let tp = 0;
  let sum = 0;
  ranked.forEach((r, k) => {
    if (positives.has(r.id)) {
      tp++;
      sum += tp / (k + 1);
    }
  });
  return positives.size ? sum / positives.size : 0;
}

async function readScores(env: NodeJS.ProcessEnv): Promise<Scores> {
  const config = loadConfig(env);
  const driver = createDriver(config.neo4j);
  try {
    const r = await driver.executeQuery(
      `MATCH (s:AnalysisState {id: 'current'})
       MATCH (a:AccountResult {runId: s.runId})
       OPTIONAL MATCH (c:ClusterResult {runId: s.runId, clusterId: a.clusterId})
       RETURN a.accountId AS id, a.score AS score, c.type AS type`,
    );
    const score = new Map<string, number>();
    const clusterType = new Map<string, string>();
    for (const row of r.records) {
      score.set(row.get('id'), Number(row.get('score')));
      clusterType.set(row.get('id'), row.get('type') ?? 'none');
    }
    return { score, clusterType };
  } finally {
    await driver.close();
  }
}

function measure(
  dataset: string,
  truth: Truth,
  labelled: Set<string>,
  listed: Array<{ accountId: string; score: number }>,
  migrations: Array<{ from: string; to: string }>,
  scores: Scores,
  seconds: Record<string, number>,
): Metrics {
  const evaluable = (id: string) => !labelled.has(id);
  const listedIds = new Set(listed.map((e) => e.accountId));
  const listedEval = [...listedIds].filter(evaluable);
  const tp = listedEval.filter((id) => truth.fraud.has(id)).length;
  const fraudEval = [...truth.fraud].filter(evaluable);
  const ranked = [...truth.all]
    .filter(evaluable)
    .map((id) => ({ id, score: scores.score.get(id) ?? 0 }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  const precisionAt = (k: number) => {
    const top = ranked.slice(0, k);
    return top.length ? top.filter((r) => truth.fraud.has(r.id)).length / top.length : 0;
  };
  const byTypology: Metrics['byTypology'] = {};
  for (const id of fraudEval) {
    const t = truth.typology.get(id) ?? 'unknown';
    byTypology[t] ??= { fraud: 0, found: 0, recall: 0 };
    byTypology[t].fraud++;
    if (listedIds.has(id)) byTypology[t].found++;
  }
  for (const v of Object.values(byTypology)) v.recall = round(v.found / v.fraud);
  const byClusterType: Metrics['byClusterType'] = {};
  for (const id of listedEval) {
    const t = scores.clusterType.get(id) ?? 'none';
    byClusterType[t] ??= { listed: 0, fraud: 0, precision: 0 };
    byClusterType[t].listed++;
    if (truth.fraud.has(id)) byClusterType[t].fraud++;
  }
  for (const v of Object.values(byClusterType)) v.precision = round(v.fraud / v.listed);
  // A planted migration is observable only if both accounts appear in the data (a successor that
  // never made a transfer cannot be found by anyone).
  const observable = truth.migrations.filter((m) => truth.all.has(m.from) && truth.all.has(m.to));
  const planted = new Set(observable.map((m) => `${m.from}>${m.to}`));
  const found = new Set(migrations.map((m) => `${m.from}>${m.to}`));
  const correct = [...found].filter((k) => planted.has(k)).length;
  const kindRecall = (kind: string) => {
    const ms = observable.filter((m) => m.kind === kind);
    return ms.length ? round(ms.filter((m) => found.has(`${m.from}>${m.to}`)).length / ms.length) : 1;
  };
  return {
    dataset,
    accounts: truth.all.size,
    fraud: truth.fraud.size,
    labelled: labelled.size,
    listed: listedIds.size,
    precision: round(listedEval.length ? tp / listedEval.length : 0),
    recall: round(fraudEval.length ? tp / fraudEval.length : 0),
    precisionAt100: round(precisionAt(100)),
    precisionAt500: round(precisionAt(500)),
    prAuc: round(prAuc(ranked, new Set(fraudEval))),
    victimsListed: [...truth.victims].filter((id) => listedIds.has(id)).length,
    lookalikesListed: [...truth.lookalikes].filter((id) => listedIds.has(id)).length,
    byTypology,
    byClusterType,
    migrations: {
      planted: planted.size,
      found: found.size,
      correct,
      precision: round(found.size ? correct / found.size : 1),
      recall: round(planted.size ? correct / planted.size : 1),
      fraudRecall: kindRecall('fraud'),
      legitRecall: kindRecall('legit'),
      unobservable: truth.migrations.length - observable.length,
      legitSuccessorsListed: truth.migrations.filter((m) => m.kind === 'legit' && listedIds.has(m.to)).length,
    },
    seconds,
  };
}

async function runPipeline(env: NodeJS.ProcessEnv, dir: string, importArgs: string[], labelsFile: string) {
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>) => {
    const t = Date.now();
    const r = await fn();
    seconds[name] = Math.round((Date.now() - t) / 100) / 10;
    return r;
  };
  await timed('import', () => must(env, ['import', ...importArgs, '--rejects', path.join(dir, 'rejects.csv')]));
  await timed('labels', () => must(env, ['labels', 'import', labelsFile, '--by', 'eval']));
  await timed('recompute', () => must(env, ['recompute', '--wait']));
  const blacklistFile = path.join(dir, 'blacklist.json');
  await timed('export', () => must(env, ['blacklist', 'export', '--format', 'json', '--out', blacklistFile]));
  const migrations = JSON.parse((await must(env, ['migrations', '--format', 'json'])).stdout) as Array<{ from: string; to: string }>;
  const listed = (JSON.parse(fs.readFileSync(blacklistFile, 'utf8')) as { entries: Array<{ accountId: string; score: number }> }).entries;
  return { seconds, migrations, listed };
}

function writeLabels(file: string, ids: string[]): void {
  fs.writeFileSync(file, `account_id,label,note\n${ids.map((id) => `${id},fraud,eval`).join('\n')}\n`);
}

const WORLDS = ['v1', 'v2', 'patterns'] as const;
type WorldKind = (typeof WORLDS)[number];

function makeWorld(kind: WorldKind, seed: number, accounts: number, currency: string): World {
  if (kind === 'patterns') return createPatternWorld({ seed, accounts, activity: 0.7, currency });
  return createWorld({ seed, accounts, activity: 0.7, currency, version: kind === 'v1' ? 1 : 2 });
}

async function evalWorld(
  kind: WorldKind,
  seed: number,
  accounts: number,
  labelShare: number,
  baseEnv: NodeJS.ProcessEnv,
): Promise<Metrics> {
  const dataset = `world ${kind} seed ${seed}, ${accounts} accounts`;
  log(`== ${dataset}`);
  const dir = path.join(OUT, `world-${kind}-${seed}-${accounts}`);
  fs.mkdirSync(dir, { recursive: true });
  const env = await freshDatabase(baseEnv);
  const world = makeWorld(kind, seed, accounts, loadConfig(env).analysis.baseCurrency);
  const file = path.join(dir, 'transactions.csv');
  await writeTransfersCsv(file, world.transfers());
  const seen = new Set<string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [, from, to] = line.split(',');
    if (from) seen.add(from);
    if (to) seen.add(to);
  }
  const active = (a: TruthAccount) => seen.has(a.id);
  const truth: Truth = {
    fraud: new Set(world.truth.filter((a) => a.fraud && active(a)).map((a) => a.id)),
    typology: new Map(world.truth.filter((a) => a.fraud).map((a) => [a.id, a.typology ?? 'unknown'])),
    victims: new Set(world.truth.filter((a) => a.victim && !a.fraud).map((a) => a.id)),
    lookalikes: new Set(world.truth.filter((a) => a.lookalike && !a.fraud).map((a) => a.id)),
    migrations: world.migrations,
    all: seen,
  };
  const rng = createRng(`eval-labels-${seed}`);
  const labelled = [...truth.fraud].sort().filter(() => rng() < labelShare);
  const labelsFile = path.join(dir, 'labels.csv');
  writeLabels(labelsFile, labelled);
  const r = await runPipeline(env, dir, [file], labelsFile);
  return measure(dataset, truth, new Set(labelled), r.listed, r.migrations, await readScores(env), r.seconds);
}

async function evalAmlsim(labelShare: number, baseEnv: NodeJS.ProcessEnv): Promise<Metrics | null> {
  const dir = path.resolve(ROOT, '..', 'shared', 'data', 'amlsim-exports-v2');
  if (!fs.existsSync(path.join(dir, 'transactions.csv'))) {
    log(`AMLSim export not found at ${dir}: skipped`);
    return null;
  }
  log('== AMLSim export (alert accounts as truth)');
  const out = path.join(OUT, 'amlsim');
  fs.mkdirSync(out, { recursive: true });
  const env = await freshDatabase(baseEnv);
  const alerts = fs
    .readFileSync(path.join(dir, 'alert_accounts.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const fraud = new Set(alerts.map((c) => c[2]!));
  const typology = new Map(alerts.map((c) => [c[2]!, c[1]!]));
  const all = new Set<string>();
  for (const line of fs.readFileSync(path.join(dir, 'transactions.csv'), 'utf8').trim().split('\n').slice(1)) {
    const c = line.split(',');
    all.add(c[1]!);
    all.add(c[2]!);
  }
  const rng = createRng('eval-labels-amlsim');
  const labelled = [...fraud].sort().filter(() => rng() < labelShare);
  const labelsFile = path.join(out, 'labels.csv');
  writeLabels(labelsFile, labelled);
  const map = [
    'tx_id=tran_id',
    'from_account=orig_acct',
    'to_account=bene_acct',
    'amount=base_amt',
    'timestamp=tran_timestamp',
    'channel=tx_type',
  ].flatMap((m) => ['--map', m]);
  const r = await runPipeline(env, out, [path.join(dir, 'transactions.csv'), ...map], labelsFile);
  return measure(
    'AMLSim export (100 accounts, 3 SAR fan-in alerts)',
    { fraud, typology, victims: new Set(), lookalikes: new Set(), migrations: [], all },
    new Set(labelled),
    r.listed,
    r.migrations,
    await readScores(env),
    r.seconds,
  );
}

function report(results: Metrics[]): string {
  const lines = [
    `### npm run eval — ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| dataset | accounts | fraud | labelled | listed | precision | recall | P@100 | P@500 | PR-AUC | victims listed | look-alikes listed | migration precision | migration recall (fraud / legit) | legit successors listed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const m of results) {
    lines.push(
      `| ${m.dataset} | ${m.accounts} | ${m.fraud} | ${m.labelled} | ${m.listed} | ${m.precision} | ${m.recall} | ${m.precisionAt100} | ${m.precisionAt500} | ${m.prAuc} | ${m.victimsListed} | ${m.lookalikesListed} | ${m.migrations.precision} | ${m.migrations.recall} (${m.migrations.fraudRecall} / ${m.migrations.legitRecall}) | ${m.migrations.legitSuccessorsListed} |`,
    );
  }
  lines.push('', 'Recall per planted typology (fraud accounts not given as labels):', '');
  lines.push('| dataset | typology | fraud | found | recall |', '| --- | --- | ---: | ---: | ---: |');
  for (const m of results)
    for (const [t, v] of Object.entries(m.byTypology).sort()) lines.push(`| ${m.dataset} | ${t} | ${v.fraud} | ${v.found} | ${v.recall} |`);
  lines.push('', 'Precision per detected cluster type (listed accounts not given as labels):', '');
  lines.push('| dataset | cluster type | listed | fraud | precision |', '| --- | --- | ---: | ---: | ---: |');
  for (const m of results)
    for (const [t, v] of Object.entries(m.byClusterType).sort())
      lines.push(`| ${m.dataset} | ${t} | ${v.listed} | ${v.fraud} | ${v.precision} |`);
  const worlds = results.filter((m) => m.dataset.startsWith('world'));
  if (worlds.length) {
    const min = (f: (m: Metrics) => number) => Math.min(...worlds.map(f));
    lines.push(
      '',
      `Targets on the generator (worst seed): blacklist precision ≥ 0.9 → ${min((m) => m.precision)}, recall ≥ 0.9 → ${min((m) => m.recall)}; migration precision ≥ 0.9 → ${min((m) => m.migrations.precision)}, recall ≥ 0.85 → ${min((m) => m.migrations.recall)}.`,
    );
  }
  return lines.join('\n');
}

const worlds = String(args.world).split(',') as WorldKind[];
for (const kind of worlds) if (!WORLDS.includes(kind)) throw new Error(`--world: ${kind} is not one of ${WORLDS.join(', ')}`);
const baseEnv = evalEnv();
const results: Metrics[] = [];
try {
  for (const kind of worlds) {
    for (const seed of String(args.seeds).split(',').map(Number))
      results.push(await evalWorld(kind, seed, Number(args.accounts), Number(args['label-share']), baseEnv));
  }
  if (!args['skip-amlsim']) {
    const aml = await evalAmlsim(Number(args['label-share']), baseEnv);
    if (aml) results.push(aml);
  }
} finally {
  if (!args['keep-neo4j']) await stopLocalNeo4j(loadConfig(baseEnv), log);
}
fs.mkdirSync(OUT, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
fs.writeFileSync(path.join(OUT, `results-${stamp}.json`), JSON.stringify(results, null, 2));
process.stdout.write(`${report(results)}\n`);
log(`full results: ${path.join(OUT, `results-${stamp}.json`)}`);
