// acctnet/analysis/learn/platt: Platt scaling, a monotone map from a model's score to a calibrated
// probability, P(y = 1 | f) = 1 / (1 + exp(a·f + b)). Sign convention is Platt's (1999) and
// scikit-learn's (_sigmoid_calibration): a is negative when higher scores mean fraud.
//
// Fitted on Platt's smoothed targets, t+ = (N+ + 1)/(N+ + 2) for positives and t− = 1/(N− + 2) for
// negatives, rather than 0/1: with few labels (and separable scores, common for boosted trees on their
// own training rows) the 0/1 fit runs off to a → −∞; the targets are the Bayesian posterior under a
// uniform prior and keep a finite. The 2-parameter cross-entropy is convex; Newton's method with a
// backtracking line search (Lin, Lin & Weng 2007, "A note on Platt's probabilistic outputs") converges
// in a few iterations. Checked against scikit-learn to 1e-3 (test/fixtures/learn/platt.json).
import { log1pExp } from './linalg.js';

const NAME = 'acctnet/analysis/learn/platt';

export interface Platt {
  a: number;
  b: number;
  /** 1 / (1 + exp(a·score + b)). */
  apply(score: number): number;
}

function makePlatt(a: number, b: number): Platt {
  return {
    a,
    b,
    apply(score) {
      const z = a * score + b;
      // 1/(1+e^z), stable both ways.
      if (z >= 0) {
        const e = Math.exp(-z);
        return e / (1 + e);
      }
      return 1 / (1 + Math.exp(z));
    },
  };
}

export function fitPlatt(scores: ArrayLike<number>, y: ArrayLike<number>): Platt {
  const n = scores.length;
  if (y.length !== n) throw new RangeError(`${NAME}: ${n} scores for ${y.length} labels`);
  let prior1 = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`${NAME}: label ${i} is ${y[i]}, expected 0 or 1`);
    if (!Number.isFinite(scores[i]!)) throw new RangeError(`${NAME}: score ${i} is ${scores[i]}`);
    prior1 += y[i]!;
  }
  const prior0 = n - prior1;
  const hiTarget = (prior1 + 1) / (prior1 + 2);
  const loTarget = 1 / (prior0 + 2);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = y[i] === 1 ? hiTarget : loTarget;

  // Loss with p = 1/(1+e^z), z = a f + b: Σ t·log(1+e^z) + (1−t)·log(1+e^−z)  = Σ log(1+e^z) − (1−t) z.
  const loss = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const z = a * scores[i]! + b;
      s += log1pExp(z) - (1 - t[i]!) * z;
    }
    return s;
  };
  let a = 0;
  let b = Math.log((prior0 + 1) / (prior1 + 1));
  let f = loss(a, b);
  // Platt's pseudo-code adds a tiny ridge (sigma) to the Hessian: with all scores equal it is singular.
  const sigma = 1e-12;
  for (let iter = 0; iter < 100; iter++) {
    let h11 = sigma;
    let h22 = sigma;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const fi = scores[i]!;
      const z = a * fi + b;
      // p = P(y=1) = 1/(1+e^z); d loss / dz = (1 − p) − (1 − t) = t − p... computed stably via q = 1 − p.
      const q = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      const p = 1 - q;
      const d1 = q - (1 - t[i]!);
      const d2 = p * q;
      h11 += fi * fi * d2;
      h22 += d2;
      h21 += fi * d2;
      g1 += fi * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < 1e-12 * Math.max(1, n) && Math.abs(g2) < 1e-12 * Math.max(1, n)) break;
    const det = h11 * h22 - h21 * h21;
    const da = -(h22 * g1 - h21 * g2) / det;
    const db = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * da + g2 * db;
    let step = 1;
    let improved = false;
    while (step >= 1e-10) {
      const na = a + step * da;
      const nb = b + step * db;
      const nf = loss(na, nb);
      if (nf <= f + 1e-4 * step * gd) {
        a = na;
        b = nb;
        f = nf;
        improved = true;
        break;
      }
      step /= 2;
    }
    if (!improved) break; // at the optimum to machine precision
    if (Math.abs(step * da) < 1e-12 * (1 + Math.abs(a)) && Math.abs(step * db) < 1e-12 * (1 + Math.abs(b))) break;
  }
  return makePlatt(a, b);
}
