// acctnet/analysis/learn/logistic: L2-regularised logistic regression with an unpenalised intercept,
// fitted by Newton's method (IRLS) with a backtracking line search, and the standardiser that
// prepares its features. ml-logistic-regression has neither an intercept nor regularisation, and
// gradient descent with a fixed step converges slowly and to a step-size-dependent answer; Newton on
// this convex problem converges to the exact optimum in a handful of iterations for the few dozen
// features we have (each iteration is O(n·d²) for the Hessian plus O(d³) for the solve).
//
// Objective minimised (w = weights, b = intercept, s_i = sample weight, default 1):
//   0.5 · l2 · ||w||² + Σ_i s_i · [log(1 + e^{z_i}) − y_i z_i],   z_i = b + w·x_i
// which is scikit-learn's LogisticRegression(C = 1 / l2, penalty 'l2', fit_intercept = True) objective
// divided by C, hence the same optimum (test/fixtures/learn/logistic.json checks it to 1e-4).
import type { Matrix } from './matrix.js';
import { checkTrainingData, matrix } from './matrix.js';
import { log1pExp, sigmoid, solveSpd } from './linalg.js';

const NAME = 'acctnet/analysis/learn/logistic';

export interface LogisticOptions {
  /** L2 penalty strength λ in 0.5·λ·||w||² (the intercept is not penalised); scikit-learn's C = 1/λ. 0 = none. */
  l2: number;
  maxIterations: number;
  /** Stop when the largest Newton step component (on intercept and weights) is below this. */
  tolerance: number;
}

export const LOGISTIC_DEFAULTS: LogisticOptions = { l2: 1, maxIterations: 100, tolerance: 1e-10 };

export interface LogisticModel {
  intercept: number;
  weights: Float64Array;
  /** P(y = 1 | x) per row. */
  predict(x: Matrix): Float64Array;
  /** The log-odds b + w·x per row. NaN features count as 0 (the mean, after standardising). */
  decision(x: Matrix): Float64Array;
}

function makeModel(intercept: number, weights: Float64Array): LogisticModel {
  const decision = (x: Matrix): Float64Array => {
    if (x.cols !== weights.length) throw new RangeError(`${NAME}: matrix has ${x.cols} columns, the model ${weights.length} weights`);
    const out = new Float64Array(x.rows);
    const d = x.cols;
    for (let i = 0; i < x.rows; i++) {
      let z = intercept;
      for (let j = 0; j < d; j++) {
        const v = x.data[i * d + j]!;
        if (v === v) z += weights[j]! * v;
      }
      out[i] = z;
    }
    return out;
  };
  return {
    intercept,
    weights,
    decision,
    predict(x) {
      const z = decision(x);
      for (let i = 0; i < z.length; i++) z[i] = sigmoid(z[i]!);
      return z;
    },
  };
}

export function trainLogistic(
  x: Matrix,
  y: ArrayLike<number>,
  options: Partial<LogisticOptions> = {},
  sampleWeight?: ArrayLike<number>,
): LogisticModel {
  const o: LogisticOptions = { ...LOGISTIC_DEFAULTS, ...options };
  checkTrainingData(NAME, x, y, sampleWeight);
  if (!(o.l2 >= 0)) throw new RangeError(`${NAME}: l2 must be >= 0, got ${o.l2}`);
  if (!(o.maxIterations >= 1)) throw new RangeError(`${NAME}: maxIterations must be >= 1, got ${o.maxIterations}`);
  const n = x.rows;
  const d = x.cols;
  const p = d + 1; // parameter 0 is the intercept, 1..d the weights
  const data = x.data;
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k]!)) throw new RangeError(`${NAME}: feature value ${k} is ${data[k]}; standardise first (NaN → mean)`);
  }
  const s = (i: number) => (sampleWeight === undefined ? 1 : sampleWeight[i]!);
  const beta = new Float64Array(p);
  const z = new Float64Array(n);

  const margins = (b: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let v = b[0]!;
      for (let j = 0; j < d; j++) v += b[j + 1]! * data[i * d + j]!;
      out[i] = v;
    }
  };
  const objective = (b: Float64Array, zz: Float64Array) => {
    let f = 0;
    for (let i = 0; i < n; i++) f += s(i) * (log1pExp(zz[i]!) - y[i]! * zz[i]!);
    let r = 0;
    for (let j = 1; j < p; j++) r += b[j]! * b[j]!;
    return f + 0.5 * o.l2 * r;
  };

  // Start from the intercept-only optimum (log-odds of the weighted base rate, clipped): Newton from
  // there needs fewer iterations than from 0 when the classes are imbalanced, as fraud labels are.
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < n; i++) {
    sw += s(i);
    swy += s(i) * y[i]!;
  }
  if (sw > 0) {
    const rate = Math.min(1 - 1e-12, Math.max(1e-12, swy / sw));
    beta[0] = Math.log(rate / (1 - rate));
  }
  margins(beta, z);
  let f = objective(beta, z);
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  const trial = new Float64Array(p);
  const zTrial = new Float64Array(n);
  const xi = new Float64Array(p);
  xi[0] = 1;

  for (let iter = 0; iter < o.maxIterations; iter++) {
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < n; i++) {
      const w = s(i);
      if (w === 0) continue;
      const mu = sigmoid(z[i]!);
      const r = w * (mu - y[i]!);
      const h = w * mu * (1 - mu);
      for (let j = 0; j < d; j++) xi[j + 1] = data[i * d + j]!;
      for (let a = 0; a < p; a++) {
        const xa = xi[a]!;
        grad[a]! += r * xa;
        const ha = h * xa;
        // Lower triangle only; mirrored below.
        for (let b = 0; b <= a; b++) hess[a * p + b]! += ha * xi[b]!;
      }
    }
    for (let a = 1; a < p; a++) {
      grad[a]! += o.l2 * beta[a]!;
      hess[a * p + a]! += o.l2;
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) hess[b * p + a] = hess[a * p + b]!;
    // Newton direction; if the Hessian is singular (l2 = 0 with collinear or separable data) add a
    // growing ridge: the step then leans towards gradient descent but still decreases the objective.
    let step = solveSpd(hess, grad, p);
    for (let ridge = 1e-10; step === null && ridge < 1e10; ridge *= 100) {
      const hr = hess.slice();
      for (let a = 0; a < p; a++) hr[a * p + a]! += ridge * (1 + Math.abs(hess[a * p + a]!));
      step = solveSpd(hr, grad, p);
    }
    if (step === null) throw new Error(`${NAME}: Newton system could not be solved (non-finite features or weights?)`);
    // Backtracking (Armijo) line search: full Newton steps can overshoot far from the optimum.
    let slope = 0;
    for (let a = 0; a < p; a++) slope -= grad[a]! * step[a]!;
    let t = 1;
    let fNew = f;
    for (let k = 0; k < 60; k++) {
      for (let a = 0; a < p; a++) trial[a] = beta[a]! - t * step[a]!;
      margins(trial, zTrial);
      fNew = objective(trial, zTrial);
      if (fNew <= f + 1e-4 * t * slope || !(slope < 0)) break;
      t *= 0.5;
    }
    let maxStep = 0;
    for (let a = 0; a < p; a++) maxStep = Math.max(maxStep, Math.abs(t * step[a]!));
    if (!(fNew <= f) && maxStep > 0) {
      // No decrease even for tiny steps: we are at the optimum to machine precision.
      break;
    }
    beta.set(trial);
    z.set(zTrial);
    f = fNew;
    if (maxStep < o.tolerance) break;
  }
  return makeModel(beta[0]!, beta.slice(1));
}

export interface Standardiser {
  mean: Float64Array;
  std: Float64Array;
  /** A new matrix of (x − mean) / std; NaN and ±Infinity become 0, i.e. the training mean. */
  apply(x: Matrix): Matrix;
}

/**
 * Per-column mean and population standard deviation (ddof 0, as scikit-learn's StandardScaler) over
 * the finite values; NaN and ±Infinity count as missing (a ratio feature can be infinite, and one
 * infinite value would make the whole column's mean infinite). A constant or all-missing column gets
 * std 1 so it maps to 0 instead of NaN/Infinity; an all-missing column gets mean 0.
 */
export function fitStandardiser(x: Matrix): Standardiser {
  const d = x.cols;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  const count = new Float64Array(d);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < d; j++) {
      const v = x.data[i * d + j]!;
      if (Number.isFinite(v)) {
        mean[j]! += v;
        count[j]!++;
      }
    }
  }
  for (let j = 0; j < d; j++) mean[j] = count[j]! > 0 ? mean[j]! / count[j]! : 0;
  // Two passes (sum of squared deviations) rather than E[x²] − E[x]²: no cancellation for large means.
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < d; j++) {
      const v = x.data[i * d + j]!;
      if (Number.isFinite(v)) std[j]! += (v - mean[j]!) ** 2;
    }
  }
  for (let j = 0; j < d; j++) {
    const sd = count[j]! > 0 ? Math.sqrt(std[j]! / count[j]!) : 0;
    std[j] = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return {
    mean,
    std,
    apply(m) {
      if (m.cols !== d) throw new RangeError(`${NAME}: matrix has ${m.cols} columns, the standardiser ${d}`);
      const out = matrix(m.rows, d);
      for (let i = 0; i < m.rows; i++) {
        for (let j = 0; j < d; j++) {
          const v = m.data[i * d + j]!;
          out.data[i * d + j] = Number.isFinite(v) ? (v - mean[j]!) / std[j]! : 0;
        }
      }
      return out;
    },
  };
}
