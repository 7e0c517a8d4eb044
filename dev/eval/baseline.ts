// The frozen baseline of npm run eval (docs/evaluation.md): an L2-regularised logistic regression
// with an intercept on eight standardised log features per account, trained on the run's labels.
//
// FROZEN ON PURPOSE. It has its own tiny Newton (IRLS) solver and does not use the product's learner
// (src/analysis/learn/): a change to the product must never move the baseline it is compared with.
// Change nothing here without recording a new BASELINE_VERSION (results carry it).
//
// - Features (from the transfers in the analysis window, the ones the pipeline sees): in count,
//   out count, in amount, out amount (base currency, major units), distinct counterparties (in or
//   out), active span in days (last − first transfer in the window), in-share of count, in-share of
//   amount; each log1p(x), then standardised (mean 0, sd 1 over all accounts of the dataset).
// - Training: positives = the fraud labels; negatives = the legit labels, plus, when legit labels
//   are few — FEWER THAN 5 × the fraud labels — a seeded sample of unlabelled accounts that brings
//   the negatives to 5 × the fraud labels (fewer only if there are not enough unlabelled accounts).
// - L2 = 1 on the eight weights (not on the intercept), Newton steps until the step < 1e-9.
import type { Flows } from '../../src/analysis/flows.js';
import { createRng } from '../synth/rng.js';

export const BASELINE_VERSION = 1;
export const BASELINE_L2 = 1;
export const NEGATIVES_PER_POSITIVE = 5;
export const FEATURE_NAMES = [
  'log1p in count',
  'log1p out count',
  'log1p in amount',
  'log1p out amount',
  'log1p distinct counterparties',
  'log1p active span days',
  'log1p in-share of count',
  'log1p in-share of amount',
] as const;
const D = FEATURE_NAMES.length;
const DAY = 86_400_000;

/** Raw (unstandardised) log features of each id, row-major, D per id; ids without transfers: zeros. */
export function baselineFeatures(flows: Flows, ids: readonly string[]): Float64Array {
  const n = flows.ids.length;
  const partners = new Uint32Array(n);
  const seenPair = new Set<number>();
  for (let p = 0; p < flows.pairCount; p++) {
    const a = flows.pairFrom[p]!;
    const b = flows.pairTo[p]!;
    const key = Math.min(a, b) * n + Math.max(a, b);
    if (seenPair.has(key)) continue;
    seenPair.add(key);
    partners[a]!++;
    if (a !== b) partners[b]!++;
  }
  const x = new Float64Array(ids.length * D);
  ids.forEach((id, r) => {
    const i = flows.index.get(id);
    if (i === undefined) return;
    const inC = flows.inCount[i]!;
    const outC = flows.outCount[i]!;
    const inA = flows.inAmount[i]!;
    const outA = flows.outAmount[i]!;
    const raw = [
      inC,
      outC,
      inA,
      outA,
      partners[i]!,
      Math.max(0, flows.lastAt[i]! - flows.firstAt[i]!) / DAY,
      inC + outC > 0 ? inC / (inC + outC) : 0,
      inA + outA > 0 ? inA / (inA + outA) : 0,
    ];
    for (let d = 0; d < D; d++) x[r * D + d] = Math.log1p(raw[d]!);
  });
  return x;
}

/** Standardises columns in place (mean 0, sd 1; a constant column becomes 0). */
export function standardise(x: Float64Array, rows: number, dims: number = D): Float64Array {
  for (let d = 0; d < dims; d++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += x[r * dims + d]!;
    mean /= Math.max(rows, 1);
    let v = 0;
    for (let r = 0; r < rows; r++) v += (x[r * dims + d]! - mean) ** 2;
    const sd = Math.sqrt(v / Math.max(rows, 1));
    for (let r = 0; r < rows; r++) x[r * dims + d] = sd > 0 ? (x[r * dims + d]! - mean) / sd : 0;
  }
  return x;
}

/** Solves A·z = b (A symmetric positive definite, k×k row-major) by Gaussian elimination with pivoting. */
function solve(A: Float64Array, b: Float64Array, k: number): Float64Array {
  const m = Float64Array.from(A);
  const z = Float64Array.from(b);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r * k + c]!) > Math.abs(m[piv * k + c]!)) piv = r;
    if (piv !== c) {
      for (let j = 0; j < k; j++) [m[c * k + j], m[piv * k + j]] = [m[piv * k + j]!, m[c * k + j]!];
      [z[c], z[piv]] = [z[piv]!, z[c]!];
    }
    const d = m[c * k + c]!;
    for (let r = c + 1; r < k; r++) {
      const f = m[r * k + c]! / d;
      if (f === 0) continue;
      for (let j = c; j < k; j++) m[r * k + j] = m[r * k + j]! - f * m[c * k + j]!;
      z[r] = z[r]! - f * z[c]!;
    }
  }
  for (let c = k - 1; c >= 0; c--) {
    let s = z[c]!;
    for (let j = c + 1; j < k; j++) s -= m[c * k + j]! * z[j]!;
    z[c] = s / m[c * k + c]!;
  }
  return z;
}

const sigmoid = (t: number) => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));

/**
 * L2-regularised logistic regression with an intercept by Newton's method: weights[0] is the
 * intercept (not penalised), weights[1..dims] the features. `rows` index into x (dims per row).
 */
export function fitLogistic(x: Float64Array, dims: number, rows: readonly number[], y: readonly number[], l2: number): Float64Array {
  const k = dims + 1;
  const w = new Float64Array(k);
  const xi = new Float64Array(k);
  for (let iter = 0; iter < 100; iter++) {
    const H = new Float64Array(k * k);
    const g = new Float64Array(k);
    rows.forEach((r, n) => {
      xi[0] = 1;
      for (let d = 0; d < dims; d++) xi[d + 1] = x[r * dims + d]!;
      let t = 0;
      for (let j = 0; j < k; j++) t += w[j]! * xi[j]!;
      const p = sigmoid(t);
      const s = Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a < k; a++) {
        g[a] = g[a]! + (p - y[n]!) * xi[a]!;
        for (let b = a; b < k; b++) H[a * k + b] = H[a * k + b]! + s * xi[a]! * xi[b]!;
      }
    });
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) H[a * k + b] = H[b * k + a]!;
    for (let j = 1; j < k; j++) {
      g[j] = g[j]! + l2 * w[j]!;
      H[j * k + j] = H[j * k + j]! + l2;
    }
    H[0] = H[0]! + 1e-9; // keeps the system solvable when every training row has the same label
    const step = solve(H, g, k);
    let norm = 0;
    for (let j = 0; j < k; j++) {
      w[j] = w[j]! - step[j]!;
      norm = Math.max(norm, Math.abs(step[j]!));
    }
    if (norm < 1e-9) break;
  }
  return w;
}

export interface BaselineResult {
  /** Probability of fraud per id, aligned with the ids given. */
  score: Float64Array;
  weights: number[];
  positives: number;
  legitNegatives: number;
  sampledNegatives: number;
}

/**
 * Trains on the labels and scores every id. `ids`: every account of the dataset (the population the
 * features are standardised over and the unlabelled sample is drawn from), in a fixed order.
 */
export function runBaseline(
  flows: Flows,
  ids: readonly string[],
  labels: ReadonlyMap<string, 'fraud' | 'legit'>,
  seed: string | number,
): BaselineResult {
  const x = standardise(baselineFeatures(flows, ids), ids.length);
  const rows: number[] = [];
  const y: number[] = [];
  const unlabelled: number[] = [];
  let positives = 0;
  let legitNegatives = 0;
  ids.forEach((id, r) => {
    const l = labels.get(id);
    if (l === undefined) unlabelled.push(r);
    else {
      rows.push(r);
      y.push(l === 'fraud' ? 1 : 0);
      if (l === 'fraud') positives++;
      else legitNegatives++;
    }
  });
  let sampledNegatives = 0;
  const wanted = NEGATIVES_PER_POSITIVE * positives;
  if (legitNegatives < wanted) {
    // Legit labels are few: a seeded sample of unlabelled accounts (partial Fisher–Yates, ids in order).
    const rng = createRng(`eval-baseline-negatives-${seed}`);
    const take = Math.min(wanted - legitNegatives, unlabelled.length);
    for (let k = 0; k < take; k++) {
      const j = k + Math.floor(rng() * (unlabelled.length - k));
      [unlabelled[k], unlabelled[j]] = [unlabelled[j]!, unlabelled[k]!];
      rows.push(unlabelled[k]!);
      y.push(0);
    }
    sampledNegatives = take;
  }
  const w = fitLogistic(x, D, rows, y, BASELINE_L2);
  const score = new Float64Array(ids.length);
  for (let r = 0; r < ids.length; r++) {
    let t = w[0]!;
    for (let d = 0; d < D; d++) t += w[d + 1]! * x[r * D + d]!;
    score[r] = sigmoid(t);
  }
  return { score, weights: Array.from(w), positives, legitNegatives, sampledNegatives };
}
