// src/analysis/learn against scikit-learn reference outputs (test/fixtures/learn/*.json, made by
// scripts/reference/make-learn-fixtures.py) plus the properties the analysis relies on: determinism,
// NaN handling, sample weights, explanations that add up, serialisation, large inputs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  averagePathLength,
  averagePrecision,
  fitPlatt,
  fitStandardiser,
  fromGbtJSON,
  matrix,
  rocAuc,
  row,
  selectRows,
  trainGbt,
  trainIsolationForest,
  trainLogistic,
  type GbtOptions,
  type Matrix,
} from '../../src/analysis/learn/index.js';
import { createRng } from '../../src/analysis/rng.js';

// Compiled to dist/test/analysis: the fixtures stay in the source tree.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/learn');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fixture = (name: string): any => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

/** A Matrix from nested arrays; null (JSON's stand-in for NaN) becomes NaN. */
function toMatrix(rows: (number | null)[][]): Matrix {
  const m = matrix(rows.length, rows[0]?.length ?? 0);
  rows.forEach((r, i) => r.forEach((v, j) => (m.data[i * m.cols + j] = v === null ? NaN : v)));
  return m;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

// ------------------------------------------------------------------------------------------ matrix
test('matrix: row is a view, selectRows copies in the given order', () => {
  const m = toMatrix([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const r = row(m, 1);
  r[0] = 30;
  assert.equal(m.data[2], 30);
  const s = selectRows(m, [2, 0, 2]);
  assert.deepEqual([...s.data], [5, 6, 1, 2, 5, 6]);
  s.data[0] = 0;
  assert.equal(m.data[4], 5);
  assert.throws(() => row(m, 3), /^RangeError: acctnet\/analysis\/learn\/matrix: /);
  assert.throws(() => selectRows(m, [0, -1]), /acctnet\/analysis\/learn\/matrix: row -1/);
});

// ----------------------------------------------------------------------------------------- metrics
test('metrics: roc_auc_score and average_precision_score of scikit-learn to 1e-12, ties included', () => {
  for (const c of fixture('metrics.json').cases) {
    assert.ok(Math.abs(rocAuc(c.scores, c.y) - c.rocAuc) < 1e-12, `${c.name} AUC ${rocAuc(c.scores, c.y)} vs ${c.rocAuc}`);
    const ap = averagePrecision(c.scores, c.y);
    assert.ok(Math.abs(ap - c.averagePrecision) < 1e-12, `${c.name} AP ${ap} vs ${c.averagePrecision}`);
  }
});

test('metrics: NaN for an empty class, errors name the module, 300k rows are fine', () => {
  assert.ok(Number.isNaN(rocAuc([1, 2], [1, 1])));
  assert.ok(Number.isNaN(rocAuc([1, 2], [0, 0])));
  assert.ok(Number.isNaN(averagePrecision([1, 2], [0, 0])));
  assert.equal(averagePrecision([1, 2], [1, 1]), 1);
  assert.throws(() => rocAuc([1], [2]), /^RangeError: acctnet\/analysis\/learn\/metrics: /);
  assert.throws(() => rocAuc([1, 2], [1]), /acctnet\/analysis\/learn\/metrics: /);
  const n = 300_000;
  const rng = createRng('metrics');
  const s = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.1 ? 1 : 0;
    s[i] = Math.round((rng() + 0.3 * y[i]!) * 1000); // many ties
  }
  const auc = rocAuc(s, y);
  const ap = averagePrecision(s, y);
  assert.ok(auc > 0.6 && auc < 0.9, `auc ${auc}`);
  assert.ok(ap > 0.1 && ap < 1, `ap ${ap}`);
});

// ---------------------------------------------------------------------------------------- logistic
test('logistic: intercept and weights equal scikit-learn LogisticRegression (lbfgs, C = 1/l2) to 1e-4', () => {
  for (const c of fixture('logistic.json').cases) {
    const x = toMatrix(c.x);
    const model = trainLogistic(x, c.y, { l2: c.l2 }, c.sampleWeight ?? undefined);
    assert.ok(Math.abs(model.intercept - c.intercept) < 1e-4, `${c.name}: intercept ${model.intercept} vs ${c.intercept}`);
    const diff = maxAbsDiff(model.weights, c.weights);
    assert.ok(diff < 1e-4, `${c.name}: weights differ by ${diff}`);
    // predict is the logistic of decision
    const z = model.decision(x);
    const p = model.predict(x);
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(p[i]! - 1 / (1 + Math.exp(-z[i]!))) < 1e-15);
  }
});

test('logistic: integer sample weights equal repeated rows; l2 = 0 is allowed', () => {
  const rng = createRng('lr-weights');
  const n = 120;
  const x = matrix(n, 2);
  const y = new Uint8Array(n);
  const w = new Float64Array(n);
  const rep: number[] = [];
  for (let i = 0; i < n; i++) {
    x.data[2 * i] = rng() * 4 - 2;
    x.data[2 * i + 1] = rng() * 4 - 2;
    y[i] = rng() < 1 / (1 + Math.exp(-(x.data[2 * i]! - 0.5 * x.data[2 * i + 1]!))) ? 1 : 0;
    w[i] = 1 + Math.floor(rng() * 3);
    for (let k = 0; k < w[i]!; k++) rep.push(i);
  }
  for (const l2 of [0, 0.3]) {
    const a = trainLogistic(x, y, { l2 }, w);
    const b = trainLogistic(
      selectRows(x, rep),
      Uint8Array.from(rep, (i) => y[i]!),
      { l2 },
    );
    assert.ok(Math.abs(a.intercept - b.intercept) < 1e-9);
    assert.ok(maxAbsDiff(a.weights, b.weights) < 1e-9);
  }
  assert.throws(() => trainLogistic(x, y.subarray(1)), /^RangeError: acctnet\/analysis\/learn\/logistic: /);
});

test('standardiser: population std, constant column → std 1, NaN → mean (0 after scaling)', () => {
  const x = toMatrix([
    [1, 5, null],
    [3, 5, 2],
    [null, 5, 4],
  ]);
  const s = fitStandardiser(x);
  assert.deepEqual([...s.mean], [2, 5, 3]);
  assert.deepEqual([...s.std], [1, 1, 1]);
  const z = s.apply(x);
  assert.deepEqual([...z.data], [-1, 0, 0, 1, 0, -1, 0, 0, 1]);
});

// ------------------------------------------------------------------------------------------- Platt
test('platt: equals scikit-learn _sigmoid_calibration (Platt targets) to 1e-3', () => {
  for (const c of fixture('platt.json').cases) {
    const p = fitPlatt(c.scores, c.y);
    assert.ok(Math.abs(p.a - c.a) < 1e-3 && Math.abs(p.b - c.b) < 1e-3, `${c.name}: (${p.a}, ${p.b}) vs (${c.a}, ${c.b})`);
    assert.ok(Math.abs(p.apply(0.5) - 1 / (1 + Math.exp(p.a * 0.5 + p.b))) < 1e-15);
  }
  // Separable scores: the smoothed targets keep the slope finite.
  const p = fitPlatt([0, 1, 2, 10, 11, 12], [0, 0, 0, 1, 1, 1]);
  assert.ok(Number.isFinite(p.a) && p.a < 0 && p.apply(12) > 0.5 && p.apply(0) < 0.5);
});

// --------------------------------------------------------------------------------------------- GBT
const gbtOptions = (p: Record<string, number>): Partial<GbtOptions> => ({
  trees: p.trees!,
  learningRate: p.learningRate!,
  maxDepth: p.maxDepth!,
  maxLeaves: p.maxLeaves!,
  minLeafSamples: p.minLeafSamples!,
  minChildWeight: p.minChildWeight!,
  l2: p.l2!,
  bins: p.bins!,
  subsample: 1,
  colsample: 1,
});

test('gbt: same trees as scikit-learn HistGradientBoostingClassifier when binning is exact (1e-9)', () => {
  // Integer features with few values: both sides put each value in its own bin, max_leaf_nodes does
  // not bind, so scikit-learn's best-first growth and our depth-wise growth choose the same splits.
  // Reached: 2e-15 on log-odds (float summation order only); 1e-9 leaves room for that.
  for (const c of fixture('gbt.json').cases) {
    const x = toMatrix(c.x);
    const model = trainGbt(x, c.y, gbtOptions(c.params), c.sampleWeight ?? undefined);
    assert.ok(Math.abs(model.initial - c.base) < 1e-12, `${c.name}: initial ${model.initial} vs ${c.base}`);
    const json = model.toJSON() as { trees: { feature: number[] }[] };
    assert.deepEqual(
      json.trees.map((t) => t.feature.filter((f) => f < 0).length),
      c.leaves,
      `${c.name}: leaves per tree`,
    );
    const raw = maxAbsDiff(model.predictRaw(x), c.rawTrain);
    const prob = maxAbsDiff(model.predict(toMatrix(c.xTest)), c.probTest);
    assert.ok(raw < 1e-9 && prob < 1e-9, `${c.name}: log-odds differ by ${raw}, test probabilities by ${prob}`);
  }
});

test('gbt: continuous features, quantile bins: held-out ROC-AUC as scikit-learn', () => {
  // Fewer than 2·10⁵ rows, so scikit-learn's thresholds are the same midpoint percentiles as ours
  // and the predictions agree too (reached 1e-16); the AUC check is the contract, 0.01.
  const c = fixture('gbt.json').continuous;
  const model = trainGbt(toMatrix(c.x), c.y, gbtOptions(c.params));
  const p = model.predict(toMatrix(c.xTest));
  const auc = rocAuc(p, c.yTest);
  assert.ok(Math.abs(auc - c.rocAucTest) < 0.01, `AUC ${auc} vs scikit-learn ${c.rocAucTest}`);
  assert.ok(maxAbsDiff(p, c.probTest) < 1e-6);
});

/** Rows with a planted signal: feature 0 (continuous), 1 (NaN for every positive), 2 (noise). */
function plantedData(n: number, seed: string): { x: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const x = matrix(n, 3);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.2 ? 1 : 0;
    x.data[3 * i] = rng() + 0.3 * y[i]!;
    x.data[3 * i + 1] = y[i] ? NaN : rng() < 0.9 ? Math.floor(rng() * 10) : NaN; // 10% of negatives missing too
    x.data[3 * i + 2] = rng();
  }
  return { x, y };
}

test('gbt: a feature that is NaN for all positives is learned; missing values go their own way', () => {
  const { x, y } = plantedData(2000, 'nan-train');
  const model = trainGbt(x, y, { trees: 30, seed: 1 });
  const test = plantedData(1000, 'nan-test');
  const auc = rocAuc(model.predict(test.x), test.y);
  // Missing for all positives and 8% of negatives: feature 1 alone gives AUC ≈ 0.96.
  assert.ok(auc > 0.94, `AUC ${auc}`);
  const imp = model.importance();
  assert.ok(imp[1]! > imp[0]! && imp[1]! > imp[2]!, `importance ${[...imp]}`);
  assert.ok(Math.abs(imp.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  // A row whose feature 1 is missing scores higher than the same row with a value.
  const probe = toMatrix([
    [0.5, null, 0.5],
    [0.5, 3, 0.5],
  ]);
  const p = model.predict(probe);
  assert.ok(p[0]! > 0.5 && p[1]! < 0.2, `probabilities ${[...p]}`);
});

test('gbt: deterministic for a seed, different for another; contributions + base = predictRaw', () => {
  const { x, y } = plantedData(1500, 'det');
  const opts = { trees: 25, subsample: 0.7, colsample: 0.67, minLeafSamples: 5 };
  const a = trainGbt(x, y, { ...opts, seed: 'a' });
  const b = trainGbt(x, y, { ...opts, seed: 'a' });
  const c = trainGbt(x, y, { ...opts, seed: 'c' });
  assert.deepEqual(a.toJSON(), b.toJSON());
  const ra = a.predictRaw(x);
  assert.ok(maxAbsDiff(ra, c.predictRaw(x)) > 1e-6, 'another seed gives another model');
  for (let i = 0; i < 200; i++) {
    const contrib = a.contributions(x, i);
    assert.equal(contrib.length, 3);
    const sum = contrib.reduce((s, v) => s + v, a.base);
    assert.ok(Math.abs(sum - ra[i]!) < 1e-9, `row ${i}: ${sum} vs ${ra[i]}`);
  }
  // The base is the initial log-odds plus each tree's root expected value.
  const trees = (a.toJSON() as { trees: { value: number[] }[] }).trees;
  assert.ok(Math.abs(trees.reduce((s, t) => s + t.value[0]!, a.initial) - a.base) < 1e-12);
});

test('gbt: toJSON / fromGbtJSON round trip through JSON text (Infinity thresholds included)', () => {
  const { x, y } = plantedData(800, 'json');
  const model = trainGbt(x, y, { trees: 15, subsample: 0.8, seed: 3 });
  const json = model.toJSON();
  const text = JSON.stringify(json);
  assert.ok(text.includes('null'), 'a split sending every non-missing value left has threshold +Infinity → null');
  const back = fromGbtJSON(JSON.parse(text));
  assert.deepEqual(back.toJSON(), json);
  assert.deepEqual(back.predictRaw(x), model.predictRaw(x));
  assert.equal(back.base, model.base);
  assert.deepEqual(back.contributions(x, 7), model.contributions(x, 7));
  assert.deepEqual(back.importance(), model.importance());
  assert.throws(() => fromGbtJSON({ format: 'other' }), /^TypeError: acctnet\/analysis\/learn\/gbt: /);
  assert.throws(() => trainGbt(x, y, { bins: 256 }), /^RangeError: acctnet\/analysis\/learn\/gbt: bins/);
  assert.throws(() => model.predict(matrix(2, 4)), /acctnet\/analysis\/learn\/gbt: matrix has 4 columns/);
});

test('gbt: integer sample weights equal repeated rows', () => {
  // Weights 1 and 2 only: float32 gradients scale exactly by 2, so both fits see the same sums.
  const rng = createRng('gbt-weights');
  const n = 400;
  const x = matrix(n, 3);
  const y = new Uint8Array(n);
  const w = new Float64Array(n);
  const rep: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) x.data[3 * i + j] = Math.floor(rng() * 5);
    y[i] = rng() < 1 / (1 + Math.exp(-(x.data[3 * i]! - x.data[3 * i + 1]!))) ? 1 : 0;
    w[i] = rng() < 0.5 ? 1 : 2;
    for (let k = 0; k < w[i]!; k++) rep.push(i);
  }
  const opts = { trees: 20, minLeafSamples: 1, maxDepth: 3 };
  const a = trainGbt(x, y, opts, w);
  const b = trainGbt(
    selectRows(x, rep),
    Uint8Array.from(rep, (i) => y[i]!),
    opts,
  );
  assert.ok(maxAbsDiff(a.predictRaw(x), b.predictRaw(x)) < 1e-9);
  const unweighted = trainGbt(x, y, opts);
  assert.ok(maxAbsDiff(a.predictRaw(x), unweighted.predictRaw(x)) > 1e-3, 'weights matter');
});

// ---------------------------------------------------------------------------------- isolation forest
/** Spearman's rank correlation (average ranks for ties). */
function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ranks = (v: ArrayLike<number>) => {
    const order = Array.from({ length: v.length }, (_, i) => i).sort((i, j) => v[i]! - v[j]!);
    const r = new Float64Array(v.length);
    for (let s = 0; s < order.length;) {
      let e = s;
      while (e < order.length && v[order[e]!] === v[order[s]!]) e++;
      for (let k = s; k < e; k++) r[order[k]!] = (s + e - 1) / 2;
      s = e;
    }
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const n = ra.length;
  const mean = (n - 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i]! - mean) * (rb[i]! - mean);
    da += (ra[i]! - mean) ** 2;
    db += (rb[i]! - mean) ** 2;
  }
  return num / Math.sqrt(da * db);
}

test('isolation forest: ranks rows like scikit-learn IsolationForest and finds the planted outliers', () => {
  const c = fixture('isolation-forest.json');
  const x = toMatrix(c.x);
  const s = trainIsolationForest(x, { trees: c.trees, sampleSize: c.sampleSize, seed: 1 }).score(x);
  const rho = spearman(s, c.score);
  assert.ok(rho >= 0.9, `Spearman ${rho}`);
  const auc = rocAuc(s, c.y);
  assert.ok(auc > 0.97 && Math.abs(auc - c.rocAuc) < 0.02, `AUC ${auc} vs scikit-learn ${c.rocAuc}`);
  for (let i = 0; i < s.length; i++) assert.ok(s[i]! > 0 && s[i]! <= 1);
});

test('isolation forest: c(n) as in Liu et al. / scikit-learn', () => {
  assert.equal(averagePathLength(0), 0);
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  // c(n) = 2 H(n − 1) − 2 (n − 1) / n with H(i) ≈ ln i + γ; values from scikit-learn's _average_path_length.
  assert.ok(Math.abs(averagePathLength(3) - 1.207392357589623) < 1e-12);
  assert.ok(Math.abs(averagePathLength(256) - 10.244770920119917) < 1e-12);
  assert.ok(Math.abs(averagePathLength(1000) - 12.969940887100174) < 1e-12);
});

test('isolation forest: rows option trains the same forest as a copy of those rows, and checks them', () => {
  const c = fixture('isolation-forest.json');
  const x = toMatrix(c.x);
  // A shuffled subset with a repeat, as learnRisk passes its id order.
  const rng = createRng('rows');
  const rows = Array.from({ length: Math.floor(x.rows * 0.7) }, () => Math.floor(rng() * x.rows));
  const copied = trainIsolationForest(selectRows(x, rows), { seed: 'r', sampleSize: 64 }).score(x);
  const picked = trainIsolationForest(x, { seed: 'r', sampleSize: 64, rows }).score(x);
  assert.deepEqual(picked, copied);
  assert.ok(maxAbsDiff(picked, trainIsolationForest(x, { seed: 'r', sampleSize: 64 }).score(x)) > 1e-6, 'other rows, other forest');
  assert.throws(() => trainIsolationForest(x, { rows: [0, x.rows] }), /out of range/);
  assert.throws(() => trainIsolationForest(x, { rows: [] }), /no training rows/);
});

test('isolation forest: same seed same scores, another seed other scores; NaN-safe; 300k rows', () => {
  const c = fixture('isolation-forest.json');
  const x = toMatrix(c.x);
  const a = trainIsolationForest(x, { seed: 'x' }).score(x);
  const b = trainIsolationForest(x, { seed: 'x' }).score(x);
  const other = trainIsolationForest(x, { seed: 'y' }).score(x);
  assert.deepEqual(a, b);
  assert.ok(maxAbsDiff(a, other) > 1e-6);
  // NaN: a column missing for half the rows, and rows missing everything.
  const withNaN = selectRows(
    x,
    Array.from({ length: x.rows }, (_, i) => i),
  );
  for (let i = 0; i < withNaN.rows; i += 2) withNaN.data[i * withNaN.cols + 3] = NaN;
  for (let j = 0; j < withNaN.cols; j++) withNaN.data[10 * withNaN.cols + j] = NaN;
  const forest = trainIsolationForest(withNaN, { seed: 2 });
  const s = forest.score(withNaN);
  for (let i = 0; i < s.length; i++) assert.ok(Number.isFinite(s[i]!) && s[i]! > 0 && s[i]! <= 1);
  assert.ok(rocAuc(s, c.y) > 0.9);
  // Large input: no spread of arrays, no stack overflow.
  const n = 300_000;
  const rng = createRng('big');
  const big = matrix(n, 3);
  for (let i = 0; i < big.data.length; i++) big.data[i] = rng() < 0.01 ? NaN : rng();
  const sb = trainIsolationForest(big, { trees: 50 }).score(big);
  assert.equal(sb.length, n);
  assert.throws(() => trainIsolationForest(big, { sampleSize: 1 }), /^RangeError: acctnet\/analysis\/learn\/isolation-forest: /);
});

test('infinite feature values (ratios of counts) are ordinary extreme values, and thresholds stay JSON-safe', () => {
  const rng = createRng('inf');
  const n = 600;
  const x = matrix(n, 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.3 ? 1 : 0;
    // Feature 0: +Infinity for most positives, −Infinity for some negatives, else small integers.
    x.data[2 * i] = y[i] && rng() < 0.8 ? Infinity : !y[i] && rng() < 0.2 ? -Infinity : Math.floor(rng() * 5);
    x.data[2 * i + 1] = rng();
  }
  const model = trainGbt(x, y, { trees: 10 });
  assert.ok(rocAuc(model.predict(x), y) > 0.85);
  const back = fromGbtJSON(JSON.parse(JSON.stringify(model.toJSON())));
  assert.deepEqual(back.predictRaw(x), model.predictRaw(x));
  const s = trainIsolationForest(x, { trees: 20 }).score(x);
  for (let i = 0; i < n; i++) assert.ok(s[i]! > 0 && s[i]! <= 1);
  const z = fitStandardiser(x).apply(x);
  for (let i = 0; i < z.data.length; i++) assert.ok(Number.isFinite(z.data[i]!));
  trainLogistic(z, y);
});
