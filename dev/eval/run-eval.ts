// npm run eval — acctnet next to a frozen baseline (dev/eval/baseline.ts) on data with ground truth,
// over several label-sampling seeds, with a paired bootstrap of the ROC-AUC difference
// (docs/evaluation.md). Per dataset: written once as CSV, imported once (CLI mode: a fresh Neo4j
// instance "eval"), then per label seed: labels replaced, recompute, list, migrations and scores
// read, baseline trained on the same labels; everything compared on the same evaluable accounts.
//
//   npm run eval -- [--datasets world-v1,amlsim20k-cycle200] [--seeds 101,202,303] [--accounts 20000]
//                   [--label-seeds 1,2,3,4,5] [--in-process] [--skip-amlsim] [--bootstrap 1000] [--keep-neo4j]
//   npm run eval -- --replay [--datasets world-v2] [--seeds 101,202,303] [--accounts 20000] [--replay-day 150]
//                   [--replay-days 30] [--replay-tail-days 0] [--replay-rate 300] [--replay-batch 100]   (the successor watch: dev/eval/replay.ts)
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, projectRoot } from '../../src/config/index.js';
import { BASELINE_VERSION, runBaseline } from './baseline.js';
import { DATASET_KINDS, isSkipped, REPORT_WORLD_VERSION, selectDatasets, type SkippedDataset } from './datasets.js';
import { loadTransfers } from './load.js';
import { drawLabels, fmt, LABEL_SHARE, measureSeed, summarise, type DatasetResult, type SeedArrays, type SeedResult } from './measure.js';
import { REPLAY_KINDS, runReplay } from './replay.js';
import { report } from './report.js';
import { cliRunner, evalEnv, inProcessRunner } from './runner.js';

const ROOT = projectRoot();
const OUT = path.join(ROOT, '.acctnet', 'eval');
const log = (line: string) => process.stderr.write(`[eval] ${line}\n`);

const OPTIONS = {
  datasets: { type: 'string', default: DATASET_KINDS.join(',') },
  seeds: { type: 'string', default: '101,202,303' },
  accounts: { type: 'string', default: '20000' },
  'label-seeds': { type: 'string', default: '1,2,3,4,5' },
  'label-share': { type: 'string', default: String(LABEL_SHARE) },
  'in-process': { type: 'boolean', default: false },
  'skip-amlsim': { type: 'boolean', default: false },
  bootstrap: { type: 'string', default: '1000' },
  'keep-neo4j': { type: 'boolean', default: false },
  replay: { type: 'boolean', default: false },
  'replay-day': { type: 'string', default: '150' },
  'replay-days': { type: 'string', default: '30' },
  'replay-tail-days': { type: 'string', default: '0' },
  'replay-rate': { type: 'string', default: '300' },
  'replay-batch': { type: 'string', default: '100' },
  'replay-nightly': { type: 'string', default: 'on' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;
const USAGE = `npm run eval -- [options]          acctnet next to the frozen baseline (docs/evaluation.md)
  --datasets LIST      comma-separated, from: ${DATASET_KINDS.join(', ')} (default: all)
  --seeds LIST         world seeds (default 101,202,303: the held-out seeds; 1-8 are for tuning)
  --accounts N         accounts per generated world (default 20000)
  --label-seeds LIST   label-sampling seeds (default 1,2,3,4,5; at least 5 for reporting)
  --label-share S      share of the fraud accounts (and of the checked legit ones) given as labels,
                       0 < S < 1 (default ${LABEL_SHARE}, the issue's; fewer labels: how a young fraud team fares)
  --in-process         run the analysis in this process instead of through the CLI and a fresh Neo4j
  --skip-amlsim        leave out the AMLSim datasets read from ../shared/data
  --bootstrap N        paired-bootstrap resamples (default 1000)
  --keep-neo4j         leave the eval Neo4j running afterwards
npm run eval -- --replay [options]  the successor watch, streamed through the real ingest path
  --replay-day D --replay-days N --replay-rate TX_PER_S --replay-batch ROWS (defaults 150, 30, 300, 100)
  --replay-tail-days T   stream T more days after the N measured ones, counting nothing new in them
                         (a successor rising late in the N days can still complete its evidence; default 0)
  --replay-nightly on|off   a run after every streamed day, as the nightly schedule (default on)
Results go to .acctnet/eval/; ACCTNET_EVAL_NEO4J_PORT picks the eval Neo4j's Bolt port (default 7690).
`;
const parsed = (() => {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(64);
  }
})();
const args = parsed.values;
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const numbers = (s: string) =>
  s
    .split(',')
    .filter(Boolean)
    .map((x) => {
      const n = Number(x);
      if (!Number.isInteger(n)) throw new Error(`not an integer: ${x}`);
      return n;
    });
if (args.replay) {
  const given = process.argv.slice(2).some((a) => a === '--datasets' || a.startsWith('--datasets='));
  const onOff = (v: string) => {
    if (v !== 'on' && v !== 'off') throw new Error(`--replay-nightly must be on or off, not ${v}`);
    return v === 'on';
  };
  const one = (name: string) => {
    const n = Number(args[name as 'replay-day']);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${String(args[name as 'replay-day'])}`);
    return n;
  };
  const wholeDays = (name: string) => {
    const n = Number(args[name as 'replay-day']);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--${name} must be a whole number of days, 0 or more, not ${String(args[name as 'replay-day'])}`);
    return n;
  };
  await runReplay(
    {
      kinds: given ? String(args.datasets).split(',').filter(Boolean) : [REPLAY_KINDS[0]!],
      seeds: numbers(String(args.seeds)),
      accounts: Number(args.accounts),
      day: one('replay-day'),
      streamDays: one('replay-days'),
      tailDays: wholeDays('replay-tail-days'),
      rate: one('replay-rate'),
      batch: one('replay-batch'),
      nightly: onOff(String(args['replay-nightly'])),
    },
    `npm run eval -- ${process.argv.slice(2).join(' ')}`,
  );
  process.exit(0);
}
const kinds = String(args.datasets).split(',').filter(Boolean);
for (const k of kinds) if (!DATASET_KINDS.includes(k)) throw new Error(`unknown dataset ${k}; known: ${DATASET_KINDS.join(', ')}`);
const labelSeeds = numbers(String(args['label-seeds']));
if (labelSeeds.length < 5) log(`warning: ${labelSeeds.length} label seeds; the issue asks for at least 5`);
const resamples = Number(args.bootstrap);
const labelShare = Number(args['label-share']);
if (!(labelShare > 0 && labelShare < 1)) {
  process.stderr.write(`--label-share must be a number between 0 and 1 (exclusive), not ${args['label-share']}\n\n${USAGE}`);
  process.exit(64);
}
if (labelShare !== LABEL_SHARE) log(`labels: ${labelShare} of the fraud accounts (the issue's figures use ${LABEL_SHARE})`);

const env = evalEnv();
const config = loadConfig(env);
const runner = args['in-process'] ? inProcessRunner(env) : cliRunner(env);
const selected = await selectDatasets({
  kinds,
  seeds: numbers(String(args.seeds)),
  accounts: Number(args.accounts),
  skipAmlsim: Boolean(args['skip-amlsim']),
});
const results: DatasetResult[] = [];
const skipped: SkippedDataset[] = [];

/**
 * Two evaluations of the same dataset at once would write and read each other's files in its
 * folder (a half-written world read as a smaller one): a dataset's folder is held by one process at
 * a time (`.lock` with its pid; a lock whose process is gone is taken over). Waits for the other.
 */
async function claimDir(dir: string): Promise<() => void> {
  const lock = path.join(dir, '.lock');
  for (let waited = 0; ; waited++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(lock, 'utf8'));
      let alive = Number.isInteger(pid) && pid > 0;
      try {
        if (alive) process.kill(pid, 0);
      } catch (e) {
        alive = (e as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (!alive) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (waited === 0) log(`   ${path.relative(ROOT, dir)} is in use by another evaluation (pid ${pid}); waiting for it`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
let releaseDir: () => void = () => {};
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const started = Date.now();
try {
  for (const dataset of selected) {
    if (isSkipped(dataset)) {
      log(`${dataset.name}: ${dataset.skipped}`);
      skipped.push(dataset);
      continue;
    }
    const t0 = performance.now();
    const secs = (t: number) => Math.round((performance.now() - t) / 100) / 10;
    log(`== ${dataset.description} [${dataset.version}] (${runner.mode})`);
    const dir = path.join(OUT, dataset.name);
    fs.mkdirSync(dir, { recursive: true });
    releaseDir();
    releaseDir = await claimDir(dir);
    log('   writing the dataset as an import CSV');
    const prepared = await dataset.prepare(dir, config.analysis.baseCurrency);
    log(
      `   reading ${path.relative(ROOT, prepared.file)} into the analysis window (baseline features${runner.mode === 'in-process' ? ' and the in-process run' : ''})`,
    );
    const tPrepare = secs(t0);
    const t1 = performance.now();
    const loaded = await loadTransfers(prepared.file, prepared.mapArgs, config, Infinity, true);
    log(
      `   ${prepared.truth.all.size} accounts, ${prepared.truth.fraud.size} fraud; ${loaded.rows} rows, ${loaded.rejected} rejected, ${loaded.duplicates} repeated tx ids; window ${new Date(loaded.windowFrom).toISOString().slice(0, 10)} … ${new Date(loaded.asOf).toISOString().slice(0, 10)}: ${loaded.flows.transfers} transfers`,
    );
    const seconds: Record<string, number> = { prepare: tPrepare, load: secs(t1), ...(await runner.setup(prepared, loaded, dir)) };
    const ids = [...prepared.truth.all].sort();
    const seeds: SeedResult[] = [];
    const arrays: SeedArrays[] = [];
    for (const labelSeed of labelSeeds) {
      const t = performance.now();
      const labels = drawLabels(dataset.name, prepared.truth, labelSeed, labelShare);
      const run = await runner.run(labels, labelSeed, dir);
      const tb = performance.now();
      const baseline = runBaseline(loaded.flows, ids, labels, `${dataset.name}-${labelSeed}`);
      run.seconds.baseline = secs(tb);
      const m = measureSeed(prepared.truth, labels, labelSeed, run, baseline, ids);
      seeds.push(m.result);
      arrays.push(m.arrays);
      const r = m.result;
      log(
        `   label seed ${labelSeed}: ${r.fraudLabels} fraud + ${r.legitLabels} legit labels; ROC-AUC acctnet ${fmt(r.acctnet.rocAuc)} baseline ${fmt(r.baseline.rocAuc)}; P@${r.evaluableFraud} ${fmt(r.acctnet.pAtK)} / ${fmt(r.baseline.pAtK)}; list ${r.list.listedUnlabelled} unlabelled, precision ${fmt(r.list.precision)} recall ${fmt(r.list.recall)} (${secs(t)} s)`,
      );
    }
    const tBoot = performance.now();
    const result = summarise(dataset, prepared.truth, runner.mode, seeds, arrays, seconds, resamples);
    seconds.bootstrap = secs(tBoot);
    seconds.total = secs(t0);
    log(
      `   ${dataset.name}: ΔAUC ${fmt(result.bootstrap.diff)} [${fmt(result.bootstrap.lo)}, ${fmt(result.bootstrap.hi)}], ${seconds.total} s`,
    );
    results.push({ ...result, windowDays: loaded.windowDays });
  }
} finally {
  releaseDir();
  if (runner.mode === 'cli' && !args['keep-neo4j']) await runner.close();
  else if (runner.mode === 'cli') log(`Neo4j instance "${env.ACCTNET_NEO4J_INSTANCE}" left running (--keep-neo4j)`);
}
const command = process.argv.length > 2 ? `npm run eval -- ${process.argv.slice(2).join(' ')}` : 'npm run eval';
const doc = {
  date: new Date().toISOString(),
  command,
  mode: runner.mode,
  labelSeeds,
  labelShare,
  bootstrapResamples: resamples,
  baselineVersion: BASELINE_VERSION,
  reportWorldVersion: REPORT_WORLD_VERSION,
  analysis: { ...config.analysis, fxRates: undefined },
  seconds: Math.round((Date.now() - started) / 100) / 10,
  results,
  skipped,
};
fs.mkdirSync(OUT, { recursive: true });
const file = path.join(OUT, `results-${stamp}.json`);
fs.writeFileSync(
  file,
  JSON.stringify(doc, (_k, v) => (typeof v === 'number' && Number.isNaN(v) ? null : v), 2),
);
process.stdout.write(
  `${report(results, skipped, { date: doc.date.slice(0, 10), mode: `${runner.mode}, ACCTNET_LEARNED=${config.analysis.learned}${labelShare !== LABEL_SHARE ? `, labels ${labelShare} of the fraud` : ''}`, command })}\n`,
);
log(`full results: ${file}`);
