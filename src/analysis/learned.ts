// acctnet/analysis/learned: learn from the run's labels, every run, without leaking them.
//
// 1. Features: the label-free table (feature-table.ts), an isolation-forest anomaly score, what the
//    account's counterparties look like (their anomaly and clustering, label-free), and the
//    label features (label-features.ts: money from/to labelled accounts, proximity along money
//    flows, labelled cluster members, a labelled predecessor, the rules' score).
// 2. Training rows: fraud labels (positives), legit labels and — where legit labels are fewer than
//    `negativeRatio` × fraud labels — a seeded sample of unlabelled accounts as negatives, so that
//    negatives total negativeRatio × positives (positive-unlabelled learning: a few sampled
//    accounts are unlabelled fraud; the model learns "unlike what investigators confirmed").
// 3. No leakage, two partitions:
//    - label features of a training row are computed WITHOUT the labels of its feature fold (random
//      folds): its own label never feeds its own features, while most of its neighbours' labels do —
//      as for an unlabelled account at scoring time, whose features use every label;
//    - models are cross-validated on folds GROUPED BY CLUSTER (random folds on a graph overstate
//      performance): each training row's learned score comes from a model that saw neither its
//      label nor any label of its cluster. The model card reports these out-of-fold figures.
// 4. Calibration: Platt scaling on the out-of-fold scores. The result is a probability "among
//    investigated accounts" (the training mix of confirmed fraud and checked or sampled accounts),
//    not a population prevalence.
// 5. A final model on every training row scores the other accounts. Where negatives are sampled,
//    `negativeBags` samples each train one (PU bagging): an unlabelled account's score is the mean of
//    the models that did not take it as a negative (calibrated by the first sample's Platt fit).
import { prepareRisk, propagateRiskScores, type RiskInputs, type RiskOptions, type RiskPrep } from './risk.js';
import { computeFeatureTable, FEATURE_COLUMNS, FEATURE_INDEX, type FeatureTableInput } from './feature-table.js';
import { computeLabelFeatures, flowMatrix, LABEL_FEATURE_COLUMNS, labelFeatureWork } from './label-features.js';
import { trainGbt, type GbtModel, type GbtOptions } from './learn/gbt.js';
import { trainIsolationForest } from './learn/isolation-forest.js';
import { fitStandardiser, trainLogistic } from './learn/logistic.js';
import { matrix, selectRows, type Matrix } from './learn/matrix.js';
import { averagePrecision, rocAuc } from './learn/metrics.js';
import { fitPlatt, type Platt } from './learn/platt.js';
import type { LabelValue } from './risk.js';
import { createRng } from './rng.js';
import type { Flows } from './flows.js';
import { labelSourceKind } from '../labels/sources.js';

export type LearnedMode = 'off' | 'shadow' | 'on';

export interface LearnedOptions {
  mode: LearnedMode;
  /**
   * Fewer fraud labels than this: the learned model is used only when its out-of-fold ROC-AUC beats
   * the rules' on the same labels, and never with fewer fraud labels than folds; otherwise the learned
   * signal is left out (not faked).
   */
  minFraudLabels: number;
  /** Negatives per positive when legit labels are few (sampled from unlabelled accounts). */
  negativeRatio: number;
  folds: number;
  seed: number;
  gbt: Partial<GbtOptions>;
  /**
   * At most this many rows fit the models (cross-validation and the final model): beyond it, a
   * seeded sample with fraud and legit in their proportions — the learned step's time is bounded
   * whatever the number of labels (a store that imports every chargeback). Every labelled account
   * still gets fold-wise label features, and one left out of the fit is scored by a model that did
   * not see its label.
   */
  maxFitRows: number;
  /**
   * Positive-unlabelled bagging where negatives are sampled: this many samples of unlabelled accounts
   * (the first is the one cross-validation and calibration use), one final model each; an
   * unlabelled account is scored by the mean of the models that did not take it as a negative. 1: one
   * sample. Left at 1 when the training rows exceed maxFitRows (the step's time bound).
   */
  negativeBags: number;
  /** Isolation forest: trees and the sample each tree is grown on. */
  anomalyTrees: number;
  anomalySample: number;
}

export const LEARNED_DEFAULTS: LearnedOptions = {
  mode: 'on',
  minFraudLabels: 20,
  negativeRatio: 5,
  folds: 5,
  seed: 1,
  // Small trees, slow learning, row and column sampling: a few hundred labels is the common case.
  gbt: {
    trees: 150,
    learningRate: 0.05,
    maxDepth: 3,
    maxLeaves: 8,
    minLeafSamples: 5,
    minChildWeight: 1,
    l2: 1,
    subsample: 0.8,
    colsample: 0.8,
  },
  // About 3 s per model at 50,000 rows on 2 vCPUs (6 models: five folds and the final one).
  maxFitRows: 50_000,
  negativeBags: 5,
  anomalyTrees: 100,
  anomalySample: 256,
};

export interface ModelCard {
  mode: LearnedMode;
  status: 'trained' | 'too_few_labels' | 'unreliable' | 'off';
  message: string | null;
  model: 'gradient-boosted trees' | null;
  labels: {
    fraud: number;
    legit: number;
    sampled: number;
    /** Labels of the accounts in the window by source kind, per label value. */
    bySource: { fraud: Record<string, number>; legit: Record<string, number> };
    /** Labels on accounts with no transfer in the run's window: they neither train nor get a score. */
    outsideWindow: { fraud: number; legit: number };
  };
  /** Things an investigator should know about this model (e.g. labels mostly from acctnet's own alerts). */
  notes: string[];
  folds: number;
  /** How the model folds were drawn: by cluster, or by account where the fraud labels sit in too few clusters. */
  grouping: 'cluster' | 'account';
  /** Out-of-fold, folds grouped by cluster (or by account, see grouping), over the training rows (fraud vs legit + sampled). */
  rocAuc: number | null;
  prAuc: number | null;
  /** The same folds with a regularised logistic regression on the same features, for comparison. */
  logisticRocAuc: number | null;
  /**
   * The rules' score alone on the same rows, each computed without its own feature fold's labels (the
   * rules_score column the model reads): how well the rules rank labels they did not see.
   */
  rulesRocAuc: number | null;
  /** Out-of-fold ROC-AUC against legit labels only (when there are at least 20). */
  rocAucLegitOnly: number | null;
  calibration: { a: number; b: number } | null;
  topFeatures: Array<{ name: string; importance: number }>;
  features: number;
  seconds: number;
}

export interface LearnedResult {
  card: ModelCard;
  /** Calibrated learned probability per account (NaN where not computed). */
  score: Float64Array | null;
  /** Isolation-forest anomaly score per account, 0..1 (0.5 ≈ ordinary). */
  anomaly: Float64Array;
  /** Milliseconds per part (features, anomaly, label features, cross-validation, final model, scoring). */
  timings: Record<string, number>;
  /** Feature names, the matrix every account was scored on, and the final model, for explanations. */
  names: string[];
  x: Matrix;
  model: GbtModel | null;
}

export interface LearnedInput {
  table: Omit<FeatureTableInput, 'relayChain'>;
  ids: readonly string[];
  labels: ReadonlyMap<string, LabelValue>;
  /** Where each label came from (investigation, chargeback, import, alert…), counted on the card. */
  labelSources?: ReadonlyMap<string, string>;
  /** The rules' inputs: re-run fold-wise with part of the labels removed. */
  risk: Omit<RiskInputs, 'labels'>;
  riskOptions?: Partial<RiskOptions>;
  /** The rules' label-free part on the same inputs and options (prepareRisk), when the caller has it already. */
  riskPrep?: RiskPrep;
  /** The rules' score with every label (the pipeline's own run). */
  rulesScore: Float64Array;
  onStep?: (step: string) => void;
}

/** A seeded 32-bit hash of a key (FNV-1a, mixed). */
function hash32(key: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let k = 0; k < key.length; k++) h = Math.imul(h ^ key.charCodeAt(k), 16777619);
  h ^= h >>> 15;
  h = Math.imul(h, 2246822507);
  h ^= h >>> 13;
  return h >>> 0;
}

/** MurmurHash3's 32-bit finaliser: every input bit moves every output bit (short numeric ids included). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The unlabelled accounts sampled as negatives: the `take` ids with the smallest seeded hash
 * (bottom-k), returned as indices into `ids` in the order of `ids`. Unlike a shuffle of the pool,
 * the sample of a slightly larger pool is almost the same sample — an account is in it by its own
 * id, not by its position — so a night's few new accounts do not redraw the negatives and swing the
 * model (measured: docs/decisions.md, "the negatives sample by the id's hash"). Deterministic for a seed; ties
 * (a 53-bit hash) go to the earlier position.
 */
export function sampleNegatives(ids: readonly string[], take: number, seed: number): number[] {
  const n = ids.length;
  if (take <= 0 || n === 0) return [];
  if (take >= n) return Array.from({ length: n }, (_, k) => k);
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const id = ids[k]!;
    keys[k] = fmix32(hash32(id, seed)) * 2097152 + (fmix32(hash32(id, seed ^ 0x5bd1e995)) >>> 11);
  }
  const cut = keys.slice().sort()[take - 1]!;
  const out: number[] = [];
  let atCut = take;
  for (let k = 0; k < n; k++) if (keys[k]! < cut) atCut--;
  for (let k = 0; k < n; k++) {
    if (keys[k]! < cut) out.push(k);
    else if (keys[k] === cut && atCut > 0) {
      out.push(k);
      atCut--;
    }
  }
  return out;
}

/** Deterministic fold of a key: a seeded hash, independent of load order. */
function hashFold(key: string, seed: number, folds: number): number {
  return hash32(key, seed) % folds;
}

export function learnRisk(inp: LearnedInput, options: Partial<LearnedOptions> = {}): LearnedResult {
  const o = { ...LEARNED_DEFAULTS, ...options, gbt: { ...LEARNED_DEFAULTS.gbt, ...options.gbt } };
  const started = performance.now();
  const n = inp.ids.length;
  if (o.mode === 'off') return offResult(o, n);
  const timings: Record<string, number> = {};
  let lap = performance.now();
  const mark = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - lap);
    lap = now;
  };
  inp.onStep?.('learned.features');
  // The rules' label-free part once (relay chains are a feature; each fold propagates its own labels on it).
  const riskPrep = inp.riskPrep ?? prepareRisk(inp.risk, inp.riskOptions);
  const base = computeFeatureTable({ ...inp.table, relayChain: riskPrep.relayChain });
  mark('features');
  // Accounts in id order: folds, samples and the forest's subsamples must not depend on the order
  // Neo4j returned rows in.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (inp.ids[a]! < inp.ids[b]! ? -1 : 1));
  // Anomaly among peers: an isolation forest on the label-free table (a weak signal; it raises
  // attention, it never lists an account alone — see the fusion's model-only rule).
  // A window without accounts (a first run before any ingest, an --as-of before the data) has no
  // peers to compare: no anomaly, and no labels to learn from below.
  const anomaly =
    n === 0
      ? new Float64Array(0)
      : trainIsolationForest(base, {
          trees: o.anomalyTrees,
          sampleSize: o.anomalySample,
          seed: `${o.seed}-anomaly`,
          rows: order,
        }).score(base);
  mark('anomaly');
  const names = LEARNED_COLUMNS.map((c) => c.name);
  const dBase = FEATURE_COLUMNS.length;
  const d0 = dBase + 1 + NEIGHBOUR_COLUMNS.length;
  const d = names.length;
  const x = matrix(n, d);
  const neighbours = n === 0 ? [] : neighbourColumns(inp.table.flows, inp.table.isHub, base, anomaly);
  // A plain loop: a subarray per row cost about a second at a million accounts.
  for (let i = 0, from = 0, to = 0; i < n; i++, to += d) {
    for (let k = 0; k < dBase; k++) x.data[to + k] = base.data[from++]!;
    x.data[to + dBase] = anomaly[i]!;
    for (let k = 0; k < neighbours.length; k++) x.data[to + dBase + 1 + k] = neighbours[k]![i]!;
  }
  const card = emptyCard(o.mode, o.folds, d);
  const done = (score: Float64Array | null, model: GbtModel | null): LearnedResult => {
    card.seconds = Math.round(performance.now() - started) / 1000;
    return { card, score, anomaly, names, x, model, timings };
  };
  const label = new Int8Array(n);
  for (const [id, value] of inp.labels) {
    const i = inp.table.flows.index.get(id);
    if (i !== undefined) label[i] = value === 'fraud' ? 1 : -1;
  }
  const fraud = order.filter((i) => label[i] === 1);
  const legit = order.filter((i) => label[i] === -1);
  card.labels.fraud = fraud.length;
  card.labels.legit = legit.length;
  for (const [id, value] of inp.labels)
    if (!inp.table.flows.index.has(id)) card.labels.outsideWindow[value === 'fraud' ? 'fraud' : 'legit']++;
  const outside = card.labels.outsideWindow;
  if (outside.fraud + outside.legit > 0)
    card.notes.push(
      `${outside.fraud} fraud and ${outside.legit} legit labels are on accounts with no transfer in this run's window: they do not train the model (a longer window, ACCTNET_WINDOW_DAYS, takes them in)`,
    );
  for (const i of [...fraud, ...legit]) {
    const kind = labelSourceKind(inp.labelSources?.get(inp.ids[i]!) ?? 'import');
    const bucket = label[i] === 1 ? card.labels.bySource.fraud : card.labels.bySource.legit;
    bucket[kind] = (bucket[kind] ?? 0) + 1;
  }
  const fromAlerts = card.labels.bySource.fraud.alert ?? 0;
  if (fraud.length && fromAlerts / fraud.length >= 0.25)
    card.notes.push(
      `${Math.round((100 * fromAlerts) / fraud.length)}% of the fraud labels come from acctnet's own alerts: they are not a random sample of fraud, and a model trained on them learns to find what acctnet already finds`,
    );
  // Fewer fraud labels than minFraudLabels: the model is trained, and used only when it ranks the
  // labels it did not see better than the rules do (card.rulesRocAuc, below) — with a handful of
  // labels the rules (propagation from them) may be the better guess, or the model the only useful
  // one (docs/decisions.md, "Few labels"). Fewer than one per fold: nothing to test it on.
  const fewLabels = fraud.length < o.minFraudLabels;
  if (fewLabels && fraud.length < o.folds) {
    card.status = 'too_few_labels';
    card.message = `${fraud.length} fraud labels (fewer than ${o.minFraudLabels}, and fewer than the ${o.folds} folds needed to test the model against the rules): the learned signal is left out of this run`;
    return done(null, null);
  }
  const wantSampled = Math.max(0, o.negativeRatio * fraud.length - legit.length);
  // From every unlabelled account, hubs included: the negatives stand for the population.
  const pool = order.filter((i) => label[i] === 0);
  if (legit.length === 0 && pool.length === 0) {
    card.status = 'too_few_labels';
    card.message = `every account in the window is labelled fraud (${fraud.length}): with no legit label and no unlabelled account to sample, there is nothing to tell fraud from; the learned signal is left out of this run`;
    return done(null, null);
  }
  const poolIds = pool.map((i) => inp.ids[i]!);
  const take = Math.min(wantSampled, pool.length);
  // Bottom-k by a seeded hash of the id (sampleNegatives): a night's new accounts change the sample
  // by about as many accounts as they add, so the model does not swing between nights.
  const sampled = sampleNegatives(poolIds, take, o.seed).map((k) => pool[k]!);
  card.labels.sampled = sampled.length;
  const rows = [...fraud, ...legit, ...sampled].sort((a, b) => (inp.ids[a]! < inp.ids[b]! ? -1 : 1));
  const isTraining = new Uint8Array(n);
  for (const i of rows) isTraining[i] = 1;
  // More samples of unlabelled negatives (PU bagging; negativeBags): their accounts are training rows
  // too, so they get fold-wise label features like the first sample's.
  const bags: number[][] = [];
  const bagCount = take > 0 && take < pool.length && rows.length <= o.maxFitRows ? o.negativeBags : 1;
  for (let b = 1; b < bagCount; b++) {
    const bag = sampleNegatives(poolIds, take, o.seed + b * 7919).map((k) => pool[k]!);
    bags.push(bag);
    for (const i of bag) isTraining[i] = 1;
  }
  if (bags.length)
    card.notes.push(
      `unlabelled accounts are scored by the mean of ${bags.length + 1} models, each trained on its own sample of ${take} unlabelled accounts as negatives, leaving out those it sampled (positive-unlabelled bagging); the cross-validated figures and the calibration are the first sample's`,
    );

  // Label features: every account with every label, then the training rows again per feature fold.
  inp.onStep?.('learned.label-features');
  const lf = { flows: inp.table.flows, isHub: inp.table.isHub, community: inp.table.community, migrations: linkIndices(inp) };
  const fm = flowMatrix(lf);
  const writeLabelFeatures = (cols: Float64Array[], which: (i: number) => boolean) => {
    for (let i = 0; i < n; i++) {
      if (!which(i)) continue;
      for (let k = 0; k < cols.length; k++) x.data[i * d + d0 + k] = cols[k]![i]!;
    }
  };
  // One set of scratch arrays for the six runs: each run's columns are copied into x before the next.
  const work = labelFeatureWork();
  writeLabelFeatures(computeLabelFeatures(lf, fm, label, inp.rulesScore, work), (i) => !isTraining[i]);
  const featureFold = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (isTraining[i]) featureFold[i] = hashFold(inp.ids[i]!, o.seed, o.folds);
  // Each fold's labels without the fold's own accounts; the rules propagate all folds' labels in one
  // pass (propagateRiskScores: the same scores as one run per fold, the pairs read once per round).
  const foldLabels = Array.from({ length: o.folds }, (_, g) => {
    const foldLabel = new Int8Array(n);
    for (let i = 0; i < n; i++) foldLabel[i] = featureFold[i] === g ? 0 : label[i]!;
    return foldLabel;
  });
  // (The folds' proximities were computed together the same way, and were slower at 1M and 10M
  // transfers: docs/benchmarks.md, 2026-12-07.)
  const foldRules = propagateRiskScores(riskPrep, foldLabels);
  for (let g = 0; g < o.folds; g++)
    writeLabelFeatures(computeLabelFeatures(lf, fm, foldLabels[g]!, foldRules[g]!, work), (i) => featureFold[i] === g);

  mark('label-features');
  // Cross-validation grouped by cluster.
  inp.onStep?.('learned.cross-validation');
  // A cluster is named by its smallest member id (community numbers may follow load order).
  const clusterName = new Map<number, string>();
  for (const [cid, members] of inp.table.clusters)
    clusterName.set(
      cid,
      members.reduce((m, id) => (id < m ? id : m)),
    );
  const groupKey = (i: number) => (inp.table.community[i]! >= 0 ? `c${clusterName.get(inp.table.community[i]!)}` : `a${inp.ids[i]}`);
  // The rows the models are fitted on: all of them, or a seeded sample per class beyond maxFitRows.
  let fit = rows;
  if (rows.length > o.maxFitRows) {
    const share = o.maxFitRows / rows.length;
    const capRng = createRng(`${o.seed}-fit-rows`);
    const picked: number[] = [];
    for (const cls of [1, 0]) {
      const members = rows.filter((i) => (label[i] === 1 ? 1 : 0) === cls);
      const take = Math.max(cls === 1 ? 1 : 0, Math.round(members.length * share));
      for (let k = 0; k < take; k++) {
        const j = k + Math.floor(capRng() * (members.length - k));
        [members[k], members[j]] = [members[j]!, members[k]!];
      }
      picked.push(...members.slice(0, take));
    }
    fit = picked.sort((a, b) => (inp.ids[a]! < inp.ids[b]! ? -1 : 1));
    card.notes.push(
      `the models were fitted on ${fit.length} of ${rows.length} training rows (a seeded sample, fraud and legit in their proportions; the learned step's bound, ${o.maxFitRows} rows): the others are scored by the final model, which did not see them`,
    );
  }
  const groups = [...new Set(fit.map(groupKey))].sort();
  const groupRng = createRng(`${o.seed}-folds`);
  for (let k = groups.length - 1; k > 0; k--) {
    const j = Math.floor(groupRng() * (k + 1));
    [groups[k], groups[j]] = [groups[j]!, groups[k]!];
  }
  const foldOfGroup = new Map(groups.map((g, k) => [g, k % o.folds]));
  let cvFold = fit.map((i) => foldOfGroup.get(groupKey(i))!);
  // Every fold's model must see both classes. With the fraud labels in one cluster (one investigated
  // ring, a first set of labels), folds grouped by cluster leave a fold whose model saw no fraud: its
  // out-of-fold scores, and the calibration fitted on them, would say nothing or the opposite. Then
  // the folds are the accounts' feature folds, and the card says the figures are optimistic.
  const bothClassesInTraining = (folds: number[]) => {
    for (let f = 0; f < o.folds; f++) {
      let tested = false;
      let pos = 0;
      let neg = 0;
      folds.forEach((g, r) => {
        if (g === f) tested = true;
        else if (label[fit[r]!] === 1) pos++;
        else neg++;
      });
      if (tested && (pos === 0 || neg === 0)) return false;
    }
    return true;
  };
  if (!bothClassesInTraining(cvFold)) {
    cvFold = fit.map((i) => featureFold[i]!);
    card.grouping = 'account';
    card.notes.push(
      `the fraud labels sit in too few clusters for folds grouped by cluster (a fold's model would have seen no fraud): the folds are by account, so a cluster-mate's label may have trained the model that scored an account — the cross-validated figures are optimistic`,
    );
    if (!bothClassesInTraining(cvFold)) {
      card.status = 'too_few_labels';
      card.message = `${fraud.length} fraud labels cannot be split into ${o.folds} folds that each train on fraud and legit: the learned signal is left out of this run`;
      return done(null, null);
    }
  }
  const xTrain = selectRows(x, fit);
  const y = Float64Array.from(fit, (i) => (label[i] === 1 ? 1 : 0));
  const oof = new Float64Array(fit.length);
  const oofLogistic = new Float64Array(fit.length);
  const gbtOptions = { ...o.gbt, seed: `${o.seed}-gbt` };
  for (let f = 0; f < o.folds; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    cvFold.forEach((fold, r) => (fold === f ? testIdx : trainIdx).push(r));
    if (!testIdx.length) continue;
    const xt = selectRows(xTrain, trainIdx);
    const yt = Float64Array.from(trainIdx, (r) => y[r]!);
    const xv = selectRows(xTrain, testIdx);
    const model = trainGbt(xt, yt, gbtOptions);
    const raw = model.predictRaw(xv);
    testIdx.forEach((r, k) => (oof[r] = raw[k]!));
    const std = fitStandardiser(xt);
    const lr = trainLogistic(std.apply(xt), yt, { l2: 1 });
    const lrRaw = lr.decision(std.apply(xv));
    testIdx.forEach((r, k) => (oofLogistic[r] = lrRaw[k]!));
  }
  card.rocAuc = round3(rocAuc(oof, y));
  card.prAuc = round3(averagePrecision(oof, y));
  card.logisticRocAuc = round3(rocAuc(oofLogistic, y));
  const rulesCol = d0 + LABEL_FEATURE_COLUMNS.findIndex((c) => c.name === 'rules_score');
  card.rulesRocAuc = round3(
    rocAuc(
      Float64Array.from(fit, (i) => x.data[i * d + rulesCol]!),
      y,
    ),
  );
  if (legit.length >= 20) {
    const keep = fit.map((i, r) => (label[i] !== 0 ? r : -1)).filter((r) => r >= 0);
    card.rocAucLegitOnly = round3(
      rocAuc(
        keep.map((r) => oof[r]!),
        keep.map((r) => y[r]!),
      ),
    );
  }
  const platt: Platt = fitPlatt(oof, y);
  card.calibration = { a: round6(platt.a), b: round6(platt.b) };
  // A model no better than chance on labels it did not see (or whose calibration runs backwards:
  // Platt's a ≥ 0) would rank accounts by noise or upside down: left out, the rules score the run.
  if (!(card.rocAuc! > 0.5) || !(platt.a < 0)) {
    card.status = 'unreliable';
    card.message = `the learned model's cross-validated ROC-AUC is ${card.rocAuc} on ${fraud.length} fraud labels (no better than chance on labels it did not see): the learned signal is left out of this run and the rules score it`;
    return done(null, null);
  }

  if (fewLabels && !(card.rocAuc! > card.rulesRocAuc!)) {
    card.status = 'too_few_labels';
    card.message = `${fraud.length} fraud labels (fewer than ${o.minFraudLabels}): with this few the learned model is used only when it ranks the labels it did not see better than the rules, and it did not (out-of-fold ROC-AUC ${card.rocAuc}, the rules' ${card.rulesRocAuc}): the learned signal is left out of this run and the rules score it`;
    return done(null, null);
  }
  if (fewLabels)
    card.notes.push(
      `${fraud.length} fraud labels (fewer than ${o.minFraudLabels}): the learned model is used because it ranked the labels it did not see better than the rules (out-of-fold ROC-AUC ${card.rocAuc}, the rules' ${card.rulesRocAuc}); with this few labels these figures are rough`,
    );

  mark('cross-validation');
  inp.onStep?.('learned.final-model');
  const final = trainGbt(xTrain, y, gbtOptions);
  const importance = final.importance();
  card.topFeatures = names
    .map((name, k) => ({ name, importance: round3(importance[k]!) }))
    .filter((f) => f.importance > 0)
    .sort((a, b) => b.importance - a.importance)
    .slice(0, 10);
  card.model = 'gradient-boosted trees';
  card.status = 'trained';

  mark('final-model');
  inp.onStep?.('learned.scoring');
  const raw = final.predictRaw(x);
  if (bags.length) {
    // PU bagging: each sample's model scores the accounts it did not take as negatives, and an
    // unlabelled account's raw score is their mean (the first sample's own accounts get their
    // out-of-fold score below, as without bagging).
    const count = new Float64Array(n).fill(1);
    for (const i of sampled) count[i] = raw[i] = 0;
    for (const bag of bags) {
      const inBag = new Uint8Array(n);
      for (const i of bag) inBag[i] = 1;
      const rowsB = [...fraud, ...legit, ...bag].sort((a, b) => (inp.ids[a]! < inp.ids[b]! ? -1 : 1));
      const m = trainGbt(
        selectRows(x, rowsB),
        Float64Array.from(rowsB, (i) => (label[i] === 1 ? 1 : 0)),
        gbtOptions,
      );
      const rb = m.predictRaw(x);
      for (let i = 0; i < n; i++) {
        if (inBag[i]) continue;
        raw[i] = raw[i]! + rb[i]!;
        count[i] = count[i]! + 1;
      }
    }
    for (let i = 0; i < n; i++) raw[i] = count[i]! > 0 ? raw[i]! / count[i]! : raw[i]!;
  }
  fit.forEach((i, r) => (raw[i] = oof[r]!));
  const score = Float64Array.from(raw, (z) => platt.apply(z));
  mark('scoring');
  return done(score, final);
}

/**
 * What an account's counterparties look like (label-free): per account, over its non-hub
 * counterparties weighted by the transfers with each, the mean and the highest anomaly score and the
 * mean local clustering. An account seen only through a few transfers (one institution sees an
 * outside account only where it deals with a customer) has little behaviour of its own to judge,
 * while its counterparties may be seen in full. NaN without a non-hub counterparty.
 */
export const NEIGHBOUR_COLUMNS = [
  { name: 'nb_anomaly_mean', text: 'mean anomaly score of its counterparties', unit: 'score' },
  { name: 'nb_anomaly_max', text: 'highest anomaly score among its counterparties', unit: 'score' },
  { name: 'nb_clustering', text: 'mean local clustering of its counterparties', unit: 'share' },
] as const;

/** The learned models' columns in their order (the fusion explains a model's contribution k by entry k). */
export const LEARNED_COLUMNS: ReadonlyArray<{ name: string; text: string; unit: string; log?: boolean }> = [
  ...FEATURE_COLUMNS,
  { name: 'anomaly', text: 'anomaly score among its peers', unit: 'score' },
  ...NEIGHBOUR_COLUMNS,
  ...LABEL_FEATURE_COLUMNS,
];

export function neighbourColumns(flows: Flows, isHub: Uint8Array, base: Matrix, anomaly: Float64Array): Float64Array[] {
  const n = flows.ids.length;
  const dBase = base.cols;
  const cClust = FEATURE_INDEX.get('clustering')!;
  const wSum = new Float64Array(n);
  const aSum = new Float64Array(n);
  const aMax = new Float64Array(n).fill(Number.NaN);
  const cSum = new Float64Array(n);
  const cW = new Float64Array(n);
  const visit = (i: number, j: number, w: number) => {
    if (isHub[j]) return;
    wSum[i]! += w;
    aSum[i]! += w * anomaly[j]!;
    if (!(aMax[i]! >= anomaly[j]!)) aMax[i] = anomaly[j]!;
    const c = base.data[j * dBase + cClust]!;
    if (!Number.isNaN(c)) {
      cSum[i]! += w * c;
      cW[i]! += w;
    }
  };
  for (let p = 0; p < flows.pairCount; p++) {
    const a = flows.pairFrom[p]!;
    const b = flows.pairTo[p]!;
    const w = flows.pairTransfers[p]!;
    visit(a, b, w);
    visit(b, a, w);
  }
  const mean = new Float64Array(n);
  const clust = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mean[i] = wSum[i]! > 0 ? aSum[i]! / wSum[i]! : Number.NaN;
    clust[i] = cW[i]! > 0 ? cSum[i]! / cW[i]! : Number.NaN;
  }
  return [mean, aMax, clust];
}

/** A card before training: what off, too-few-labels and trained runs start from. */
function emptyCard(mode: LearnedMode, folds: number, features: number): ModelCard {
  return {
    mode,
    status: 'off',
    message: null,
    model: null,
    labels: { fraud: 0, legit: 0, sampled: 0, bySource: { fraud: {}, legit: {} }, outsideWindow: { fraud: 0, legit: 0 } },
    notes: [],
    folds,
    grouping: 'cluster',
    rocAuc: null,
    prAuc: null,
    logisticRocAuc: null,
    rulesRocAuc: null,
    rocAucLegitOnly: null,
    calibration: null,
    topFeatures: [],
    features,
    seconds: 0,
  };
}

function offResult(o: LearnedOptions, n: number): LearnedResult {
  return {
    card: {
      ...emptyCard('off', o.folds, 0),
      message: 'ACCTNET_LEARNED=off: the learned model and the anomaly score are switched off',
    },
    score: null,
    anomaly: new Float64Array(n).fill(Number.NaN),
    names: [],
    x: matrix(n, 0),
    model: null,
    timings: {},
  };
}

function linkIndices(inp: LearnedInput): Array<{ from: number; to: number; score: number }> {
  const out: Array<{ from: number; to: number; score: number }> = [];
  for (const l of inp.table.migrations) {
    const from = inp.table.flows.index.get(l.from);
    const to = inp.table.flows.index.get(l.to);
    if (from !== undefined && to !== undefined) out.push({ from, to, score: l.score });
  }
  return out;
}

const round3 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : v);
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
