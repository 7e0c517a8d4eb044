// npm run bench:learn: training and prediction times of src/analysis/learn on synthetic data (no
// database). The figures in the learners' header comments and docs/learn.md come from here.
import {
  matrix,
  rocAuc,
  trainGbt,
  trainIsolationForest,
  trainLogistic,
  fitStandardiser,
  type Matrix,
} from '../src/analysis/learn/index.js';
import { createRng } from '../src/analysis/rng.js';

function synthetic(rows: number, cols: number, seed: string): { x: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const x = matrix(rows, cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    let z = -3;
    for (let j = 0; j < cols; j++) {
      // Mixed feature kinds: continuous, heavy-tailed, small integers, 5% missing in every fifth.
      const u = rng();
      let v = j % 3 === 0 ? u * 2 - 1 : j % 3 === 1 ? -Math.log(1 - u) : Math.floor(u * 6);
      if (j % 5 === 4 && rng() < 0.05) v = NaN;
      x.data[i * cols + j] = v;
    }
    const r = x.data.subarray(i * cols, (i + 1) * cols);
    z += 2 * r[0]! + (r[1]! > 1 ? 1.5 : 0) + 0.4 * r[2]! - (Number.isNaN(r[4]!) ? -2 : 0.3 * r[4]!) + r[3]! * r[6]!;
    y[i] = rng() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

function time<T>(label: string, f: () => T): T {
  // CPU time beside wall time: the figures stay meaningful on a machine busy with other work.
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = f();
  const cpu = process.cpuUsage(c0);
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU`);
  return out;
}

const train = synthetic(100_000, 40, 'bench-train');
const test = synthetic(100_000, 40, 'bench-test');
const model = time('gbt train 100k x 40, 100 trees depth 4', () => trainGbt(train.x, train.y, { trees: 100, maxDepth: 4 }));
const p = time('gbt predict 100k', () => model.predict(test.x));
console.log(`  test ROC-AUC ${rocAuc(p, test.y).toFixed(4)}`);
time('gbt train 100k x 40, 100 trees depth 4, subsample 0.8 colsample 0.8', () =>
  trainGbt(train.x, train.y, { trees: 100, maxDepth: 4, subsample: 0.8, colsample: 0.8 }),
);
const big = synthetic(1_000_000, 40, 'bench-big');
time('gbt predict 1M', () => model.predict(big.x));
const small = synthetic(20_000, 40, 'bench-small');
const s = fitStandardiser(small.x);
const z = s.apply(small.x);
time('logistic train 20k x 40', () => trainLogistic(z, small.y));
const forest = time('isolation forest train, 100 trees, psi 256 (1M rows)', () => trainIsolationForest(big.x));
time('isolation forest score 1M', () => forest.score(big.x));
