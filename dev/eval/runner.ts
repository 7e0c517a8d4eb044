// How acctnet is run on a dataset, once per label seed:
// - CLI (default, the honest end-to-end measurement): a fresh Neo4j instance, `acctnet import` once,
//   then per label seed: retract the previous seed's labels, `acctnet labels import`,
//   `acctnet recompute --wait`, `acctnet blacklist export --format json`, `acctnet migrations
//   --format json`, and the served run's AccountResult scores read from Neo4j;
// - in-process (--in-process, for tuning speed): the same CSV through the importer's rules into the
//   FlowAggregator over the job's window (dev/eval/load.ts) and runAnalysis with the job's parameters;
//   the list is the run's candidates (there are no overrides in an evaluation).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runAnalysis } from '../../src/analysis/pipeline.js';
import { loadConfig, projectRoot } from '../../src/config/index.js';
import { createDriver } from '../../src/neo4j/driver.js';
import { instanceName, localPaths, startLocalNeo4j, stopLocalNeo4j } from '../../src/neo4j/local.js';
import { retractLabel } from '../../src/neo4j/repositories/labels.js';
import { txRunner } from '../../src/neo4j/session.js';
import { ensureLocalRedis } from '../../src/redis/local.js';
import { analysisParams } from '../../src/runs/analysis-job.js';
import type { PreparedDataset } from './datasets.js';
import type { LoadedTransfers } from './load.js';

export type LabelMap = Map<string, 'fraud' | 'legit'>;

export interface SeedRun {
  /** acctnet's served account score (accounts without a result: absent → 0). */
  score: Map<string, number>;
  /** The list (blacklist) as served / the run's candidates. */
  listed: Set<string>;
  /** Score and evidence where the runner has them (the CLI runner: `acctnet migrations --format json`). */
  migrations: Array<{ from: string; to: string; score?: number; evidence?: Record<string, unknown> }>;
  seconds: Record<string, number>;
}

export interface Runner {
  readonly mode: 'cli' | 'in-process';
  /**
   * Loads the dataset once; returns seconds per step. `loaded`: the file as the analysis window holds
   * it (the in-process mode runs on it; the CLI mode takes its window) — null from the replay, whose
   * CLI runs stream the data and keep the configured window.
   */
  setup(prepared: PreparedDataset, loaded: LoadedTransfers | null, dir: string): Promise<Record<string, number>>;
  run(labels: LabelMap, labelSeed: number, dir: string): Promise<SeedRun>;
  /**
   * One more run on what is stored now, with the labels in force (CLI mode: the replay's nightly runs):
   * its publication and, when served, the served list.
   */
  recompute?(dir: string): Promise<{ publication: string; listed: Set<string>; seconds: number }>;
  close(): Promise<void>;
}

const log = (line: string) => process.stderr.write(`[eval] ${line}\n`);

const elapsed = (t: number) => Math.round((performance.now() - t) / 100) / 10;

const EVAL_NEO4J_PORT = '7690';

/**
 * The environment of the eval's own instance. The publish guard is switched off for the eval
 * (ACCTNET_GUARD_MIN_SIZE at its maximum, so it never applies): a new label seed changes the list a
 * lot, and a held version would leave the previous seed's list served.
 */
export function evalEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NEO4J_URI;
  const port = process.env.ACCTNET_EVAL_NEO4J_PORT ?? EVAL_NEO4J_PORT;
  return {
    ...env,
    ACCTNET_NEO4J_INSTANCE: instanceName('eval', port, EVAL_NEO4J_PORT),
    ACCTNET_NEO4J_BOLT_PORT: port,
    ACCTNET_NEO4J_HEAP: process.env.ACCTNET_EVAL_NEO4J_HEAP ?? '2g',
    ACCTNET_NEO4J_PAGECACHE: process.env.ACCTNET_EVAL_NEO4J_PAGECACHE ?? '1g',
    NEO4J_PASSWORD: 'acctnet-eval-pw',
    ACCTNET_QUEUE_PREFIX: process.env.ACCTNET_QUEUE_PREFIX ?? `eval${process.pid}`,
    ACCTNET_GUARD_MIN_SIZE: '1000000',
    LOG_LEVEL: 'warn',
  };
}

export function inProcessRunner(env: NodeJS.ProcessEnv): Runner {
  const params = analysisParams(loadConfig(env));
  let loaded: LoadedTransfers | undefined;
  return {
    mode: 'in-process',
    async setup(_prepared, l) {
      if (!l) throw new Error('the in-process mode needs the loaded transfers');
      loaded = l;
      return {};
    },
    async run(labels) {
      const t = performance.now();
      const out = await runAnalysis({
        flows: loaded!.flows,
        firstSeen: loaded!.firstSeen,
        labels,
        previousClusters: new Map(),
        nextClusterSeq: 1,
        params,
      });
      const score = new Map<string, number>();
      // out.score is aligned with flows.ids (= the graph's node attribute i).
      loaded!.flows.ids.forEach((id, i) => score.set(id, out.score[i]!));
      return {
        score,
        listed: new Set(out.candidates.map((c) => c.accountId)),
        migrations: out.migrations.map((m) => ({ from: m.from, to: m.to })),
        seconds: { analysis: elapsed(t) },
      };
    },
    async close() {},
  };
}

/** A progress bar's line (cli-progress's glyphs), as the CLI writes it every few seconds off a terminal. */
const isProgressLine = (line: string) => line.includes('█') || line.includes('░');

/**
 * Splits a command's stderr into lines and hands them on: progress-bar lines at most once per
 * `everyMs` (the last one held back is shown when the command ends, so its final state shows), every
 * other line at once.
 */
export function stderrRelay(write: (line: string) => void, everyMs = 10_000, now: () => number = Date.now) {
  let partial = '';
  let barShownAt = -Infinity;
  let heldBar: string | null = null;
  const line = (text: string) => {
    const l = text.replace(/\r$/, '');
    if (!l.trim()) return;
    if (!isProgressLine(l)) return write(l);
    const t = now();
    if (t - barShownAt >= everyMs) {
      barShownAt = t;
      heldBar = null;
      write(l);
    } else heldBar = l;
  };
  return {
    push(chunk: string) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const l of lines) line(l);
    },
    end() {
      if (partial) line(partial);
      partial = '';
      if (heldBar !== null) write(heldBar);
      heldBar = null;
    },
  };
}

/**
 * Runs `node <args>` and relays its stderr as it comes (indented under the eval's own lines; the
 * import's progress at most once per 10 s). Resolves with the exit code and the whole output.
 */
export function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  write: (line: string) => void = (line) => process.stderr.write(`    ${line}\n`),
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Decoded as a stream: a glyph split between two chunks stays whole.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    let stdout = '';
    let stderr = '';
    const relay = stderrRelay(write);
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.on('data', (d: string) => {
      stderr += d;
      relay.push(d);
    });
    child.on('close', (code) => {
      relay.end();
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

const cli = (env: NodeJS.ProcessEnv, argv: string[]) => runNode([path.join(projectRoot(), 'bin', 'acctnet.js'), ...argv], env);

async function must(env: NodeJS.ProcessEnv, argv: string[], okCodes = [0]) {
  log(`acctnet ${argv.join(' ')}`);
  const r = await cli(env, argv);
  if (!okCodes.includes(r.code)) throw new Error(`acctnet ${argv[0]} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r;
}

/** The account ids of a list written by `acctnet blacklist export --format json`. */
function readExportedList(file: string): Set<string> {
  return new Set((JSON.parse(fs.readFileSync(file, 'utf8')) as { entries: Array<{ accountId: string }> }).entries.map((e) => e.accountId));
}

export function cliRunner(baseEnv: NodeJS.ProcessEnv): Runner {
  let env = baseEnv;
  return {
    mode: 'cli',
    async setup(prepared, loaded, dir) {
      const t = performance.now();
      const managed = loadConfig(baseEnv);
      await stopLocalNeo4j(managed, log);
      fs.rmSync(localPaths(managed.localNeo4j).dataDir, { recursive: true, force: true });
      const started = await startLocalNeo4j(managed, log);
      await ensureLocalRedis(managed.redis.url, log);
      // The dataset's window (run-eval stretches it over the file's whole span, as loadTransfers did
      // for the baseline); the replay's runs keep the configured one.
      env = { ...baseEnv, NEO4J_URI: started.uri, ...(loaded ? { ACCTNET_WINDOW_DAYS: String(loaded.windowDays) } : {}) };
      const neo4j = elapsed(t);
      const t2 = performance.now();
      // Exit 2: some rows rejected (e.g. AMLSim's self-transfers), listed in rejects.csv.
      await must(env, ['import', prepared.file, ...prepared.mapArgs, '--rejects', path.join(dir, 'rejects.csv')], [0, 2]);
      return { neo4j, import: elapsed(t2) };
    },
    async run(labels, labelSeed, dir) {
      const seconds: Record<string, number> = {};
      const timed = async <T>(name: string, fn: () => Promise<T>) => {
        const t = performance.now();
        const r = await fn();
        seconds[name] = elapsed(t);
        return r;
      };
      const config = loadConfig(env);
      await timed('retract', async () => {
        // No CLI retracts labels: the API's DELETE /v1/labels/:id does it with the product's own
        // retractLabel; the eval calls that function directly for every label in force.
        const driver = createDriver(config.neo4j);
        try {
          const { read, write } = txRunner(driver, config.neo4j);
          const ids = (await read((tx) => tx.run('MATCH (l:Label) WHERE l.retractedAt IS NULL RETURN l.id AS id'))).records.map(
            (r) => r.get('id') as string,
          );
          if (ids.length)
            await write(async (tx) => {
              for (const id of ids) await retractLabel(tx, id, 'eval', `next label seed (${labelSeed})`);
            });
        } finally {
          await driver.close();
        }
      });
      const labelsFile = path.join(dir, `labels-${labelSeed}.csv`);
      fs.writeFileSync(labelsFile, `account_id,label,note\n${[...labels].map(([id, l]) => `${id},${l},eval`).join('\n')}\n`);
      await timed('labels', () => must(env, ['labels', 'import', labelsFile, '--by', 'eval']));
      // Each label seed is measured as a first run: the list's hysteresis (ACCTNET_LIST_RELEASE_MARGIN)
      // would keep the previous seed's listed accounts (its labelled fraud among them) on this one's list.
      // The variable reaches the run because no worker is connected to the eval's queues: `recompute
      // --wait` runs the worker in this CLI process (a separate `acctnet worker` would not see it).
      const run = await timed('recompute', () => must({ ...env, ACCTNET_LIST_RELEASE_MARGIN: 'off' }, ['recompute', '--wait', '--json']));
      const summary = JSON.parse(run.stdout) as { publication: string; heldBecause: string | null };
      if (summary.publication !== 'served')
        throw new Error(`the run's list was not served (${summary.publication}: ${summary.heldBecause})`);
      const blacklistFile = path.join(dir, `blacklist-${labelSeed}.json`);
      await timed('export', () => must(env, ['blacklist', 'export', '--format', 'json', '--out', blacklistFile]));
      const migrations = JSON.parse((await timed('migrations', () => must(env, ['migrations', '--format', 'json']))).stdout) as Array<{
        from: string;
        to: string;
        score: number;
        evidence: Record<string, unknown>;
      }>;
      const listed = readExportedList(blacklistFile);
      const score = await timed('scores', () => readScores(config));
      return { score, listed, migrations, seconds };
    },
    async recompute(dir) {
      const t = performance.now();
      const run = await must(env, ['recompute', '--wait', '--json']);
      const summary = JSON.parse(run.stdout) as { publication: string };
      let listed = new Set<string>();
      if (summary.publication === 'served') {
        const file = path.join(dir, 'blacklist-nightly.json');
        await must(env, ['blacklist', 'export', '--format', 'json', '--out', file]);
        listed = readExportedList(file);
      }
      return { publication: summary.publication, listed, seconds: elapsed(t) };
    },
    async close() {
      await stopLocalNeo4j(loadConfig(baseEnv), log);
    },
  };
}

/** The served run's account scores (AnalysisState current → AccountResult). */
async function readScores(config: ReturnType<typeof loadConfig>): Promise<Map<string, number>> {
  const driver = createDriver(config.neo4j);
  try {
    const r = await driver.executeQuery(
      `MATCH (s:AnalysisState {id: 'current'})
       MATCH (a:AccountResult {runId: s.runId})
       RETURN a.accountId AS id, a.score AS score`,
    );
    return new Map(r.records.map((row) => [row.get('id') as string, Number(row.get('score'))]));
  } finally {
    await driver.close();
  }
}
