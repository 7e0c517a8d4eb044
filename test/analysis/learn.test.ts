// src/analysis/learn against scikit-learn reference outputs (test/fixtures/learn/*.json, made by
// scripts/reference/make-learn-fixtures.py) plus the properties the analysis relies on: determinism,
// NaN handling, sample weights, explanations that add up, serialisation, large inputs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  averagePrecision,
  fitPlatt,
  fitStandardiser,
  matrix,
  rocAuc,
  row,
  selectRows,
  trainLogistic,
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
