// One (dataset, label seed) measured: the labels drawn, acctnet's run and the baseline compared on
// the same evaluable accounts; then the per-dataset summary over label seeds with the bootstrap and
// the target checks.
import { createRng } from '../synth/rng.js';
import type { BaselineResult } from './baseline.js';
import { pairedBootstrapAuc, type BootstrapInterval } from './bootstrap.js';
import type { EvalDataset, EvalTruth } from './datasets.js';
import {
  averagePrecision,
  listMetrics,
  mean,
  migrationMetrics,
  precisionAtK,
  rocAuc,
  sd,
  typologyRecall,
  type ListMetrics,
  type MigrationMetrics,
} from './metrics.js';
import type { LabelMap, SeedRun } from './runner.js';

export const LABEL_SHARE = 0.3;

/** 30% of the fraud accounts and, where the dataset has legit truth, 30% of those; seeded by dataset and label seed. */
export function drawLabels(datasetName: string, truth: EvalTruth, labelSeed: number, share = LABEL_SHARE): LabelMap {
  const labels: LabelMap = new Map();
  // A disguised copy labels the accounts its original labels in the same seed (compared label for label).
  const origin = truth.origin;
  const rng = createRng(`eval-labels-${origin?.dataset ?? datasetName}-${labelSeed}`);
  const inOriginalOrder = (ids: Set<string>) =>
    origin
      ? [...ids]
          .map((id) => [origin.idOf.get(id) ?? id, id] as const)
          .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .map((x) => x[1])
      : [...ids].sort();
  for (const id of inOriginalOrder(truth.fraud)) if (rng() < share) labels.set(id, 'fraud');
  if (truth.legit) for (const id of inOriginalOrder(truth.legit)) if (!truth.fraud.has(id) && rng() < share) labels.set(id, 'legit');
  return labels;
}

/**
 * The accounts both scores are judged on: the unlabelled accounts; on a dataset with legit truth,
 * the held-out labelled accounts (fraud or checked legit, not given as labels), as on a real network.
 */
export function evaluableAccounts(truth: EvalTruth, labels: LabelMap): string[] {
  const pool = truth.legit ? [...truth.fraud, ...truth.legit] : [...truth.all];
  return [...new Set(pool)].filter((id) => !labels.has(id)).sort();
}

export interface SeedResult {
  labelSeed: number;
  fraudLabels: number;
  legitLabels: number;
  evaluable: number;
  evaluableFraud: number;
  acctnet: { rocAuc: number; prAuc: number; pAtK: number };
  baseline: { rocAuc: number; prAuc: number; pAtK: number; sampledNegatives: number; legitNegatives: number; weights: number[] };
  list: ListMetrics & { listed: number };
  byTypology: Record<string, { fraud: number; found: number; recall: number }>;
  victimsListed: number;
  lookalikesListed: number;
  migrations: MigrationMetrics | null;
  seconds: Record<string, number>;
}

export interface SeedArrays {
  y: Uint8Array;
  a: Float64Array;
  b: Float64Array;
}

export function measureSeed(
  truth: EvalTruth,
  labels: LabelMap,
  labelSeed: number,
  run: SeedRun,
  baseline: BaselineResult,
  baselineIds: readonly string[],
): { result: SeedResult; arrays: SeedArrays } {
  const evaluable = evaluableAccounts(truth, labels);
  const row = new Map(baselineIds.map((id, r) => [id, r]));
  const y = Uint8Array.from(evaluable, (id) => (truth.fraud.has(id) ? 1 : 0));
  const a = Float64Array.from(evaluable, (id) => run.score.get(id) ?? 0);
  const b = Float64Array.from(evaluable, (id) => {
    const r = row.get(id);
    return r === undefined ? 0 : baseline.score[r]!;
  });
  const k = y.reduce((s, v) => s + v, 0);
  const labelled = new Set(labels.keys());
  let fraudLabels = 0;
  for (const l of labels.values()) if (l === 'fraud') fraudLabels++;
  const result: SeedResult = {
    labelSeed,
    fraudLabels,
    legitLabels: labels.size - fraudLabels,
    evaluable: evaluable.length,
    evaluableFraud: k,
    acctnet: { rocAuc: rocAuc(a, y), prAuc: averagePrecision(a, y), pAtK: precisionAtK(a, y, k) },
    baseline: {
      rocAuc: rocAuc(b, y),
      prAuc: averagePrecision(b, y),
      pAtK: precisionAtK(b, y, k),
      sampledNegatives: baseline.sampledNegatives,
      legitNegatives: baseline.legitNegatives,
      weights: baseline.weights,
    },
    list: { ...listMetrics(run.listed, truth.fraud, labelled), listed: run.listed.size },
    byTypology: typologyRecall(run.listed, truth.fraud, labelled, truth.typology),
    victimsListed: [...truth.victims].filter((id) => run.listed.has(id)).length,
    lookalikesListed: [...truth.lookalikes].filter((id) => run.listed.has(id)).length,
    migrations: truth.migrations ? migrationMetrics(truth.migrations, truth.all, run.migrations, run.listed) : null,
    seconds: run.seconds,
  };
  return { result, arrays: { y, a, b } };
}

export interface Stat {
  mean: number;
  sd: number;
}

const stat = (xs: number[]): Stat => ({ mean: mean(xs), sd: sd(xs) });

export interface Check {
  name: string;
  value: number;
  target: string;
  met: boolean;
}

export interface DatasetResult {
  name: string;
  description: string;
  kind: string;
  version: string;
  external: boolean;
  tuning: boolean;
  mode: 'cli' | 'in-process';
  /** Days of the analysis window (the dataset's whole span when longer than ACCTNET_WINDOW_DAYS). */
  windowDays?: number;
  accounts: number;
  fraud: number;
  legit: number | null;
  victims: number;
  lookalikes: number;
  labelSeeds: number[];
  summary: {
    fraudLabels: Stat;
    legitLabels: Stat;
    acctnetRocAuc: Stat;
    baselineRocAuc: Stat;
    acctnetPrAuc: Stat;
    baselinePrAuc: Stat;
    acctnetPAtK: Stat;
    baselinePAtK: Stat;
    k: Stat;
    listPrecision: Stat;
    listRecall: Stat;
    listedUnlabelled: Stat;
    victimsListed: Stat;
    lookalikesListed: Stat;
    legitSuccessorsListed: Stat;
    migrationPrecision: Stat | null;
    migrationRecall: Stat | null;
    byTypology: Record<string, { fraud: Stat; recall: Stat }>;
  };
  bootstrap: BootstrapInterval;
  checks: Check[];
  seeds: SeedResult[];
  seconds: Record<string, number>;
}

export function summarise(
  dataset: EvalDataset,
  truth: EvalTruth,
  mode: 'cli' | 'in-process',
  seeds: SeedResult[],
  arrays: SeedArrays[],
  seconds: Record<string, number>,
  resamples: number,
): DatasetResult {
  const f = (g: (s: SeedResult) => number) => stat(seeds.map(g));
  const typologies = [...new Set(seeds.flatMap((s) => Object.keys(s.byTypology)))].sort();
  const summary: DatasetResult['summary'] = {
    fraudLabels: f((s) => s.fraudLabels),
    legitLabels: f((s) => s.legitLabels),
    acctnetRocAuc: f((s) => s.acctnet.rocAuc),
    baselineRocAuc: f((s) => s.baseline.rocAuc),
    acctnetPrAuc: f((s) => s.acctnet.prAuc),
    baselinePrAuc: f((s) => s.baseline.prAuc),
    acctnetPAtK: f((s) => s.acctnet.pAtK),
    baselinePAtK: f((s) => s.baseline.pAtK),
    k: f((s) => s.evaluableFraud),
    listPrecision: f((s) => s.list.precision),
    listRecall: f((s) => s.list.recall),
    listedUnlabelled: f((s) => s.list.listedUnlabelled),
    victimsListed: f((s) => s.victimsListed),
    lookalikesListed: f((s) => s.lookalikesListed),
    legitSuccessorsListed: f((s) => s.migrations?.legitSuccessorsListed ?? 0),
    migrationPrecision: truth.migrations ? f((s) => s.migrations!.precision) : null,
    migrationRecall: truth.migrations ? f((s) => s.migrations!.recall) : null,
    byTypology: Object.fromEntries(
      typologies.map((t) => [t, { fraud: f((s) => s.byTypology[t]?.fraud ?? 0), recall: f((s) => s.byTypology[t]?.recall ?? NaN) }]),
    ),
  };
  const bootstrap = pairedBootstrapAuc(arrays, resamples, dataset.name);
  const checks: Check[] = [];
  const check = (name: string, value: number, target: string, met: boolean) =>
    checks.push({ name, value, target, met: !Number.isNaN(value) && met });
  const s = summary;
  if (dataset.external) {
    const errA = 1 - s.acctnetRocAuc.mean;
    const errB = 1 - s.baselineRocAuc.mean;
    check('1 − ROC-AUC vs baseline', errA, `≤ 0.75 × ${fmt(errB)} = ${fmt(0.75 * errB)}`, errA <= 0.75 * errB);
    check('bootstrap lower bound of ΔAUC', bootstrap.lo, '≥ 0', bootstrap.lo >= 0);
    check('P@k vs baseline', s.acctnetPAtK.mean, `≥ ${fmt(s.baselinePAtK.mean)}`, s.acctnetPAtK.mean >= s.baselinePAtK.mean);
  } else if (!dataset.tuning) {
    check('list precision', s.listPrecision.mean, '≥ 0.9', s.listPrecision.mean >= 0.9);
    check('list recall', s.listRecall.mean, '≥ 0.9', s.listRecall.mean >= 0.9);
    for (const [t, v] of Object.entries(s.byTypology)) check(`recall ${t}`, v.recall.mean, '≥ 0.8', v.recall.mean >= 0.8);
    if (s.migrationPrecision) check('migration precision', s.migrationPrecision.mean, '≥ 0.9', s.migrationPrecision.mean >= 0.9);
    if (s.migrationRecall) check('migration recall', s.migrationRecall.mean, '≥ 0.9', s.migrationRecall.mean >= 0.9);
    const share = (n: number, of: number) => (of ? n / of : 0);
    check(
      'victims listed',
      share(s.victimsListed.mean, truth.victims.size),
      '≤ 1%',
      share(s.victimsListed.mean, truth.victims.size) <= 0.01,
    );
    check(
      'look-alikes listed',
      share(s.lookalikesListed.mean, truth.lookalikes.size),
      '≤ 1%',
      share(s.lookalikesListed.mean, truth.lookalikes.size) <= 0.01,
    );
    check('legit successors listed', s.legitSuccessorsListed.mean, '= 0', s.legitSuccessorsListed.mean === 0);
  }
  return {
    name: dataset.name,
    description: dataset.description,
    kind: dataset.kind,
    version: dataset.version,
    external: dataset.external,
    tuning: dataset.tuning,
    mode,
    accounts: truth.all.size,
    fraud: truth.fraud.size,
    legit: truth.legit?.size ?? null,
    victims: truth.victims.size,
    lookalikes: truth.lookalikes.size,
    labelSeeds: seeds.map((x) => x.labelSeed),
    summary,
    bootstrap,
    checks,
    seeds,
    seconds,
  };
}

export function fmt(x: number, digits = 3): string {
  return Number.isNaN(x) ? '—' : String(Math.round(x * 10 ** digits) / 10 ** digits);
}
